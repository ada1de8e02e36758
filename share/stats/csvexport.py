"""CSV that spreadsheets open safely: no cell is ever run as a formula.

User agents and referrers are written by whoever scanned, so a cell such as
``=HYPERLINK(…)`` would execute in Excel or LibreOffice. Following OWASP's
advice, a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading apostrophe; plain numbers (ints, floats) stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str | int | float:
    """A cell value safe for spreadsheets; numbers pass through unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text


def rows_to_csv(rows: Iterable[Iterable]) -> Iterator[str]:
    """Encode rows as CSV text chunks (one per row) for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
