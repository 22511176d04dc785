"""The report as one self-contained HTML file: no script, no CDN, opens offline.

The figure is embedded as a base64 PNG. Every piece of text that came from a post, a
platform or the config goes through :func:`html.escape`; links are kept only when they are
http(s). A Content-Security-Policy forbids scripts and remote loads as a second fence.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from .errors import MonitorError
from .files import refuse_inputs, write_bytes, write_text
from .report import Phase, PostRef, Report, describe
from .themes import Theme

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1240px;
       padding: 0 1em; color: #111827; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.6em; }
.muted { color: #6b7280; } img { max-width: 100%; border: 1px solid #e5e7eb; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { padding: .3em .8em; border-bottom: 1px solid #e5e7eb; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.lead { font-size: 1.1em; background: #f3f4f6; padding: .6em 1em; border-left: 4px solid #2563eb; }
.posts { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
bdi, blockquote { unicode-bidi: isolate; }
blockquote { margin: .4em 0; padding: .4em .8em; background: #f9fafb; white-space: pre-wrap;
             overflow-wrap: anywhere; border-left: 3px solid #d1d5db; }
.pos { border-color: #10b981; } .neg { border-color: #ef4444; }
.phase { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); gap: 1.2em; }
.themes ol { margin: .3em 0; padding-left: 1.4em; } .themes li { margin: .35em 0; }
.term { font-weight: 600; } .example { display: block; font-size: .9em; color: #374151;
        overflow-wrap: anywhere; }
.example a { color: inherit; }
@media (max-width: 700px) { .phase, .posts { grid-template-columns: 1fr; }
  table { display: block; overflow-x: auto; } body { margin: 1em auto; } }
"""


def write(
    reports: Sequence[Report], out_dir: Path, inputs: Iterable[Path] = (), *, back: bool = False
) -> tuple[Path, Path]:
    """Draw the figure and write ``<slug>.png`` and ``<slug>.html`` into ``out_dir``
    (``<slug>-vs-<slug>…`` when comparing); return both paths. ``back`` links the page to
    the overview (``index.html``) beside it.

    Each file is written whole or not at all, and never over one of ``inputs``."""
    from . import plot  # matplotlib is slow to import: only when drawing

    figure = plot.draw(reports[0]) if len(reports) == 1 else plot.draw_compare(reports)
    image = plot.png(figure)
    stem = file_stem(r.title.slug for r in reports)
    png_path, html_path = out_dir / f"{stem}.png", out_dir / f"{stem}.html"
    for path in (png_path, html_path):
        refuse_inputs(path, inputs)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MonitorError(
            f"{out_dir}: cannot write the report ({exc.strerror})",
            hint="choose a folder you can write to",
            param="out",
        ) from None
    write_bytes(png_path, image, inputs)
    write_text(html_path, render(reports, image, back=back), inputs)
    return png_path, html_path


def file_stem(slugs: Iterable[str], limit: int = 120) -> str:
    """The slugs joined by ``-vs-``; past ``limit`` bytes (a file name may hold 255) cut
    short and ended by a hash of the whole, so that it stays unique."""
    stem = "-vs-".join(slugs)
    if len(stem.encode()) <= limit:
        return stem
    digest = hashlib.sha1(stem.encode()).hexdigest()[:8]
    cut = stem.encode()[: limit - 9].decode("utf-8", "ignore").rstrip("-")
    return f"{cut}-{digest}"


