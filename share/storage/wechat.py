"""WeChat credentials in the database: cached values and a refresh lease.

Every worker and instance shares the database, so the access token and the
jsapi ticket are cached here once for all of them. Refreshing is guarded by a
lease row taken with one conditional ``UPDATE`` (PostgreSQL re-checks the
condition after waiting for a concurrent writer; SQLite's ``BEGIN IMMEDIATE``
serialises writers), so exactly one process refreshes at a time and no
transaction stays open while WeChat's API is being asked.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .engine import read, write
from .schema import wechat_credentials as table

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class Cached(NamedTuple):
    """A cached credential and the epoch second it stops being valid."""

    value: str
    expires: float


def get(engine: Engine, name: str) -> Cached | None:
    """The cached credential ``name``, expired or not; ``None`` if never stored."""
    with read(engine) as conn:
        row = conn.execute(
            select(table.c.value, table.c.expires).where(table.c.name == name)
        ).first()
    return Cached(row.value, row.expires) if row is not None else None


def put(engine: Engine, name: str, value: str, expires: float) -> None:
    """Store (or replace) the credential ``name``."""
    with write(engine) as conn:
        stmt = _INSERTS[conn.dialect.name](table).values(name=name, value=value, expires=expires)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.name], set_={"value": value, "expires": expires}
            )
        )


def take_lease(engine: Engine, name: str, owner: str, now: float, seconds: float) -> bool:
    """Take the lease ``name`` for ``owner`` until ``now + seconds``, unless another holds it."""
    with write(engine) as conn:
        seed = _INSERTS[conn.dialect.name](table).values(name=name, value="", expires=0.0)
        conn.execute(seed.on_conflict_do_nothing(index_elements=[table.c.name]))
        taken = conn.execute(
            update(table)
            .where(table.c.name == name, table.c.expires <= now)
            .values(value=owner, expires=now + seconds)
        )
        return taken.rowcount == 1


def release_lease(engine: Engine, name: str, owner: str) -> None:
    """Give the lease back early (only if ``owner`` still holds it)."""
    with write(engine) as conn:
        conn.execute(
            update(table)
            .where(table.c.name == name, table.c.value == owner)
            .values(value="", expires=0.0)
        )
