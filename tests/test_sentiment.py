"""Sentiment: the film layer reads film talk the right way; the shipped weights are plain data."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from monitor import sentiment
from monitor.errors import ConfigError

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sentiment"
FILM = sentiment.analyzer("film")
VADER = sentiment.analyzer("vader")


def test_default_model_is_the_versioned_film_model() -> None:
    assert sentiment.analyzer() is FILM
    assert FILM.model == sentiment.FILM3 == sentiment.DEFAULT_MODEL == "film-3"
    assert VADER.model == sentiment.VADER
    assert sentiment.analyzer(sentiment.VADER) is VADER


def test_film_2_stays_loadable_by_name() -> None:
    """Stored film-2 labels keep their model: it can still be run and compared."""
    film2 = sentiment.analyzer("film-2")
    assert film2.model == sentiment.FILM == "film-2" and film2 is not FILM
    assert film2.score("what a tedious, forgettable mess").label == "negative"


def test_unknown_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown sentiment model"):
        sentiment.analyzer("bert")


def test_masked_title_carries_no_sentiment() -> None:
    text = "Killer is a fantastic film"
    assert VADER.score(text).label == "negative"  # what the mask is for
    assert FILM.score(text, ["Killer"]).label == "positive"
    bad_times = "Bad Times at the El Royale is a great ride"
    assert FILM.score(bad_times, ["Bad Times at the El Royale"]).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Backtrace is so bad it's good",
        "so bad it is good, honestly",
        "my guilty pleasure movie of the year",
        "cheesy fun, exactly what I wanted on a Friday",
        "not the worst thing Stallone has done",
        "the robber kills everyone in the first ten minutes and it's amazing",
    ],
)
def test_film_idioms_and_plot_words_read_positive(text: str) -> None:
    assert FILM.score(text, ["Backtrace"]).label == "positive", FILM.score(text)


@pytest.mark.parametrize(
    "text",
    ["what a tedious, forgettable mess", "a total waste of time", "the plot falls flat"],
)
def test_review_words_read_negative(text: str) -> None:
    assert FILM.score(text).label == "negative"


def test_scores_are_bounded_and_empty_text_is_neutral() -> None:
    assert FILM.score("").label == "neutral"
    for text in ("LOVE LOVE LOVE it!!! 😍😍", "worst, worst, worst movie ever!!!", "x" * 10_000):
        s = FILM.score(text)
        assert -1.0 <= s.compound <= 1.0 and not math.isnan(s.compound)


def test_weights_are_plain_json_in_the_package() -> None:
    weights = sentiment.load_data("film_weights.json")
    assert weights["model"] == sentiment.FILM
    assert all(isinstance(v, float) for v in weights["words"].values())


needs_data = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"shared sentiment data not found at {DATA} (it sits beside the checkout)",
)


@needs_data
def test_film_model_beats_vader_on_movie_review_snippets() -> None:
    from tools.fit_sentiment import pearson, read_tsv

    rows = read_tsv(DATA / "movie_reviews_dev.tsv")
    truth = [r for r, _ in rows]
    film = pearson([FILM.score(t).compound for _, t in rows], truth)
    vader = pearson([VADER.score(t).compound for _, t in rows], truth)
    assert film > vader + 0.1


def test_film_layer_runs_vaders_own_scoring() -> None:
    """The film model's faster loop gives plain VADER's scores when given plain VADER's lexicon."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from monitor.sentiment import _Vader

    plain, fast = SentimentIntensityAnalyzer(), _Vader()
    texts = [
        "VADER is smart, handsome, and funny!",
        "The movie was kind of good but the ending was NOT GREAT at all :(",
        "I don't really hate it, it's not the worst 😂 but meh",
        "no good, no fun, least convincing cast ever!!!",
        "",
        "😍🔥 10/10",
        "never so good, never this bad, without doubt great",
        "it isn't great and I ain't happy, nor is she ever glad",
        "not bad. NOT GOOD either. Never so this good",
    ]
    for text in texts:
        assert fast.valences(text)[0] == plain.polarity_scores(text), text