def render(reports: Sequence[Report], figure_png: bytes, *, back: bool = False) -> str:
    """One HTML page for one report, or several compared, with ``figure_png`` embedded."""
    names = ", ".join(isolate(r.title.name) for r in reports)  # plain text: <title>, alt
    image = base64.b64encode(figure_png).decode("ascii")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(names)} · monitor report</title>",
        f"<style>{STYLE}</style></head><body>",
        *(['<p><a href="index.html">← All titles</a></p>'] if back else []),
        f"<h1>{', '.join(user(r.title.name) for r in reports)}</h1>",
        f'<img id="figure" alt="{escape(_alt(reports))}" src="data:image/png;base64,{image}">',
    ]
    for report in reports:
        parts += _section(report, heading=len(reports) > 1)
    parts.append('<p class="muted">Written by monitor. Post texts are quoted as posted.</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def user(text: str) -> str:
    """Text from a user or a platform, escaped and isolated in ``<bdi>``: a right-to-left
    override in an author's name cannot reorder the text around it."""
    return f"<bdi>{escape(text)}</bdi>"


def isolate(text: str) -> str:
    """The same for plain text (``<title>``, ``alt``): between U+2068 FSI and U+2069 PDI,
    with any isolate it leaves open closed first."""
    if all(unicodedata.bidirectional(c) not in _REORDERING for c in text):
        return text  # left-to-right only: nothing around it can move
    opened = sum(text.count(c) for c in "\u2066\u2067\u2068") - text.count("\u2069")
    return "\u2068" + text + "\u2069" * (max(opened, 0) + 1)  # PDI closes overrides too


#: Bidi classes that can reorder text: right-to-left letters, Arabic digits, the controls.
_REORDERING = frozenset(
    ("R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI")
)


def _alt(reports: Sequence[Report]) -> str:
    return "; ".join(
        f"{isolate(r.title.name)}: posts per day by platform, mean sentiment and chart rank"
        for r in reports
    )


def _section(report: Report, *, heading: bool) -> list[str]:
    out = []
    if heading:
        out.append(f"<h2>{user(report.title.name)}</h2>")
    out.append(f'<p class="muted">{user(describe(report))}</p>')
    out.append(f'<p class="lead">{user(report.lead_lag.sentence)}</p>')
    out.append("<h3>Phases</h3>")
    out.append(_phases_table(report.phases))
    if report.gaps:
        out.append("<h3>Collection gaps</h3><ul>")
        out += [
            f"<li>{g.start:%Y-%m-%d %H:%M} to {g.end:%Y-%m-%d %H:%M} UTC: "
            f"{user(g.reason)}: counts there are too low, not a drop in interest</li>"
            for g in report.gaps
        ]
        out.append("</ul>")
    out.append("<h3>What people said, phase by phase</h3>")
    out.append(
        '<p class="muted">Themes: the words and phrases that set a phase apart from the '
        "others (weighted log-odds, z-score), with how many posts use them; copies of one "
        "text count once.</p>"
    )
    for phase in report.phases:
        if not (phase.most_positive or phase.most_negative or phase.themes):
            continue
        out.append(f"<h4>{escape(phase.name)} ({phase.start} to {phase.end})</h4>")
        out.append('<div class="phase">')
        out.append(_themes(phase.themes, phase.name))
        out.append('<div class="posts"><div><b>Most positive</b>')
        out += [_post(p, "pos") for p in phase.most_positive]
        out.append("</div><div><b>Most negative</b>")
        out += [_post(p, "neg") for p in phase.most_negative]
        out.append("</div></div></div>")
    if report.window_themes:
        out.append(f"<h3>Themes of {report.start} to {report.end} against the other days</h3>")
        out.append(_themes(report.window_themes, "this window"))
    if report.floods:
        out.append(
            '<p class="muted" id="floods">Flagged: '
            + "; ".join(
                f"{escape(f.author)} posted {f.posts} copies of one text within "
                f"{f.first[:16].replace('T', ' ')} to {f.last[:16].replace('T', ' ')} UTC "
                f"(“{escape(_clip(f.text, 80))}”)"
                for f in report.floods
            )
            + ". Their copies count once in the distinct texts, the sentiment and the themes.</p>"
        )
    return out


def _clip(text: str, size: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _themes(found: Sequence[Theme], name: str) -> str:
    if not found:
        return (
            '<div class="themes"><b>Themes</b>'
            f'<p class="muted">nothing stands out in {escape(name)}</p></div>'
        )
    items = []
    for t in found:
        url = t.example.url or ""
        quote = escape(_clip(t.example.text, 140))
        if url.startswith(("https://", "http://")):
            quote = f'<a href="{escape(url)}" rel="nofollow noreferrer">{quote}</a>'
        items.append(
            f'<li><span class="term">{escape(t.term)}</span> '
            f'<span class="muted">z {t.z:.1f} · {t.count:,} posts · {t.share:.0%}</span>'
            f'<span class="example">“{quote}” ({escape(t.example.platform)})</span></li>'
        )
    return f'<div class="themes"><b>Themes</b><ol>{"".join(items)}</ol></div>'


def _number(value: float | None, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def _phases_table(phases: Sequence[Phase]) -> str:
    head = (
        "<table><tr><th>phase</th><th>from</th><th>to</th><th>days</th><th>posts</th>"
        "<th>distinct texts</th><th>posts/day</th><th>mean sentiment</th><th>positive</th>"
        "<th>negative</th></tr>"
    )
    rows = [
        f"<tr><td>{escape(p.name)}</td><td>{p.start if p.days else '–'}</td>"
        f"<td>{p.end if p.days else '–'}</td><td>{p.days}</td><td>{p.posts:,}</td>"
        f"<td>{p.texts:,}</td>"
        f"<td>{_number(p.posts_per_day, '.1f')}</td>"
        f"<td>{_number(p.mean_sentiment, '+.2f')}</td>"
        f"<td>{_number(p.share_positive, '.0%')}</td>"
        f"<td>{_number(p.share_negative, '.0%')}</td></tr>"
        for p in phases
    ]
    return head + "".join(rows) + "</table>"


def _post(post: PostRef, kind: str) -> str:
    url = post.url or ""
    where = escape(post.platform)
    if url.startswith(("https://", "http://")):
        where = f'<a href="{escape(url)}" rel="nofollow noreferrer">{where}</a>'
    who = f" · {user(post.author)}" if post.author else ""
    return (
        f'<blockquote class="{kind}" dir="auto">{escape(post.text)}</blockquote>'
        f'<div class="muted">{where}{who} · {user(post.created_at)} · '
        f"score {post.score:+.2f}</div>"
    )
