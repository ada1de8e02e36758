"""Widget popup opens: the denominator of "scans per popup opened".

An open is counted per link and per UTC day, and nothing else is kept: no
cookie, no address, no user agent. The beacon is anonymous by design, so this
module only validates the code and picks the day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum

from sqlalchemy import Engine

from .codes import looks_like_code
from .storage import opens as store


class OpenResult(Enum):
    COUNTED = "counted"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


def utc_day(now: datetime | None = None) -> date:
    """The UTC day an open is filed under; a naive ``now`` is already UTC."""
    now = now or datetime.now(UTC)
    return now.date() if now.tzinfo is None else now.astimezone(UTC).date()


def record_open(engine: Engine, code: str, now: datetime | None = None) -> OpenResult:
    """Count one popup open for ``code``; a disabled link's opens are not counted."""
    if not looks_like_code(code):
        return OpenResult.UNKNOWN
    counted = store.increment(engine, code, utc_day(now))
    if counted is None:
        return OpenResult.UNKNOWN
    return OpenResult.COUNTED if counted else OpenResult.DISABLED


def opens_between(engine: Engine, link_id: int, first: date, last: date) -> int:
    """Popup opens of one link over a range of UTC days, both ends included."""
    return store.total(engine, link_id, first, last)
