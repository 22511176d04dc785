"""Titles in any script: distinct names make distinct, readable file names; the figure draws
them or says plainly that it cannot; and user text never reorders the page around it."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Invoke
from report_data import add_post

from monitor import html, plot
from monitor.config import Title, parse_config, slugify
from monitor.errors import ConfigError
from monitor.glyphs import MISSING, NOTE, drawable
from monitor.report import build_report
from monitor.store import Store

PAIRS = [
    ("千と千尋の神隠し", "君の名は"),
    ("🎬", "🍿"),
    ("기생충", "올드보이"),
    ("Мастер и Маргарита", "Сталкер"),
    ("سینما", "فیلم"),
]


def _config(*names: str) -> str:
    return "".join(f'[[titles]]\nname = "{name}"\n' for name in names)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: "-".join(p))
def test_two_different_titles_in_any_script_are_two_titles(pair: tuple[str, str]) -> None:
    config = parse_config(tomllib.loads(_config(*pair)))
    slugs = [t.slug for t in config.titles]
    assert len(set(slugs)) == 2
    for slug in slugs:
        assert slug and "/" not in slug and len(slug.encode()) <= 80
    with pytest.raises(ConfigError, match="listed twice"):
        parse_config(tomllib.loads(_config(pair[0], pair[0].upper() + " ")))


def test_slugs_stay_readable_and_latin_accents_fold() -> None:
    assert slugify("千と千尋の神隠し") == "千と千尋の神隠し"
    assert slugify("Amélie") == slugify("amelie") == "amelie"
    assert slugify("The Man from Toronto") == "the-man-from-toronto"
    assert slugify("🎬").startswith("title-") and slugify("🎬") != slugify("🍿")
    long = slugify("x" * 300)
    assert len(long.encode()) <= 80 and long != slugify("x" * 301)


def test_report_files_of_non_latin_titles_are_distinct(run_cli: Invoke, tmp_path: Path) -> None:
    names = ("千と千尋の神隠し", "君の名は", "🎬", "🍿")
    config = tmp_path / "monitor.toml"
    config.write_text('[store]\npath = "monitor.db"\n' + _config(*names), encoding="utf-8")
    assert run_cli("--config", str(config), "label").exit_code == 0
    with Store(tmp_path / "monitor.db") as store:
        for n, name in enumerate(names):
            add_post(store, n, date(2024, 1, 1 + n), 0.4, title=name)
    for name in names:
        result = run_cli("--config", str(config), "report", name, "--out", "reports")
        assert result.exit_code == 0, result.output
    pages = sorted(p.name for p in (tmp_path / "reports").glob("*.html"))
    assert len(pages) == 4
    assert "千と千尋の神隠し.html" in pages and "君の名は.html" in pages
    compared = run_cli("--config", str(config), "report", *names, "--out", "reports")
    assert compared.exit_code == 0, compared.output


def test_the_figure_draws_cjk_titles_or_says_it_cannot(tmp_path: Path) -> None:
    """Warnings are errors under pytest: a glyph matplotlib cannot draw fails this test."""
    name = "千と千尋の神隠し 🎬"
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title(name)])
        add_post(store, 1, date(2024, 1, 1), 0.4, title=name)
        report = build_report(store, Title(name))
    figure = plot.draw(report)
    texts = [t.get_text() for t in figure.findobj(match=lambda a: hasattr(a, "get_text"))]
    shown, lost = drawable(name)
    assert any(shown in t for t in texts)
    assert (NOTE in texts) == lost and (MISSING in shown) == lost
    assert plot.png(figure).startswith(b"\x89PNG")
    assert plot.png(plot.draw_compare([report, report]))


def test_a_dollar_in_a_name_is_not_mathtext(tmp_path: Path) -> None:
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Ca$h $\\frac{")])
        add_post(store, 1, date(2024, 1, 1), 0.4, title="Ca$h $\\frac{")
        report = build_report(store, Title("Ca$h $\\frac{"))
    assert plot.png(plot.draw(report)).startswith(b"\x89PNG")


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


class _Isolation(HTMLParser):
    """Every text holding a bidi control must sit inside <bdi>, <title>, or an element with
    dir="auto" (which isolates its content)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.loose: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("meta", "img", "br"):
            self.stack.append((tag, tag in ("bdi", "title") or ("dir", "auto") in attrs))
        for key, value in attrs:
            outside = re.sub("\u2068.*?\u2069+", "", value or "")  # the isolated parts
            if key == "alt" and any(c in BIDI for c in outside):
                self.loose.append(outside)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if any(c in BIDI for c in data) and not any(iso for _, iso in self.stack):
            self.loose.append(data)


def test_a_bidi_override_in_user_text_stays_inside_it(tmp_path: Path) -> None:
    name = "Back\u202etrace"
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title(name)])
        add_post(store, 1, date(2024, 1, 1), 0.6, title=name, author="\u202eevil\u2066", text="ok")
        add_post(store, 2, date(2024, 1, 2), -0.6, title=name, author="\u2067x", text="\u202ebad")
        report = build_report(store, Title(name))
    page = html.render([report], b"png")
    assert "<bdi>\u202eevil\u2066</bdi>" in page
    checker = _Isolation()
    checker.feed(page)
    assert checker.loose == []
    title = page.split("<title>")[1].split("</title>")[0]
    assert title.startswith("\u2068Back\u202etrace") and "\u2069 · monitor report" in title
