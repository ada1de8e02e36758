"""Scan rows at ingest rates: plain tuples, written through the driver.

The ingester's CPU per scan is the redirect's budget (it shares the cores
with the workers), so a batch never goes through SQLAlchemy's per-row
parameter machinery: a scan's values (:data:`FIELDS`, the spool's own order)
become one tuple of stored values (:data:`ROW`), with ``ts`` as the text
SQLite's ``DATETIME`` keeps (``YYYY-MM-DD HH:MM:SS.ffffff``, the same
string SQLAlchemy writes, so reads and comparisons do not change) and
PostgreSQL parses. Tuples go to SQLite with one ``executemany`` and to
PostgreSQL with ``COPY``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

#: A scan's values as the ingester hands them over (the spool's order).
FIELDS = (
    "link_id",
    "ts_us",
    "placement",
    "client",
    "platform",
    "is_bot",
    "referrer_host",
    "user_agent",
    "visitor",
)
#: A shaped row: the ``scans`` columns (but ``id``) in this order, then the quarter-hour slot.
ROW = (
    "link_id",
    "ts",
    "hour",
    "placement",
    "client",
    "platform",
    "is_bot",
    "referrer_host",
    "user_agent",
    "visitor",
    "slot",
)
COLUMNS = ROW[:-1]

_EPOCH = datetime(1970, 1, 1)
_MICROS = 1_000_000
_seconds: dict[int, str] = {}  # epoch second -> "YYYY-MM-DD HH:MM:SS" (scans arrive in order)


def stored_ts(micros: int) -> str:
    """Epoch microseconds as the stored ``ts`` text, microseconds always written."""
    seconds, fraction = divmod(micros, _MICROS)
    text = _seconds.get(seconds)
    if text is None:
        if len(_seconds) > 100_000:
            _seconds.clear()
        text = _seconds[seconds] = (_EPOCH + timedelta(seconds=seconds)).strftime(
            "%Y-%m-%d %H:%M:%S"
        )
    return f"{text}.{fraction:06d}"


def shape(values: Iterable[Sequence]) -> list[tuple]:
    """Scans' values (:data:`FIELDS` order) as stored rows (:data:`ROW` order)."""
    ts = stored_ts
    return [
        (link, ts(us), us // 3_600_000_000, placement, client, platform, bool(bot),
         referrer, agent, visitor, us // 900_000_000)
        for link, us, placement, client, platform, bot, referrer, agent, visitor in values
    ]  # fmt: skip


def values_of(row: dict) -> tuple:
    """A ``scans`` row as a dict (``ts`` naive UTC) back into values (:data:`FIELDS` order)."""
    micros = (row["ts"] - _EPOCH) // timedelta(microseconds=1)
    return tuple(micros if name == "ts_us" else row[name] for name in FIELDS)


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert tuples of ``columns`` into ``table``, inside the caller's transaction.

    ``COPY … FROM STDIN`` on PostgreSQL (several times cheaper per row than
    any ``INSERT``); one ``executemany`` of a plain statement on SQLite.
    """
    if not rows:
        return
    cursor = conn.connection.dbapi_connection.cursor()
    names = ", ".join(columns)
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    finally:
        cursor.close()


def insert_scans(conn: Connection, rows: list[tuple]) -> None:
    """Insert shaped rows (:data:`ROW`, the slot left out) into ``scans``."""
    insert_rows(conn, "scans", COLUMNS, [row[:-1] for row in rows])
