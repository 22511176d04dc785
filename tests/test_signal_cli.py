"""``monitor label`` and ``monitor sentiment`` through the CLI, against a tmp_path database."""

from __future__ import annotations

from pathlib import Path

from monitor import sentiment
from monitor.config import load_config
from monitor.ingest import store_page
from monitor.schema import SENTIMENTS
from monitor.store import Store

POSTS = [
    ("p1", "Backtrace is so bad it's good, Stallone in a wig #Backtrace"),
    ("p2", "Watched Backtrace on Netflix. What a tedious, forgettable mess"),
    ("p3", "my backtrace from gdb is useless"),  # not about the film: never labelled
    ("p4", "The Man from Toronto is fine, Woody Harrelson is having fun"),
]


def _post(native: str, text: str) -> dict[str, object]:
    return {
        "id": f"bluesky:{native}",
        "platform": "bluesky",
        "native_id": native,
        "text": text,
        "created_at": "2024-01-01T00:00:00Z",
    }


def _seed(config_file: Path) -> None:
    """Posts and mentions as a poll stores them, but with no labels yet."""
    titles = load_config(config_file).titles
    with Store("monitor.db") as store:
        store.sync_titles(titles)
        store_page(store, [_post(n, t) for n, t in POSTS], titles)
        store.db.execute(f"delete from {SENTIMENTS}")
        store.db.conn.commit()


def _labels(model: str) -> dict[str, str]:
    with Store("monitor.db") as store:
        return {
            r["post_id"]: r["label"]
            for r in store.query(f"select * from {SENTIMENTS} where model = ?", [model])
        }


