"""Plain text tables that fit an 80-column terminal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:+.2f}" if -1 <= value <= 1 else f"{value:.1f}"
    return str(value)


def format_table(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]], width: int = 80
) -> list[str]:
    """Rows as aligned lines; over-long cells are cut so each line fits ``width``."""
    cells = [[_cell(r.get(key)) for key, _ in columns] for r in rows]
    heads = [head for _, head in columns]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(heads)]
    while sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1

    def line(values: Sequence[str]) -> str:
        parts = []
        for value, w in zip(values, widths, strict=True):
            value = value if len(value) <= w else value[: w - 1] + "…"
            parts.append(
                value.rjust(w) if value[:1].isdigit() or value[:1] in "+-" else value.ljust(w)
            )
        return "  ".join(parts).rstrip()

    return [line(heads), line(["-" * w for w in widths]), *(line(c) for c in cells)]


def echo_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    for text in format_table(rows, columns):
        click.echo(text)
