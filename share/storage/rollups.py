"""Dashboard roll-ups, rebuilt one local day at a time when someone reads them.

The redirect never touches these tables (its write stays one small insert).
Instead each dashboard read recomputes the days from the last one it rolled
up through today: normally only today, from today's raw rows through
``ix_scans_hour``. Each day is replaced whole, in its own write transaction,
so distinct-visitor counts never double count and a reader never sees half a
day. Refreshes are serialised (SQLite's ``BEGIN IMMEDIATE``, an advisory lock
on PostgreSQL) so two dashboards never insert the same day twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Engine, and_, case, delete, distinct, func, select, text

from .engine import read, write
from .schema import rollup_client_hours, rollup_link_days, rollup_state, scans

_LOCK_ID = 5_142_017


def _serialise(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})


def state(engine: Engine) -> tuple[str, date] | None:
    """``(timezone, last_day)`` of the roll-ups, or ``None`` before the first build."""
    with read(engine) as conn:
        row = conn.execute(
            select(rollup_state.c.timezone, rollup_state.c.last_day).where(rollup_state.c.id == 1)
        ).first()
    return (row[0], row[1]) if row else None


def first_hour(engine: Engine) -> int | None:
    """The hour of the oldest scan (where a full rebuild starts)."""
    with read(engine) as conn:
        return conn.execute(select(func.min(scans.c.hour))).scalar_one()


def reset(engine: Engine, timezone: str, start: date) -> None:
    """Drop every roll-up and start over in ``timezone`` from ``start``."""
    with write(engine) as conn:
        _serialise(conn)
        for table in (rollup_link_days, rollup_client_hours, rollup_state):
            conn.execute(delete(table))
        conn.execute(rollup_state.insert().values(id=1, timezone=timezone, last_day=start))


def rebuild_day(engine: Engine, day: date, first: int, end: int) -> None:
    """Replace the roll-ups of local ``day``, whose scans have hours ``[first, end)``."""
    human = scans.c.is_bot.is_(False)
    in_day = and_(scans.c.hour >= first, scans.c.hour < end)
    per_link = (
        select(
            scans.c.link_id,
            func.count().filter(human),
            func.count(distinct(case((human, scans.c.visitor)))),
            func.count().filter(scans.c.is_bot.is_(True)),
            func.count().filter(human, scans.c.placement == "widget"),
            func.max(case((human, scans.c.ts))),
        )
        .where(in_day)
        .group_by(scans.c.link_id)
    )
    per_client = (
        select(scans.c.hour, scans.c.client, func.count())
        .where(in_day, human)
        .group_by(scans.c.hour, scans.c.client)
    )
    with write(engine) as conn:
        _serialise(conn)
        conn.execute(delete(rollup_link_days).where(rollup_link_days.c.day == day))
        cols = ("link_id", "scans", "uniques", "bots", "widget_scans", "last_scan")
        rows = [{"day": day, **dict(zip(cols, r, strict=True))} for r in conn.execute(per_link)]
        if rows:
            conn.execute(rollup_link_days.insert(), rows)
        conn.execute(
            delete(rollup_client_hours).where(
                rollup_client_hours.c.hour >= first, rollup_client_hours.c.hour < end
            )
        )
        conn.execute(
            rollup_client_hours.insert().from_select(["hour", "client", "scans"], per_client)
        )
        conn.execute(
            rollup_state.update()
            .where(rollup_state.c.id == 1, rollup_state.c.last_day < day)
            .values(last_day=day)
        )
