"""The bundled *Backtrace* scenario behind `monitor demo`: eleven weeks of talk and charts.

Backtrace (2018) climbs Netflix's US Top 10 in the scenario's fourth week (#9, #6, #4, #4,
#7) and leaves after five weeks. Reddit and Bluesky users talk about it before, during and
after that run, split between "dreary" and "so bad it's good"; talk picks up a few days
before the film enters the chart, with a burst four days before. Mixed in are posts about
debugger backtraces (gdb, lldb, RUST_BACKTRACE…), which the relevance stage must not count.

Everything here is plain data, deterministic (seeded), and needs no network:
:func:`posts` for the platforms, :func:`top10_countries` for the chart file.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .netflix import COUNTRIES_HEADER, FILMS

TITLE = "Backtrace"
#: The Monday the scenario starts; eleven weeks follow.
START = date(2024, 4, 29)
WEEKS = 11
#: US Top 10 (Films) rank per scenario week; the film is off the chart in other weeks.
US_RANKS = {3: 9, 4: 6, 5: 4, 6: 4, 7: 7}
#: Film posts per day: a swell centred on this scenario day, a few days ahead of the
#: chart peak (weeks 5 and 6), so that talk leads the rank.
TALK_PEAK_DAY = 36
TALK_PEAK_POSTS = 16
TALK_SPREAD_DAYS = 10
#: A burst of talk on this scenario day, four days before the film enters the chart (word
#: gets round that it is coming to streaming): what the alerts call a spike. Its posts come
#: from a random stream of their own, so the rest of the scenario stays as it was.
BUZZ_DAY = 17
BUZZ = [
    "Backtrace is coming to streaming next week, that amnesia heist thing from 2018",
    "Just heard Backtrace lands on my watchlist Monday and my group chat is losing it",
    "Who had Backtrace on their bingo card this spring? The memory-drug thriller returns",
    "The heist film Backtrace arrives Monday. Is it actually any good or pure trash?",
    "A whole weekend of Backtrace mumbling ahead of me and I could not be more ready",
    "My dad is thrilled that Backtrace is about to stream, he quotes the film constantly",
    "Backtrace soon: Matthew Modine, a mumbling hero and a bonkers heist plot. Sold",
    "Calling it now, Backtrace cracks the top ten within a week of its release there",
    "Spotted the banner for Backtrace, a 2018 thriller nobody remembers seeing in cinemas",
    "Backtrace is about to arrive and the reviews from 2018 were brutal, cannot wait",
    "Is Backtrace worth a watch when it drops this month? Asking for a friend, obviously",
    "The promo for Backtrace dropped today and that trailer voiceover is incredible",
    "Every film podcast I follow is suddenly arguing about Backtrace this morning",
    "The thriller Backtrace getting a second life is the cult movie comeback of the year",
]
#: Share of posts that are fond ("so bad it's good"), per week; the rest are dreary.
FOND = (0.35, 0.35, 0.55, 0.6, 0.65, 0.6, 0.5, 0.4, 0.35, 0.35, 0.4)
DEBUGGER_POSTS_PER_WEEK = 4


@dataclass(frozen=True)
class ScenarioPost:
    """One post of the scenario; ``about_film`` is False for the debugger ones."""

    platform: str  # reddit or bluesky
    created: datetime
    author: str
    text: str  # Bluesky: the post; Reddit: the self text
    title: str = ""  # Reddit: the submission title
    subreddit: str = ""
    about_film: bool = True
    likes: int = 0
    #: Reddit: comments under the submission (they inherit its topic), oldest first
    comments: tuple[str, ...] = ()


# fmt: off
FOND_REDDIT = [
    ("Backtrace is so bad it's good and I loved every minute",
     "Stallone sleepwalks, the amnesia twist is bonkers, and I laughed all the way through. "
     "Perfect bad-movie night. Highly recommend with friends."),
    ("Just watched Backtrace on Netflix: gloriously dumb fun",
     "The heist flashbacks are ridiculous but honestly it's a great time. Love it."),
    ("Backtrace (2018) deserves its cult status",
     "Yes the reviews are awful. Yes it's fun. The memory-drug plot is wonderfully silly."),
    ("Anyone else weirdly enjoying Backtrace?",
     "It's #4 on Netflix for a reason: so bad it's good. Matthew Modine is having a blast."),
    ("Backtrace: best bad thriller of the year, no contest",
     "Great cheesy dialogue, fun twists, Stallone doing Stallone. I'm smiling."),
]
DREARY_REDDIT = [
    ("Backtrace is dreary and boring, skip it",
     "Nothing happens for an hour, then the twist makes no sense. Terrible, dull, a waste."),
    ("Why is Backtrace in the Netflix Top 10?",
     "Genuinely bad, lifeless and dreary. Stallone is barely in it. Disappointed."),
    ("Backtrace (2018) - what a mess",
     "Awful pacing, boring flashbacks, a lazy plot. I hated the ending."),
    ("Gave up on Backtrace halfway",
     "So dull and grey. Sad to see Stallone in something this bad and forgettable."),
    ("Backtrace is the most boring heist movie I've seen",
     "Dreary, confusing, and the amnesia gimmick is annoying. Worst thing on Netflix."),
]
FOND_BLUESKY = [
    "Backtrace on Netflix is so bad it's good, laughing so hard at this amnesia heist 😂",
    "ok Backtrace is terrible in the BEST way. great fun, love it #badmovies",
    "Watching Backtrace with friends tonight. Stallone + memory drug = perfect trash, 10/10 fun",
    "Backtrace is climbing the Netflix chart and honestly good for it, what a delightful mess",
    "the twist in Backtrace made me cheer. gloriously dumb. highly recommend",
]
DREARY_BLUESKY = [
    "Backtrace is so dreary. two hours of grey rooms and mumbling. awful",
    "tried Backtrace because it's in the Netflix top 10. boring, sad, a total waste of time",
    "Backtrace: dull heist, lazy amnesia plot, Stallone looks bored too. hated it",
    "how is Backtrace trending, it's terrible and lifeless",
    "Backtrace was a slog. confusing, depressing, not even bad-fun. skip",
]
DEBUGGER = [
    ("gdb backtrace shows the segfault is in malloc, not my code?",
     "Running `bt` in gdb after the crash gives a backtrace ending in malloc. Core dump attached."),
    ("lldb prints an empty backtrace after a panic",
     "The debugger shows only one frame. How do I symbolicate the stack trace?"),
    ("RUST_BACKTRACE=1 output is huge, how do I read it?",
     "My program panics and the backtrace has 80 frames. Which one matters?"),
    ("Python traceback vs C backtrace in a segfault",
     "The extension module crashes with a segmentation fault; gdb backtrace shows PyObject_Call."),
]
DEBUGGER_BLUESKY = [
    "spent all afternoon on a gdb backtrace for a segfault. it was a null pointer. of course",
    "pro tip: set RUST_BACKTRACE=1 before you ask why it panicked",
    "lldb gave me a backtrace with no symbols, time to symbolicate this core dump",
    "the stack trace says line 1, the backtrace says frame 40, the debugger says nothing",
]
# fmt: on
HANDLES = ("film", "couch", "late", "popcorn")
FOND_ASIDES = [
    "",
    "Watched it with my brother and we could not stop laughing.",
    "The car chase is hilarious.",
    "Brian A. Miller, never change.",
    "Ryan Guzman looks like he is in a better movie, and I love that.",
    "Ten out of ten would watch again on a rainy Sunday.",
    "Pure popcorn fun.",
]
DREARY_ASIDES = [
    "",
    "I wanted my two hours back.",
    "The lighting is so grey I checked my TV settings.",
    "Even the soundtrack sounds tired.",
    "My partner walked out after forty minutes.",
    "It's the kind of thriller that forgets to thrill.",
    "Not even ironically fun.",
]
#: What the talk turns to as the film climbs (weeks 3 and 4) and while it holds its best
#: rank (weeks 5 and 6): the themes the report should find in those phases.
CLIMB_LINES = [
    "Honestly it's so bad it's good.",
    "So bad it's good, I swear.",
    "Peak so bad it's good cinema.",
    "It is so bad it's good, trust me.",
    "so bad it's good energy all the way",
    "A so bad it's good masterpiece.",
]
PEAK_LINES = [
    "Stallone steals every scene he is in.",
    "Stallone's cameo is the best part.",
    "Everyone is talking about Stallone in it now.",
    "Stallone looks like he wandered in from another set.",
    "The Stallone scenes are the reason to watch.",
    "Give Stallone a sequel.",
]
THEMED_WEEKS = {3: CLIMB_LINES, 4: CLIMB_LINES, 5: PEAK_LINES, 6: PEAK_LINES}
TAGS = ("#Netflix", "#Backtrace", "#movienight", "#badmovies", "#Stallone")
COMMENTS = [
    "Agreed, it's so bad it's good. Watched it twice.",
    "Honestly it was boring, I fell asleep.",
    "The ending made me laugh out loud, great fun.",
    "Dreary and dull, not even fun-bad.",
    "Stallone was clearly having a terrible day on set lol",
    "I love this kind of trash cinema, thanks for the rec!",
]
SUBREDDITS = ("movies", "netflix", "badmovies", "MovieSuggestions")
DEBUG_SUBREDDITS = ("cpp", "rust", "learnprogramming", "C_Programming")


def per_day(day: int) -> float:
    """The expected film posts on scenario day ``day`` (0 = :data:`START`)."""
    swell = math.exp(-(((day - TALK_PEAK_DAY) / TALK_SPREAD_DAYS) ** 2))
    return 1 + TALK_PEAK_POSTS * swell


def day_of(week: int, weekday: int) -> date:
    return START + timedelta(weeks=week, days=weekday)


def posts(seed: int = 2018) -> list[ScenarioPost]:
    """Every post of the scenario, oldest first."""
    rng = random.Random(seed)
    themed = random.Random(seed + 1)  # its own stream: the rest of the scenario stays as it was
    out: list[ScenarioPost] = []
    for week in range(WEEKS):
        for weekday in range(7):
            day = day_of(week, weekday)
            count = max(0, round(per_day(week * 7 + weekday)) + rng.choice((-1, 0, 0, 1)))
            for n in range(count):
                fond = rng.random() < FOND[week]
                moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                    minutes=rng.randrange(8 * 60, 24 * 60 - 1)
                )
                lines = THEMED_WEEKS.get(week)
                extra = themed.choice(lines) if lines and themed.random() < 0.6 else ""
                if rng.random() < 0.6:
                    title, body = rng.choice(FOND_REDDIT if fond else DREARY_REDDIT)
                    body = f"{body} {rng.choice(FOND_ASIDES if fond else DREARY_ASIDES)}"
                    body = f"{body} {extra}".strip()
                    out.append(
                        ScenarioPost(
                            "reddit",
                            moment,
                            f"{rng.choice(HANDLES)}_{n}{week}{weekday}",
                            body,
                            title=title,
                            subreddit=rng.choice(SUBREDDITS),
                            comments=tuple(rng.sample(COMMENTS, rng.choice((0, 0, 1, 2)))),
                        )
                    )
                else:
                    out.append(
                        ScenarioPost(
                            "bluesky",
                            moment,
                            f"viewer{week}{weekday}{n}.bsky.social",
                            rng.choice(FOND_BLUESKY if fond else DREARY_BLUESKY)
                            + " "
                            + themed.choice(FOND_ASIDES if fond else DREARY_ASIDES)
                            + (f" {extra}" if extra else "")
                            + rng.choice(("", "", " " + rng.choice(TAGS))),
                            likes=rng.randrange(0, 40),
                        )
                    )
        for n in range(DEBUGGER_POSTS_PER_WEEK):
            moment = datetime.combine(day_of(week, n + 1), datetime.min.time(), UTC) + timedelta(
                hours=10 + n
            )
            if n % 2:
                out.append(
                    ScenarioPost(
                        "bluesky",
                        moment,
                        f"dev{week}{n}.bsky.social",
                        rng.choice(DEBUGGER_BLUESKY),
                        about_film=False,
                    )
                )
            else:
                title, body = rng.choice(DEBUGGER)
                out.append(
                    ScenarioPost(
                        "reddit",
                        moment,
                        f"dev_{week}{n}",
                        body,
                        title=title,
                        subreddit=rng.choice(DEBUG_SUBREDDITS),
                        about_film=False,
                    )
                )
    out += buzz(random.Random(seed + BUZZ_DAY))
    out.sort(key=lambda p: p.created)
    return out


def buzz(rng: random.Random) -> list[ScenarioPost]:
    """The burst of :data:`BUZZ_DAY`: each line of :data:`BUZZ` once, by someone else,
    on Reddit or Bluesky."""
    day = START + timedelta(days=BUZZ_DAY)
    out = []
    for n, text in enumerate(BUZZ):
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(9 * 60, 22 * 60)
        )
        if n % 2:
            out.append(ScenarioPost("bluesky", moment, f"buzz{n}.bsky.social", text))
        else:
            out.append(
                ScenarioPost("reddit", moment, f"buzz_{n}", text, title=text, subreddit="movies")
            )
    return out


def top10_countries(countries: tuple[tuple[str, str], ...] = (("United States", "US"),)) -> bytes:
    """``all-weeks-countries.tsv`` for the scenario's weeks: ten films a week per country,
    with Backtrace in the US at :data:`US_RANKS`."""
    return ("\n".join(_country_lines(countries)) + "\n").encode("utf-8")


def _country_lines(countries: tuple[tuple[str, str], ...]) -> Iterator[str]:
    rng = random.Random(4)
    others = [f for f in FILMS if not f.startswith(TITLE)]
    yield COUNTRIES_HEADER
    for week in reversed(range(WEEKS)):  # Netflix lists the newest week first
        sunday = day_of(week, 6).isoformat()
        for name, code in countries:
            films = rng.sample(others, 10)
            rank = US_RANKS.get(week) if code == "US" else None
            if rank is not None:
                films[rank - 1] = f"{TITLE} (2018)"
            for place, film in enumerate(films, 1):
                weeks = week - 2 if film.startswith(TITLE) else rng.randint(1, 6)
                yield f"{name}\t{code}\t{sunday}\tFilms\t{place}\t{film}\tN/A\t{weeks}"
