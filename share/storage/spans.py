"""Instant ranges over ``scans``: the index-friendly ``hour`` column, made exact by ``ts``.

Callers hand storage half-open spans of epoch seconds (from ``share.clock``).
``scans.hour`` (indexed) narrows the rows to whole UTC hours; when a span
edge falls inside an hour (zones at +5:30 or +5:45) ``ts`` trims the rest,
so a scan belongs to exactly the local days and hours it happened in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Date, Integer, and_, case, cast, func, literal, literal_column

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
    """SQL for the quarter-hour slot of a scan (epoch seconds // 900).

    ``hour * 4`` plus the quarter of the hour read from ``ts``'s minutes: far
    cheaper per row than turning ``ts`` into epoch seconds, which matters
    when a rebuild groups millions of rows. (``hour`` is ``ts``'s epoch hour by
    construction; every UTC hour has four whole quarters.)
    """
    if dialect_name == "postgresql":
        minute = cast(func.extract("minute", scans.c.ts), Integer)
    else:  # stored as 'YYYY-MM-DD HH:MM:SS…'
        minute = cast(func.substr(scans.c.ts, 15, 2), Integer)
    return scans.c.hour * 4 + minute.op("/")(literal_column("15"))


def local_day_of_slot(dialect_name: str, slot, offset: int):
    """SQL for the local day of quarter-hour ``slot`` in a zone ``offset`` seconds from UTC."""
    seconds = cast(slot, BigInteger) * SLOT + offset  # past 2038 in 32 bits
    if dialect_name == "postgresql":
        days = cast(func.floor(seconds / 86400.0), Integer)
        return cast(literal("1970-01-01"), Date).op("+", return_type=Date)(days)
    return func.date(seconds, "unixepoch", type_=Date)


def local_day_of_runs(dialect_name: str, slot, runs: list[tuple[int, int, int]]):
    """SQL for the local day of ``slot`` given a zone's ``(first, end, offset)`` runs of slots.

    A zone without daylight saving has one run; a DST zone two a year, so the
    ``CASE`` stays short however many rows it is applied to.
    """
    day = local_day_of_slot(dialect_name, slot, runs[-1][2])
    if len(runs) == 1:
        return day
    return case(
        *((slot < end, local_day_of_slot(dialect_name, slot, off)) for _, end, off in runs[:-1]),
        else_=day,
    )
