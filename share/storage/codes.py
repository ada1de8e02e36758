"""Looking up a short code on the redirect's hot path, on a raw DBAPI connection.

Every phone that scans a code waits on this when its worker does not
remember the code, so it skips SQLAlchemy's per-statement machinery: the
statement is compiled once for the engine's dialect and run on a connection
each thread keeps checked out of the pool. Recording the scan is not done
here: it goes to the spool, or through :func:`share.storage.ingest.record_direct`.
"""

from __future__ import annotations

import contextlib
import threading

from sqlalchemy import Engine, bindparam, select

from .schema import links


class CodeLookup:
    """``(link_id, url, disabled, utm)`` of a code in one round trip, on a per-thread connection."""

    def __init__(self, engine: Engine):
        self.engine = engine
        dialect = engine.dialect
        self.sqlite = dialect.name == "sqlite"
        stmt = select(links.c.id, links.c.url, links.c.disabled, links.c.utm).where(
            links.c.code == bindparam("code")
        )
        compiled = stmt.compile(dialect=dialect)
        self._sql = str(compiled)
        order = compiled.positiontup
        self._params = (lambda code: (code,)) if order else (lambda code: {"code": code})
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

    def lookup(self, code: str) -> tuple[int, str, bool, str | None] | None:
        """``(link_id, url, disabled, utm)`` for ``code``, or ``None`` (``utm``: JSON text)."""
        try:
            conn = self._connection()
            cur = conn.cursor()
            cur.execute(self._sql, self._params(code))
            row = cur.fetchone()
            cur.close()
            if not self.sqlite:
                conn.commit()
        except Exception:
            self._discard()
            raise
        return (row[0], row[1], bool(row[2]), row[3]) if row else None