def test_fast_loop_matches_vader_on_real_posts_with_emoji_and_buts() -> None:
    """Real sentences, joined into long posts, with emoji and "but"s planted: VADER's scores."""
    import random

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from monitor.sentiment import _Vader

    plain, fast = SentimentIntensityAnalyzer(), _Vader()
    rng = random.Random(4)
    from tools.fit_sentiment import read_tsv

    lines = [t for _, t in read_tsv(DATA / "tweets.tsv")]
    planted = ["😂", "🔥", "😍", "😡", ":(", "<3", "but", "BUT", "But", "💀", "❤️", "👍🏽"]
    texts = []
    for _ in range(400):
        words = " ".join(rng.choices(lines, k=rng.randint(1, 12))).split(" ")
        for _ in range(rng.randint(0, 6)):
            at = rng.randint(0, len(words))
            glue = rng.choice(["", " "])
            words.insert(at, glue + rng.choice(planted) + glue)
        texts.append(" ".join(words))
    for text in texts:
        assert fast.valences(text)[0] == plain.polarity_scores(text), text


def test_shipped_weights_meet_the_cross_validated_targets() -> None:
    """The figures the fit recorded: movie-review and tweet targets, cross-validated."""
    cv = sentiment.load_data("film_weights.json")["cv"]
    assert cv["r"] >= 0.65 and cv["macro_f1"] >= 0.50
    assert cv["tweets_r"] >= 0.872  # plain VADER on tweets.tsv


def test_the_gate_tells_posts_from_review_prose() -> None:
    from monitor.sentiment import _gate

    weights = sentiment.load_data("film_weights.json")["gate"]
    gate = (weights["bias"], *(weights["weights"][k] for k in sentiment.SURFACE))

    def g(text: str) -> float:
        _, words = FILM.features(text)
        return _gate(gate, FILM.surface(text, words))

    assert g("@dana lol just watched it and i'm still crying 😭") > 0.9
    assert g("omg this movie!! #Backtrace") > 0.9
    prose = "The film's second half is a tedious slog, though the photography is handsome."
    assert g(prose) < 0.5


def test_social_posts_keep_vaders_direction() -> None:
    for text in ("@dana this is the best thing I've seen all year 😍", "ugh I hate this show"):
        assert FILM.score(text).label == VADER.score(text).label, text


# --- film-3: the 3-class head -----------------------------------------------------------

FILM2 = sentiment.analyzer("film-2")


@pytest.mark.parametrize(
    "text",
    [
        "watching it tonight with the kids",
        "anyone know where to stream it?",
        "trailer is up https://youtu.be/abc123",
        "is it on Netflix in Canada yet?",
    ],
)
def test_posts_with_no_opinion_stay_neutral(text: str) -> None:
    assert FILM.score(text).label == "neutral", FILM.score(text)


def test_the_head_labels_and_the_compound_agree() -> None:
    """``label(compound)`` is the head's label; the compound is the blend a × c₂ + h of
    film-2's compound and the head's regression, moved only when the head's label disagrees
    with it, and then just across the band's edge."""
    text = "watching it tonight with the kids"
    assert FILM2.score(text).label == "positive"  # film-2 leaves the neutral band
    s = FILM.score(text)
    assert s.label == "neutral" and abs(s.compound) < sentiment.NEUTRAL_BAND
    strong = "what a gorgeous, gripping film"
    e = FILM.explain(strong)
    assert 0 < e.blend < 1 and e.rating > 0  # the regression reads it as positive too
    assert FILM.score(strong).compound == round(e.blend * e.c2 + e.rating, 4) > 0.3
    texts = [
        "I don't really hate it, it's not the worst 😂 but meh",
        "the ending was NOT GREAT at all :(",
        "anyone else think season 2 dragged?",
        "a tedious, forgettable mess with one great scene",
        "lol my cat watched the whole thing with me",
        "It is what it is.",
    ]
    for t in texts:
        assert FILM.score(t).label == FILM.explain(t).label, t


def test_in_review_prose_the_blend_sets_the_side() -> None:
    """Review prose (gate below 0.5): the neutral logit still decides neutral, but the
    regression's blend, not the class logits, says positive or negative; in a social post
    the logits do. The explanation says which."""
    from monitor.explain import describe
    from monitor.film3 import decide

    leaning_positive = [0.2, -1.0, 0.9]  # logits: negative, neutral, positive
    assert decide(leaning_positive, -0.3, g=0.1) == "negative"  # prose: the blend's sign
    assert decide(leaning_positive, -0.3, g=0.9) == "positive"  # a post: the logits
    assert decide([0.2, 1.5, 0.9], -0.3, g=0.1) == "neutral"
    for text, expected in [
        ("The photography is handsome, but the film is a tedious slog.", "negative"),
        ("The director has made a film of rare tenderness.", "positive"),
        ("It wants to be a thriller, but it is mostly a lecture.", "negative"),
    ]:
        e = FILM.explain(text)
        assert e.gate < 0.5 and e.label == expected == FILM.score(text).label, text
        assert (e.blend * e.c2 + e.rating > 0) == (expected == "positive")
        assert "review prose: the blend's sign sets the side" in describe(e)


