"""Config: every bad case names the file, the key and the fix, exits 2, and writes nothing."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from monitor.config import credentials, load_config, parse_config
from monitor.errors import ConfigError


def test_example_config_is_valid_and_tracks_backtrace() -> None:
    example = Path(__file__).parent.parent / "config" / "monitor.example.toml"
    config = load_config(example)
    backtrace = config.title("backtrace")
    assert backtrace.released == date(2018, 12, 14)
    assert "gdb" in backtrace.exclude
    assert config.netflix.countries == ("global", "US")


def test_defaults_and_lookup(config_file: Path) -> None:
    config = load_config(config_file)
    toronto = config.title("the-man-from-toronto")
    assert toronto.chart_title == "The Man from Toronto"
    assert toronto.names == ("The Man from Toronto",)
    assert config.reddit.comments == 20
    assert config.bluesky.service == "https://bsky.social"
    assert config.select(None) == config.titles
    with pytest.raises(ConfigError, match="not a tracked title"):
        config.title("Nope")


BAD = [
    ('[store]\npaht = "x.db"\n', "store.paht: unknown key"),
    ('colour = "red"\n', "colour: unknown key"),
    ("[[titles]]\naliases = []\n", "titles[0].name: is required"),
    ("[[titles]]\nname = 3\n", "titles[0].name: must be a non-empty string"),
    ('[[titles]]\nname = "A"\n[[titles]]\nname = "a"\n', "listed twice"),
    ('[[titles]]\nname = "A"\naliases = "B"\n', "titles[0].aliases: must be a list"),
    ('[[titles]]\nname = "A"\nreleased = "last year"\n', "titles[0].released: must be a date"),
    ('[[titles]]\nname = "A"\nsubreddits = ["r/no spaces"]\n', "is not a subreddit name"),
    ("[reddit]\ncomments = -1\n", "reddit.comments: must be a whole number"),
    ('[reddit]\ncomments = "ten"\n', "reddit.comments: must be a whole number"),
    ('[bluesky]\nservice = "bsky.social"\n', "bluesky.service: must be an http(s) URL"),
    ('[netflix]\ncountries = ["usa"]\n', "is not an ISO-2 code"),
    ('[reddit]\nclient_secret = "hunter2"\n', "reddit.client_secret: unknown key"),
    ("titles = 3\n", "titles: must be an array of tables"),
    ("[store\n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_config_exits_2_naming_file_and_key(
    tmp_path: Path,
    run_cli,
    text: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)
    result = run_cli("--config", str(path), "status")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}")
    assert message in result.output
    assert "Traceback" not in result.output
    assert sorted(os.listdir(tmp_path)) == before  # no database, nothing written


def test_unreadable_and_missing_config(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    missing = run_cli("--config", str(tmp_path / "nope.toml"), "titles")
    assert missing.exit_code == 2
    assert "no such config file" in missing.output and "monitor init" in missing.output
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = run_cli("--config", str(binary), "titles")
    assert result.exit_code == 2 and "Error:" in result.output
    assert not (tmp_path / "monitor.db").exists()


def test_credentials_only_from_environment_and_never_in_repr() -> None:
    creds = credentials({"REDDIT_CLIENT_ID": "id", "REDDIT_CLIENT_SECRET": "s3cret-value"})
    assert creds.reddit and not creds.bluesky
    assert "s3cret-value" not in repr(creds)
    assert creds.secrets() == ("s3cret-value",)


def test_parse_config_accepts_toml_dates() -> None:
    config = parse_config({"titles": [{"name": "Nope", "released": date(2022, 7, 22)}]})
    assert config.titles[0].released == date(2022, 7, 22)
