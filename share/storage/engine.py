"""Engine creation: the one place that knows SQLite from PostgreSQL.

SQLite gets WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for
write transactions (so two writers queue on the lock instead of one failing
with "database is locked" half-way through). Reads start a plain deferred
transaction and never block writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

WRITE = "share_write"


def make_engine(url: str, *, busy_timeout: float = 5.0) -> Engine:
    """Create the engine for ``url`` with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout})
        _configure_sqlite(engine, busy_timeout)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def make_unpooled_engine(url: str) -> Engine:
    """An engine for one-off CLI work (migrations) that keeps no connection open."""
    return create_engine(url, poolclass=NullPool)


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let us emit BEGIN ourselves (pysqlite's own handling defers it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        # NORMAL in WAL mode survives a killed process (only an OS crash may
        # lose the last commits), which is the guarantee the redirect needs.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        immediate = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: ``BEGIN IMMEDIATE`` on SQLite, a plain one elsewhere.

    Commits on success, rolls back on any error, so no half-written row stays.
    """
    with engine.execution_options(**{WRITE: True}).begin() as conn:
        yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only connection (deferred transaction, rolled back at the end)."""
    with engine.connect() as conn:
        yield conn


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