def test_head_is_plain_json_in_the_package() -> None:
    head = sentiment.load_data("film_3.json")
    assert head["model"] == sentiment.FILM3 and head["classes"] == [
        "negative",
        "neutral",
        "positive",
    ]
    assert head["outputs"] == ["negative", "neutral", "positive", "rating"]
    assert 0.0 < head["blend"] <= 1.0
    shipped = Path(sentiment.__file__).parent / "data" / "film_3.json"
    assert shipped.stat().st_size < 3_000_000  # modest: it ships in the wheel
    assert all(len(w) == 4 for w in head["words"].values())
    assert {"goemotions", "tweets.tsv", "movie_reviews_dev.tsv"} <= set(head["cv"])


def test_explain_names_each_film_layer_change() -> None:
    from monitor.explain import describe
    from monitor.film3 import Film3Analyzer

    assert isinstance(FILM, Film3Analyzer)
    e = FILM.explain("Killer is a gripping film", ["Killer"])
    assert e.titles == ["Killer"] and e.review_words == ["gripping"]
    assert e.vader < 0 < e.film_layer  # VADER read the title as an opinion
    assert (e.compound, e.label) == (
        FILM.score("Killer is a gripping film", ["Killer"]).compound,
        "positive",
    )
    idiom = FILM.explain("Backtrace is so bad it's good")
    assert idiom.idioms == ["so bad it's good"] and idiom.label == "positive"
    plot = FILM.explain("the robber kills everyone in the first ten minutes")
    assert plot.neutralised == ["kills", "robber"]
    line = describe(plot)
    assert "neutralised plot word 'kills'" in line and line.endswith(
        f"final {plot.compound:+.4f} {plot.label}"
    )
    assert sum(plot.probabilities.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "names",
    [
        ("Backtrace",),
        ("The Office", "Office"),
        ("Us",),
        ("Don't Look Up",),
        ("You", "YOU season 4"),
    ],
)
def test_title_masking_begun_at_the_first_name_masks_what_the_whole_pattern_does(
    names: tuple[str, ...],
) -> None:
    from monitor.film_text import TITLE_TOKEN, mask_titles, title_mask

    texts = [
        "aBacktrace #Backtrace C#Backtrace backtrace's Backtrace’s ##Backtrace _Backtrace",
        "xThe Office the  office #office The\nOffice's officer",
        "us US Us's #us bus Us! (Us) 'us' you YOU you're #You",
        "Don’t look up! dont look up Don't  Look\nUp #don'tlookup",
        "nothing to mask here",
        "",
    ]
    for text in texts:
        assert mask_titles(text, names) == title_mask(names).sub(TITLE_TOKEN, text), text  # type: ignore[union-attr]


def test_idioms_fold_as_one_alternation_of_them_would() -> None:
    """Each candidate idiom is searched on its own; the text comes out as one regex of all
    of them (leftmost match first, the longer idiom on a tie) would make it."""
    import random

    from monitor.film_text import _whole
    from monitor.sentiment import FilmAnalyzer

    film = FilmAnalyzer()
    idioms = film._idiom_words
    phrases = sorted(sentiment.load_data("film_lexicon.json")["idioms"], key=len, reverse=True)
    rng = random.Random(1)
    joins = [" ", "  ", ", ", "! ", " so ", " it's ", "-", "", "\n", " not ", "x"]
    folded = 0
    for _ in range(2000):
        parts = []
        for _ in range(rng.randint(1, 5)):
            phrase = rng.choice(phrases)
            phrase = phrase.upper() if rng.random() < 0.3 else phrase
            phrase = phrase.replace("'", "’") if rng.random() < 0.3 else phrase
            parts += [phrase[rng.randint(0, len(phrase) // 2) :], rng.choice(joins)]
        text = "".join(parts)
        found = idioms.candidates(text.lower())
        if not found:
            continue
        every = _whole("|".join(idioms._bare[i].pattern for i in found))
        expected = every.sub(lambda m: film._fold_idiom(m.group(0)), text)
        assert idioms.fold(text, found, film._fold_idiom) == expected, text
        folded += expected != text
    assert folded > 500  # the texts did hold idioms


def test_words_only_on_bytes_is_the_translation_table() -> None:
    import random
    import string

    from monitor.film_text import _WORDS_ONLY, words_only

    rng = random.Random(0)
    alphabet = string.printable + "’‘“”…—éüß😂🔥\ud800漢字"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert words_only(text) == text.translate(_WORDS_ONLY), repr(text)
