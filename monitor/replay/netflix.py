"""Netflix's Top 10 files, served and generated locally for the tests, benchmark and demo.

:class:`Top10Files` is a :class:`ReplayServer` handler that serves TSV files with ``ETag``
and ``Last-Modified`` and answers 304 to a matching conditional request, like a CDN.
:func:`global_lines` and :func:`country_lines` write realistic files in the real layouts.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from .server import Request, Response

TSV = "text/tab-separated-values; charset=utf-8"

GLOBAL_HEADER_OLD = (
    "week\tcategory\tweekly_rank\tshow_title\tseason_title\tweekly_hours_viewed\truntime"
    "\tweekly_views\tcumulative_weeks_in_top_10"
)
GLOBAL_HEADER = GLOBAL_HEADER_OLD + "\tis_staggered_launch\tepisode_launch_details"
COUNTRIES_HEADER = (
    "country_name\tcountry_iso2\tweek\tcategory\tweekly_rank\tshow_title\tseason_title"
    "\tcumulative_weeks_in_top_10"
)


class Top10Files:
    """Serve files by name (the last path segment) with validators; 404 for the rest."""

    def __init__(self, files: dict[str, bytes | Path] | None = None) -> None:
        self.files: dict[str, tuple[bytes | Path, str, datetime]] = {}
        for name, content in (files or {}).items():
            self.put(name, content)

    def put(self, name: str, content: bytes | Path, modified: datetime | None = None) -> None:
        """Serve ``content`` as ``name`` from now on, with a new ETag and Last-Modified."""
        data = content.read_bytes() if isinstance(content, Path) else content
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        moment = (modified or datetime.now(UTC)).replace(microsecond=0)
        self.files[name] = (content, etag, moment)

    def __call__(self, request: Request) -> Response:
        name = request.path.rsplit("/", 1)[-1]
        if name not in self.files:
            return Response.text("<html><body>Not found</body></html>", 404, "text/html")
        content, etag, modified = self.files[name]
        headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if _not_modified(request.headers, etag, modified):
            return Response(304, b"", headers, TSV)
        data = content.read_bytes() if isinstance(content, Path) else content
        return Response(200, b"" if request.method == "HEAD" else data, headers, TSV)


def _not_modified(headers: dict[str, str], etag: str, modified: datetime) -> bool:
    if "if-none-match" in headers:  # takes precedence over If-Modified-Since (RFC 9110)
        return etag in [t.strip() for t in headers["if-none-match"].split(",")]
    since = headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since) >= modified
        except (TypeError, ValueError):
            return False
    return False


# --- realistic content ---------------------------------------------------------------------

# fmt: off
FILMS = [
    "Backtrace (2018)", "The Man from Toronto", "Amélie", "Red Notice", "Extraction 2",
    "Leave the World Behind", "Rebel Moon – Part One: A Child of Fire", "Society of the Snow",
    "Damsel", "Lift", "Road House", "The Super Mario Bros. Movie", "Nyad", "Fair Play",
    "Kho Gaye Hum Kahan", "Godzilla Minus One", "Rebel Ridge", "Carry-On", "Hit Man",
]
SHOWS = [
    ("Wednesday", "Wednesday: Season 1"), ("Squid Game", "Squid Game: Season 2"),
    ("La Casa de Papel", "La Casa de Papel: Parte 5"), ("Élite", "Élite: Temporada 8"),
    ("Baby Reindeer", "Baby Reindeer: Limited Series"), ("Bridgerton", "Bridgerton: Season 3"),
    ("The Crown", "The Crown: Season 6"), ("Fool Me Once", "Fool Me Once: Limited Series"),
    ("Avatar: The Last Airbender", "Avatar: The Last Airbender: Season 1"),
    ("3 Body Problem", "3 Body Problem: Season 1"), ("Queen of Tears", "Queen of Tears"),
]
COUNTRIES = [
    ("Argentina", "AR"), ("Australia", "AU"), ("Austria", "AT"), ("Bahamas", "BS"),
    ("Bahrain", "BH"), ("Bangladesh", "BD"), ("Belgium", "BE"), ("Bolivia", "BO"),
    ("Brazil", "BR"), ("Bulgaria", "BG"), ("Canada", "CA"), ("Chile", "CL"),
    ("Colombia", "CO"), ("Costa Rica", "CR"), ("Croatia", "HR"), ("Cyprus", "CY"),
    ("Czech Republic", "CZ"), ("Denmark", "DK"), ("Dominican Republic", "DO"),
    ("Ecuador", "EC"), ("Egypt", "EG"), ("Estonia", "EE"), ("Finland", "FI"), ("France", "FR"),
    ("Germany", "DE"), ("Greece", "GR"), ("Guadeloupe", "GP"), ("Guatemala", "GT"),
    ("Honduras", "HN"), ("Hong Kong", "HK"), ("Hungary", "HU"), ("Iceland", "IS"),
    ("India", "IN"), ("Indonesia", "ID"), ("Ireland", "IE"), ("Israel", "IL"), ("Italy", "IT"),
    ("Jamaica", "JM"), ("Japan", "JP"), ("Jordan", "JO"), ("Kenya", "KE"), ("Kuwait", "KW"),
    ("Latvia", "LV"), ("Lebanon", "LB"), ("Lithuania", "LT"), ("Luxembourg", "LU"),
    ("Malaysia", "MY"), ("Maldives", "MV"), ("Malta", "MT"), ("Martinique", "MQ"),
    ("Mauritius", "MU"), ("Mexico", "MX"), ("Morocco", "MA"), ("Netherlands", "NL"),
    ("New Caledonia", "NC"), ("New Zealand", "NZ"), ("Nicaragua", "NI"), ("Nigeria", "NG"),
    ("Norway", "NO"), ("Oman", "OM"), ("Pakistan", "PK"), ("Panama", "PA"),
    ("Paraguay", "PY"), ("Peru", "PE"), ("Philippines", "PH"), ("Poland", "PL"),
    ("Portugal", "PT"), ("Qatar", "QA"), ("Réunion", "RE"), ("Romania", "RO"),
    ("Saudi Arabia", "SA"), ("Serbia", "RS"), ("Singapore", "SG"), ("Slovakia", "SK"),
    ("Slovenia", "SI"), ("South Africa", "ZA"), ("South Korea", "KR"), ("Spain", "ES"),
    ("Sri Lanka", "LK"), ("Sweden", "SE"), ("Switzerland", "CH"), ("Taiwan", "TW"),
    ("Thailand", "TH"), ("Trinidad and Tobago", "TT"), ("Turkey", "TR"), ("Ukraine", "UA"),
    ("United Arab Emirates", "AE"), ("United Kingdom", "GB"), ("United States", "US"),
    ("Uruguay", "UY"), ("Venezuela", "VE"), ("Vietnam", "VN"),
]
# fmt: on


def sundays(last: date, weeks: int) -> list[date]:
    """``weeks`` Sundays, newest first, ending with the Sunday on or before ``last``."""
    end = last - timedelta(days=(last.weekday() + 1) % 7)
    return [end - timedelta(weeks=i) for i in range(weeks)]


def _entries(rng: random.Random, tv: bool) -> list[tuple[str, str]]:
    if tv:
        return rng.sample(SHOWS, 10)
    return [(film, "N/A") for film in rng.sample(FILMS, 10)]


def global_lines(
    weeks: int, last: date = date(2024, 6, 30), *, old_layout: bool = False, seed: int = 1
) -> Iterator[str]:
    """The lines of ``all-weeks-global.tsv``; ``old_layout`` leaves out the last two columns."""
    rng = random.Random(seed)
    yield GLOBAL_HEADER_OLD if old_layout else GLOBAL_HEADER
    for week in sundays(last, weeks):
        for category in (
            "Films (English)",
            "Films (Non-English)",
            "TV (English)",
            "TV (Non-English)",
        ):
            for rank, (show, season) in enumerate(_entries(rng, category.startswith("TV")), 1):
                runtime = rng.uniform(4.0, 12.0) if season != "N/A" else rng.uniform(1.3, 2.8)
                hours = rng.randrange(1_000_000, 90_000_000) // rank
                fields = [
                    week.isoformat(),
                    category,
                    str(rank),
                    show,
                    season,
                    str(hours),
                    f"{runtime:.4f}",
                    str(int(hours / runtime)),
                    str(rng.randint(1, 12)),
                ]
                if not old_layout:
                    fields += ["False" if rng.random() < 0.95 else "True", ""]
                yield "\t".join(fields)


def country_lines(
    weeks: int,
    last: date = date(2024, 6, 30),
    *,
    countries: Sequence[tuple[str, str]] = COUNTRIES,
    seed: int = 1,
) -> Iterator[str]:
    """The lines of ``all-weeks-countries.tsv``: every country, Films and TV, ranks 1-10."""
    rng = random.Random(seed)
    yield COUNTRIES_HEADER
    for week in sundays(last, weeks):
        day = week.isoformat()
        for name, code in countries:
            for category in ("Films", "TV"):
                for rank, (show, season) in enumerate(_entries(rng, category == "TV"), 1):
                    yield (
                        f"{name}\t{code}\t{day}\t{category}\t{rank}\t{show}\t{season}"
                        f"\t{rng.randint(1, 8)}"
                    )


def write_tsv(path: Path, lines: Iterator[str]) -> int:
    """Write ``lines`` as a TSV file (``\\n`` endings, UTF-8); its size in bytes."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line + "\n")
    return path.stat().st_size


def weeks_for_size(size: int) -> int:
    """About how many weeks of every country make a countries file of ``size`` bytes."""
    sample = sum(len(line.encode()) + 1 for line in country_lines(1)) - len(COUNTRIES_HEADER) - 1
    return max(1, round(size / sample))