def test_label_round_trips_with_its_model_version(run_cli, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(config_file)
    result = run_cli("label")
    assert result.exit_code == 0, result.output
    assert f"labelled 3 posts with {sentiment.FILM3}" in result.output
    assert _labels(sentiment.FILM3) == {
        "bluesky:p1": "positive",
        "bluesky:p2": "negative",
        "bluesky:p4": "positive",
    }
    again = run_cli("label", "--batch", "1")
    assert f"labelled 0 posts with {sentiment.FILM3}" in again.output


def test_label_other_model_and_relabel_keep_both_versions(run_cli, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(config_file)
    run_cli("label", "--batch", "2")
    result = run_cli("label", "--model", "vader", "--batch", "2")
    assert f"labelled 3 posts with {sentiment.VADER}" in result.output
    # VADER reads "so bad it's good" literally; the film label stays beside it.
    assert _labels(sentiment.VADER)["bluesky:p1"] == "negative"
    assert _labels(sentiment.FILM3)["bluesky:p1"] == "positive"
    relabel = run_cli("label", "--relabel", "--batch", "2")
    assert f"labelled 3 posts with {sentiment.FILM3}" in relabel.output
    assert len(_labels(sentiment.FILM3)) == 3 and len(_labels(sentiment.VADER)) == 3


def test_label_in_several_processes_gives_the_same_labels(run_cli, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(config_file)
    one = run_cli("label", "--jobs", "1", "--batch", "1")
    alone = _scores(sentiment.DEFAULT_MODEL)
    many = run_cli("label", "--relabel", "--jobs", "2", "--batch", "1")
    assert one.exit_code == many.exit_code == 0, many.output
    assert f"labelled 3 posts with {sentiment.DEFAULT_MODEL}" in many.output
    assert _scores(sentiment.DEFAULT_MODEL) == alone and len(alone) == 3
    assert run_cli("label", "--jobs", "0").exit_code == 2


def _scores(model: str) -> dict[str, tuple[float, str]]:
    with Store("monitor.db") as store:
        return {
            r["post_id"]: (r["compound"], r["label"])
            for r in store.query(f"select * from {SENTIMENTS} where model = ?", [model])
        }


def test_poll_pages_are_labelled_by_the_film_model(config_file: Path) -> None:
    titles = load_config(config_file).titles
    with Store("monitor.db") as store:
        store.sync_titles(titles)
        store_page(store, [_post(n, t) for n, t in POSTS], titles)
    assert set(_labels(sentiment.FILM3)) == {"bluesky:p1", "bluesky:p2", "bluesky:p4"}


def test_sentiment_one_line_out_per_line_in(run_cli) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "so bad it's good",
        "",
        "what a dreary, tedious mess\r",
        "😍😍😍",
        "great " * 5000,
        "   ",
        "last line without a newline",
    ]
    result = run_cli("sentiment", input="\n".join(lines).encode("utf-8"))
    assert result.exit_code == 0, result.output
    out = result.output.split("\n")
    assert out[-1] == ""  # every output line ends with a newline
    out = out[:-1]
    assert len(out) == len(lines)
    rows = [line.split("\t") for line in out]
    assert all(len(r) == 2 for r in rows)
    assert [rows[i][1] for i in (0, 2, 3, 4)] == ["positive", "negative", "positive", "positive"]
    assert rows[1] == rows[5] == ["0.0", "neutral"]


def test_sentiment_crlf_and_vader_model(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("sentiment", "--model", "vader", input=b"so bad it's good\r\n\r\nnice\r\n")
    assert result.exit_code == 0
    assert result.output.splitlines() == ["-0.1604\tnegative", "0.0\tneutral", "0.4215\tpositive"]


def test_sentiment_invalid_utf8_names_the_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("sentiment", input=b"fine\nbad \xff byte\nnever read\n")
    assert result.exit_code == 1
    assert "Error: stdin line 2: not valid UTF-8" in result.output
    assert "Traceback" not in result.output
    assert result.output.splitlines()[0].count("\t") == 1  # line 1 was answered first


def test_sentiment_streams_each_line_as_it_comes() -> None:
    """A line is answered before stdin closes, so `monitor sentiment` works in a pipeline."""
    import subprocess
    import sys
    import threading

    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "sentiment"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    answer: list[bytes] = []
    try:
        proc.stdin.write(b"what a gorgeous film\n")
        proc.stdin.flush()
        reader = threading.Thread(target=lambda: answer.append(proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=60)  # a generous bound: only a stdin-slurping command misses it
        assert answer and answer[0].endswith(b"\tpositive\n")
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == 0


def test_a_new_model_version_labels_beside_the_old_one(run_cli, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(config_file)
    old = [
        {
            "post_id": f"bluesky:{n}",
            "model": "film-0",
            "compound": 0.0,
            "pos": 0.0,
            "neu": 1.0,
            "neg": 0.0,
            "label": "neutral",
        }
        for n in ("p1", "p2", "p4")
    ]
    with Store("monitor.db") as store:
        store.upsert_sentiments(old)
    result = run_cli("label")
    assert f"labelled 3 posts with {sentiment.FILM3}" in result.output
    assert _labels("film-0") == {r["post_id"]: "neutral" for r in old}
    assert _labels(sentiment.FILM3)["bluesky:p2"] == "negative"


def test_sentiment_explain_keeps_one_line_per_input_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    lines = ["Killer is a gripping film", "", "so bad it's good"]
    result = run_cli("sentiment", "--explain", "--title", "Killer", input="\n".join(lines).encode())
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert len(out) == 3 and all(line.count("\t") == 2 for line in out)
    plain = run_cli("sentiment", "--title", "Killer", input="\n".join(lines).encode())
    # the first two columns are what `monitor sentiment` prints without --explain
    assert [line.rsplit("\t", 1)[0] for line in out] == plain.output.splitlines()
    assert "masked title 'Killer'" in out[0] and "review word 'gripping'" in out[0]
    assert 'idiom "so bad it\'s good"' in out[2]


def test_sentiment_explain_needs_film_3(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("sentiment", "--explain", "--model", "vader", input=b"fine\n")
    assert result.exit_code == 2 and "--explain reads the film-3 model" in result.output
