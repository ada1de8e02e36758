"""Instant ranges over ``scans``: the index-friendly ``hour`` column, made exact by ``ts``.

Callers hand storage half-open spans of epoch seconds (from ``share.clock``).
``scans.hour`` (indexed) narrows the rows to whole UTC hours; when a span
edge falls inside an hour (zones at +5:30 or +5:45) ``ts`` trims the rest,
so a scan belongs to exactly the local days and hours it happened in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, cast, func, literal_column

from .schema import scans

HOUR = 3600
SLOT = 900
_EPOCH = datetime(1970, 1, 1)


def naive(seconds: int) -> datetime:
    """Epoch seconds as the naive-UTC datetime ``ts`` is stored in."""
    return _EPOCH + timedelta(seconds=seconds)


def seconds_of(ts: datetime) -> int:
    """A stored naive-UTC ``ts`` as epoch seconds."""
    return int((ts - _EPOCH).total_seconds() // 1)


def whole_hours(*edges: int) -> bool:
    """Every edge is on a whole UTC hour, so ``scans.hour`` alone selects exactly."""
    return all(edge % HOUR == 0 for edge in edges)


def within(first: int, end: int):
    """The condition "scan happened in ``[first, end)``" (epoch seconds)."""
    hours = and_(scans.c.hour >= first // HOUR, scans.c.hour < -(-end // HOUR))
    if whole_hours(first, end):
        return hours
    return and_(hours, scans.c.ts >= naive(first), scans.c.ts < naive(end))


def slot_expression(dialect_name: str):
    """SQL for the quarter-hour slot of ``scans.ts`` (epoch seconds // 900)."""
    if dialect_name == "postgresql":
        return cast(func.floor(func.extract("epoch", scans.c.ts) / SLOT), Integer)
    return cast(func.strftime("%s", scans.c.ts), Integer).op("/")(literal_column(str(SLOT)))
