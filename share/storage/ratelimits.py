"""Rate-limit counters in the database: one count for every worker and instance, no Redis needed.

Each counted request is one row ``(key, at, expires)``; a limit of N per W
seconds allows a hit when fewer than N rows of its key lie in the last W
seconds (a moving window, like the limiter's Redis and memory storages).
Check and insert happen under one lock per key — ``BEGIN IMMEDIATE`` on
SQLite, an advisory transaction lock on PostgreSQL — so parallel requests
on different workers can never pass the limit together. Keys are hashes
(the web layer hashes client addresses with the app secret), and rows are
swept as soon as they leave their window.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from .engine import read, write
from .schema import rate_hits

_h = rate_hits.c
#: first half of the two-part advisory lock key, so these locks never meet other users'
_LOCK_CLASS = 0x5CA1


def _lock(conn: Connection, key: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:cls, hashtext(:key))"),
            {"cls": _LOCK_CLASS, "key": key},
        )


def _sweep(conn: Connection, now: float) -> None:
    conn.execute(delete(rate_hits).where(_h.expires <= now))


def _used(conn: Connection, key: str, since: float) -> int:
    return conn.execute(
        select(func.count()).select_from(rate_hits).where(_h.key == key, _h.at > since)
    ).scalar_one()


def acquire(
    engine: Engine, key: str, limit: int, expiry: float, now: float, amount: int = 1
) -> bool:
    """Count ``amount`` hits for ``key`` if that keeps it within ``limit`` per ``expiry`` s."""
    if amount > limit:
        return False
    with write(engine) as conn:
        _lock(conn, key)
        if _used(conn, key, now - expiry) + amount > limit:
            return False
        conn.execute(insert(rate_hits), [{"key": key, "at": now, "expires": now + expiry}] * amount)
        _sweep(conn, now)
    return True


def window(engine: Engine, key: str, expiry: float, now: float) -> tuple[float, int]:
    """``(time of the oldest hit in the window, hits in it)``; ``(now, 0)`` when empty."""
    with read(engine) as conn:
        oldest, count = conn.execute(
            select(func.min(_h.at), func.count()).where(_h.key == key, _h.at > now - expiry)
        ).one()
    return (oldest if count else now), count


def add(engine: Engine, key: str, expiry: float, now: float, amount: int = 1) -> int:
    """Count ``amount`` hits unconditionally; the hits of ``key`` still live afterwards."""
    with write(engine) as conn:
        _lock(conn, key)
        conn.execute(insert(rate_hits), [{"key": key, "at": now, "expires": now + expiry}] * amount)
        _sweep(conn, now)
        return live(conn, key, now)


def live(conn: Connection, key: str, now: float) -> int:
    """How many hits of ``key`` have not expired at ``now``."""
    return conn.execute(
        select(func.count()).select_from(rate_hits).where(_h.key == key, _h.expires > now)
    ).scalar_one()


def count(engine: Engine, key: str, now: float) -> int:
    """:func:`live` in a connection of its own."""
    with read(engine) as conn:
        return live(conn, key, now)


def expires(engine: Engine, key: str, now: float) -> float:
    """When the last live hit of ``key`` expires (``now`` when it has none)."""
    with read(engine) as conn:
        last = conn.execute(select(func.max(_h.expires)).where(_h.key == key)).scalar()
    return max(last or now, now)


def clear(engine: Engine, key: str) -> None:
    """Forget every hit of ``key`` (a successful login clears its failures)."""
    with write(engine) as conn:
        conn.execute(delete(rate_hits).where(_h.key == key))


def reset(engine: Engine) -> int:
    """Forget every hit of every key; how many rows went."""
    with write(engine) as conn:
        return conn.execute(delete(rate_hits)).rowcount
