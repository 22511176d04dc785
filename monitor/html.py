"""The report as one self-contained HTML file: no script, no CDN, opens offline.

The figure is embedded as a base64 PNG. Every piece of text that came from a post, a
platform or the config goes through :func:`html.escape`; links are kept only when they are
http(s). A Content-Security-Policy forbids scripts and remote loads as a second fence.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from .errors import MonitorError
from .report import Phase, PostRef, Report

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
blockquote { margin: .4em 0; padding: .4em .8em; background: #f9fafb; white-space: pre-wrap;
             overflow-wrap: anywhere; border-left: 3px solid #d1d5db; }
.pos { border-color: #10b981; } .neg { border-color: #ef4444; }
"""


def write(
    reports: Sequence[Report], out_dir: Path, headlines: Mapping[str, str] | None = None
) -> tuple[Path, Path]:
    """Draw the figure and write ``<slug>.png`` and ``<slug>.html`` into ``out_dir``
    (``<slug>-vs-<slug>…`` when comparing); return both paths. ``headlines`` maps a
    title to the line its section opens with (a surprise on the chart)."""
    from . import plot  # matplotlib is slow to import: only when drawing

    figure = plot.draw(reports[0]) if len(reports) == 1 else plot.draw_compare(reports)
    image = plot.png(figure)
    stem = "-vs-".join(r.title.slug for r in reports)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        png_path, html_path = out_dir / f"{stem}.png", out_dir / f"{stem}.html"
        png_path.write_bytes(image)
        html_path.write_text(render(reports, image, headlines), encoding="utf-8")
    except OSError as exc:
        raise MonitorError(
            f"{out_dir}: cannot write the report ({exc.strerror})",
            hint="choose a folder you can write to",
            param="out",
        ) from None
    return png_path, html_path


def render(
    reports: Sequence[Report], figure_png: bytes, headlines: Mapping[str, str] | None = None
) -> str:
    """One HTML page for one report, or several compared, with ``figure_png`` embedded."""
    names = ", ".join(r.title.name for r in reports)
    image = base64.b64encode(figure_png).decode("ascii")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(names)} · monitor report</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(names)}</h1>",
        f'<img id="figure" alt="{escape(_alt(reports))}" src="data:image/png;base64,{image}">',
    ]
    for report in reports:
        headline = (headlines or {}).get(report.title.name)
        parts += _section(report, heading=len(reports) > 1, headline=headline)
    parts.append('<p class="muted">Written by monitor. Post texts are quoted as posted.</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _alt(reports: Sequence[Report]) -> str:
    return "; ".join(
        f"{r.title.name}: posts per day by platform, mean sentiment and chart rank" for r in reports
    )


def _section(report: Report, *, heading: bool, headline: str | None = None) -> list[str]:
    out = []
    if heading:
        out.append(f"<h2>{escape(report.title.name)}</h2>")
    if headline:  # a surprise on the chart says so first
        out.append(f'<p class="lead">{escape(headline)}</p>')
    out.append(f'<p class="muted">{escape(describe(report))}</p>')
    out.append(f'<p class="lead">{escape(report.lead_lag.sentence)}</p>')
    out.append("<h3>Phases</h3>")
    out.append(_phases_table(report.phases))
    if report.gaps:
        out.append("<h3>Collection gaps</h3><ul>")
        out += [
            f"<li>{g.start:%Y-%m-%d %H:%M} to {g.end:%Y-%m-%d %H:%M} UTC: "
            f"{escape(g.reason)}: counts there are too low, not a drop in interest</li>"
            for g in report.gaps
        ]
        out.append("</ul>")
    out.append("<h3>What people said, phase by phase</h3>")
    for phase in report.phases:
        if not (phase.most_positive or phase.most_negative):
            continue
        out.append(f"<h4>{escape(phase.name)} ({phase.start} to {phase.end})</h4>")
        out.append('<div class="posts"><div><b>Most positive</b>')
        out += [_post(p, "pos") for p in phase.most_positive]
        out.append("</div><div><b>Most negative</b>")
        out += [_post(p, "neg") for p in phase.most_negative]
        out.append("</div></div>")
    return out


def describe(report: Report) -> str:
    """One line: the window, the posts, the chart run."""
    text = f"{report.start} to {report.end}: {report.posts:,} posts"
    if report.platform:
        text += f" on {report.platform}"
    elif report.platforms:
        text += f" ({', '.join(report.platforms)})"
    chart = report.chart
    if chart is None:
        return text + "; no chart entries stored."
    return text + (
        f"; {chart.chart} {chart.region}: entered {chart.entry.start} at #{chart.entry.rank}, "
        f"peaked at #{chart.peak.rank} from {chart.peak.start}, left after {chart.exit.end}."
    )


def _number(value: float | None, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def _phases_table(phases: Sequence[Phase]) -> str:
    head = (
        "<table><tr><th>phase</th><th>from</th><th>to</th><th>days</th><th>posts</th>"
        "<th>posts/day</th><th>mean sentiment</th><th>positive</th><th>negative</th></tr>"
    )
    rows = [
        f"<tr><td>{escape(p.name)}</td><td>{p.start if p.days else '–'}</td>"
        f"<td>{p.end if p.days else '–'}</td><td>{p.days}</td><td>{p.posts:,}</td>"
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
    who = f" · {escape(post.author)}" if post.author else ""
    return (
        f'<blockquote class="{kind}">{escape(post.text)}</blockquote>'
        f'<div class="muted">{where}{who} · {escape(post.created_at)} · '
        f"score {post.score:+.2f}</div>"
    )
