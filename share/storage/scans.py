"""Writing scans: the redirect's hot path, on a raw DBAPI connection.

Every phone that scans a code waits on this, so it skips SQLAlchemy's
per-statement machinery: the two statements are compiled once for the
engine's dialect and run on a connection each thread keeps checked out of
the pool. The lookup is a plain read (no lock); the insert is its own short
write transaction (``BEGIN IMMEDIATE`` on SQLite), committed before the
caller answers the 302.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Engine, select

from .engine import write
from .schema import links, scans

_COLUMNS = (
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
)


class ScanStore:
    """Look up a code and record a scan with the fewest round trips."""

    def __init__(self, engine: Engine, busy_timeout: float = 5.0):
        self.engine = engine
        self.busy_timeout = busy_timeout
        dialect = engine.dialect
        self.sqlite = dialect.name == "sqlite"
        lookup = select(links.c.id, links.c.url, links.c.disabled).where(links.c.code == "x")
        self._lookup = _compile(lookup, dialect)
        self._insert = _compile(scans.insert(), dialect, column_keys=list(_COLUMNS))
        self._process = {
            name: scans.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in _COLUMNS
        }
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close every connection the threads keep (app shutdown, tests)."""
        with self._lock:
            fairies, self._all = self._all, []
        for fairy in fairies:
            with contextlib.suppress(Exception):  # closing anyway
                fairy.invalidate()
        self._local = threading.local()

    def _connection(self):
        fairy = getattr(self._local, "conn", None)
        if fairy is None:
            fairy = self.engine.raw_connection()
            if self.sqlite:
                # We wait for the write lock ourselves, in steps of tens of
                # microseconds; SQLite's own handler sleeps 1 ms at least.
                fairy.cursor().execute("PRAGMA busy_timeout=0")
            self._local.conn = fairy
            with self._lock:
                self._all.append(fairy)
        return fairy

    def _discard(self) -> None:
        fairy = getattr(self._local, "conn", None)
        self._local.conn = None
        if fairy is not None:
            with contextlib.suppress(Exception):  # already broken
                fairy.invalidate()

    def lookup(self, code: str) -> tuple[int, str, bool] | None:
        """``(link_id, url, disabled)`` for ``code``, or ``None``."""
        try:
            conn = self._connection()
            cur = conn.cursor()
            cur.execute(self._lookup[0], self._lookup[1]({"code_1": code}))
            row = cur.fetchone()
            cur.close()
            if not self.sqlite:
                conn.commit()
        except Exception:
            self._discard()
            raise
        return (row[0], row[1], bool(row[2])) if row else None

    def record(self, row: dict[str, Any]) -> None:
        """Insert one scan row and commit it."""
        values = {k: (p(row[k]) if p else row[k]) for k, p in self._process.items()}
        try:
            conn = self._connection()
            cur = conn.cursor()
            if self.sqlite:
                _begin_immediate(cur, self.busy_timeout)
                try:
                    cur.execute(self._insert[0], self._insert[1](values))
                    cur.execute("COMMIT")
                except Exception:
                    cur.execute("ROLLBACK")
                    raise
            else:
                cur.execute(self._insert[0], self._insert[1](values))
                conn.commit()
            cur.close()
        except Exception:
            self._discard()
            raise


def _begin_immediate(cur, timeout: float) -> None:
    """``BEGIN IMMEDIATE``, retrying with short growing pauses while locked."""
    deadline = time.monotonic() + timeout
    pause = 0.00005
    while True:
        try:
            cur.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.002)


def _compile(stmt, dialect, column_keys=None):
    """Return ``(sql, params_from_dict)`` for the dialect's paramstyle."""
    compiled = stmt.compile(dialect=dialect, column_keys=column_keys)
    sql = str(compiled)
    order = compiled.positiontup
    if order:
        return sql, lambda values: tuple(values[name] for name in order)
    return sql, lambda values: values


def insert_many(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Bulk insert (seeding, benchmarks, tests)."""
    with write(engine) as conn:
        conn.execute(scans.insert(), rows)
