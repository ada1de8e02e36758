"""Deleting old raw scans in short batches, after recording the horizon the roll-ups keep.

Order matters for a crash: the horizon is written (and the roll-ups made
sure to exist) *before* any row goes, so a rebuild never mistakes "pruned"
for "never happened" and wipes history; a prune killed half-way leaves
rows before the horizon that the next prune deletes.

Rows go by primary-key ranges of :data:`BATCH` ids, one short write
transaction each: SQLite's write lock and PostgreSQL's row locks are held
for a few milliseconds at a time, so the ingester (and a direct-write
redirect) never waits long. Finding the last id to visit is a plain read,
which blocks no writer on either engine.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.dialects import postgresql, sqlite

from . import rollups
from .engine import read, write
from .schema import retention_state, scans

BATCH = 5000  # ids per delete: a few milliseconds of lock
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def horizon(engine: Engine) -> datetime | None:
    """Where kept raw rows begin (naive UTC), or ``None`` if nothing was ever pruned."""
    with read(engine) as conn:
        return conn.execute(select(retention_state.c.pruned_before)).scalar()


def count_before(engine: Engine, before: datetime) -> int:
    """Raw scan rows older than ``before`` (naive UTC): what a prune would delete."""
    with read(engine) as conn:
        return conn.execute(select(func.count()).where(scans.c.ts < before)).scalar_one()


def record_horizon(engine: Engine, before: datetime, days: rollups.Days) -> datetime:
    """Make sure roll-ups exist, then move the horizon to ``before`` (never back); the new one."""
    with write(engine) as conn:
        rollups.serialise(conn)  # not while a rebuild reads the old horizon
        rollups.prepare(conn, days)
        stored = conn.execute(select(retention_state.c.pruned_before)).scalar()
        if stored is not None and stored >= before:
            return stored
        insert = _INSERTS[conn.dialect.name](retention_state).values(id=1, pruned_before=before)
        conn.execute(
            insert.on_conflict_do_update(index_elements=["id"], set_={"pruned_before": before})
        )
    return before


def delete_before(engine: Engine, before: datetime, batch: int = BATCH) -> int:
    """Delete raw scans older than ``before`` (naive UTC), ``batch`` ids per transaction."""
    old = scans.c.ts < before
    with read(engine) as conn:
        first, last = conn.execute(
            select(func.min(scans.c.id), func.max(scans.c.id)).where(old)
        ).one()
    if first is None:
        return 0
    deleted = 0
    for low in range(first, last + 1, batch):
        in_range = and_(scans.c.id >= low, scans.c.id < low + batch, old)
        with write(engine) as conn:
            deleted += conn.execute(scans.delete().where(in_range)).rowcount
    return deleted
