"""Writing scans: the redirect's hot path, on a raw DBAPI connection.

Every phone that scans a code waits on this, so it skips SQLAlchemy's
per-statement machinery: the statements are compiled once for the engine's
dialect and run on a connection each thread keeps checked out of the pool.

A scan is one statement, ``INSERT … SELECT … FROM links WHERE code = ? AND
NOT disabled``, in its own short write transaction (``BEGIN IMMEDIATE`` on
SQLite), committed before the caller answers the 302. Whether the link is
live is decided inside that transaction, so a link switched off a moment ago
is never counted.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Boolean, DateTime, Engine, Integer, String, bindparam, select

from .schema import links, scans

# Columns of a scan row that the caller supplies (link_id comes from links).
_VALUES = {
    "ts": DateTime(),
    "hour": Integer(),
    "placement": String(),
    "client": String(),
    "platform": String(),
    "is_bot": Boolean(),
    "referrer_host": String(),
    "user_agent": String(),
    "visitor": String(),
}


class ScanStore:
    """Look up codes and record scans with the fewest round trips."""

    def __init__(self, engine: Engine, busy_timeout: float = 5.0):
        self.engine = engine
        self.busy_timeout = busy_timeout
        dialect = engine.dialect
        self.sqlite = dialect.name == "sqlite"
        lookup = select(links.c.id, links.c.url, links.c.disabled).where(
            links.c.code == bindparam("code")
        )
        live = select(
            links.c.id, *(bindparam(name, type_=type_) for name, type_ in _VALUES.items())
        ).where(links.c.code == bindparam("code"), links.c.disabled.is_(False))
        insert = scans.insert().from_select(["link_id", *_VALUES], live)
        self._lookup = _compile(lookup, dialect)
        self._insert = _compile(insert, dialect)
        self._process = {
            name: type_.dialect_impl(dialect).bind_processor(dialect)
            for name, type_ in _VALUES.items()
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
            else:
                # A scan only has to outlive the app worker that answered its
                # 302, which a commit in the server's WAL buffer does; waiting
                # for the server's disk flush on every scan would triple the
                # redirect's time. Only a crash of the database server itself
                # can lose the last fraction of a second of scans.
                cur = fairy.cursor()
                cur.execute("SET synchronous_commit TO off")
                fairy.commit()
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
            cur.execute(self._lookup[0], self._lookup[1]({"code": code}))
            row = cur.fetchone()
            cur.close()
            if not self.sqlite:
                conn.commit()
        except Exception:
            self._discard()
            raise
        return (row[0], row[1], bool(row[2])) if row else None

    def record_if_live(self, code: str, row: dict[str, Any]) -> bool:
        """Insert the scan of ``code`` when its link exists and is live; commit.

        Returns False (nothing written) for an unknown or disabled code.
        """
        values = {k: (p(row[k]) if p else row[k]) for k, p in self._process.items()}
        values["code"] = code
        params = self._insert[1](values)
        try:
            conn = self._connection()
            cur = conn.cursor()
            if self.sqlite:
                _begin_immediate(cur, self.busy_timeout)
                try:
                    cur.execute(self._insert[0], params)
                    inserted = cur.rowcount == 1
                    cur.execute("COMMIT")
                except Exception:
                    cur.execute("ROLLBACK")
                    raise
            else:
                cur.execute(self._insert[0], params)
                inserted = cur.rowcount == 1
                conn.commit()
            cur.close()
        except Exception:
            self._discard()
            raise
        return inserted


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


def _compile(stmt, dialect):
    """Return ``(sql, params_from_dict)`` for the dialect's paramstyle."""
    compiled = stmt.compile(dialect=dialect)
    sql = str(compiled)
    order = compiled.positiontup
    if order:
        return sql, lambda values: tuple(values[name] for name in order)
    return sql, lambda values: values
