"""Reading a chart file's header and fields, with errors that name the file, line and column."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..bounds import EARLIEST, believable, latest
from ..errors import InputError

#: What SQLite's INTEGER holds.
MAX_WHOLE = 2**63 - 1


def looks_like_html(line: str) -> bool:
    """True for the first line of a web page (a captive portal or an error page)."""
    return line.lstrip("\ufeff \t\r\n").startswith("<")


class Header:
    """The column positions of one file, checked against the columns it must have."""

    def __init__(
        self,
        file: str,
        names: Sequence[str],
        required: Sequence[str],
        optional: Sequence[str] = (),
        *,
        only_known: bool = False,
    ) -> None:
        self.file = file
        self.names = [n.strip().lstrip("\ufeff").lower() for n in names]
        if names and looks_like_html(names[0]):
            raise InputError(
                f"{file}, line 1, column 1: this is an HTML page, not a chart file",
                hint="the server answered with a web page (a login, captive or error page); "
                "check the source URL and try again later",
            )
        known = (*required, *optional)
        for i, name in enumerate(self.names):
            if name and name in self.names[:i]:
                raise InputError(
                    f"{file}, line 1, column {i + 1}: column {name!r} is named twice "
                    f"(also column {self.names.index(name) + 1})",
                    hint="name each column once",
                )
        missing = [n for n in required if n not in self.names]
        if missing:
            found = ", ".join(n for n in self.names if n) or "nothing"
            raise InputError(
                f"{file}, line 1: missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (found: {found[:200]})",
                hint=f"the first line must name the columns: {', '.join(required)}",
            )
        unknown = [i for i, name in enumerate(self.names) if name and name not in known]
        if only_known and unknown:
            raise InputError(
                f"{file}, line 1, column {unknown[0] + 1}: unknown column "
                f"{self.names[unknown[0]][:40]!r}",
                hint=f"the columns are {', '.join(known)}; remove or rename the others",
            )
        self.index = {n: self.names.index(n) for n in (*required, *optional) if n in self.names}
        self.width = max(self.index.values()) + 1

    def error(self, line: int, column: str, problem: str) -> InputError:
        position = self.index.get(column, len(self.names)) + 1
        return InputError(f"{self.file}, line {line}, column {position} ({column}): {problem}")

    def check_width(self, line: int, fields: Sequence[str]) -> None:
        """A row too short to hold every column this file uses is an error."""
        if len(fields) < self.width:
            if fields and looks_like_html(fields[0]):
                raise InputError(f"{self.file}, line {line}, column 1: HTML inside a chart file")
            missing = next(n for n, i in self.index.items() if i >= len(fields))
            raise self.error(line, missing, f"missing: the row has only {len(fields)} fields")

    def get(self, fields: Sequence[str], column: str) -> str | None:
        """The field's text, or None when the file has no such (optional) column."""
        i = self.index.get(column)
        return None if i is None or i >= len(fields) else fields[i].strip()

    def text(self, line: int, fields: Sequence[str], column: str) -> str:
        value = self.get(fields, column)
        if not value:
            raise self.error(line, column, "is empty")
        return value

    def whole(
        self,
        line: int,
        fields: Sequence[str],
        column: str,
        *,
        blank: bool = False,
        maximum: int = MAX_WHOLE,
    ) -> int:
        """A whole number from 0 to ``maximum`` (``1,234`` allowed); with ``blank``, an empty
        field is 0. The default ceiling is what SQLite's integers hold."""
        value = self.get(fields, column) or ""
        if blank and value == "":
            return 0
        digits = value.replace(",", "")
        if not digits.isascii() or not digits.isdigit():
            raise self.error(line, column, f"{value[:40]!r} is not a whole number")
        if len(digits) > 19 or int(digits) > maximum:
            raise self.error(line, column, f"{value[:40]} is too large (at most {maximum:,})")
        return int(digits)

    def optional_whole(self, line: int, fields: Sequence[str], column: str) -> int | None:
        value = self.get(fields, column)
        return None if not value else self.whole(line, fields, column)

    def day(self, line: int, fields: Sequence[str], column: str) -> date:
        value = self.get(fields, column) or ""
        try:
            if len(value) != 10:
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            raise self.error(line, column, f"{value[:40]!r} is not a date YYYY-MM-DD") from None
        if not believable(day):
            raise self.error(
                line, column, f"{value} is outside the charts' range ({EARLIEST} to {latest()})"
            )
        return day
