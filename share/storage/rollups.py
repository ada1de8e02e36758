"""Dashboard roll-ups, rebuilt one local day at a time when someone reads them.

The redirect never touches these tables (its write stays one small insert).
Instead each dashboard read recomputes the days from the last one it rolled
up through today: normally only today, from today's raw rows through
``ix_scans_hour``. A day is a span of instants (epoch seconds) from
``share.clock``; client counts are kept per quarter-hour slot. Each day is replaced whole, in its own write transaction,
so distinct-visitor counts never double count and a reader never sees half a
day. Refreshes are serialised (SQLite's ``BEGIN IMMEDIATE``, an advisory lock
on PostgreSQL) so two dashboards never insert the same day twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Engine, case, delete, distinct, func, select, text

from .engine import read, write
from .schema import rollup_client_slots, rollup_link_days, rollup_state, scans
from .spans import HOUR, slot_expression, within

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


def first_second(engine: Engine) -> int | None:
    """Epoch seconds of the start of the oldest scan's hour (where a full rebuild starts)."""
    with read(engine) as conn:
        hour = conn.execute(select(func.min(scans.c.hour))).scalar_one()
    return None if hour is None else hour * HOUR


def reset(engine: Engine, timezone: str, start: date) -> None:
    """Drop every roll-up and start over in ``timezone`` from ``start``."""
    with write(engine) as conn:
        _serialise(conn)
        for table in (rollup_link_days, rollup_client_slots, rollup_state):
            conn.execute(delete(table))
        conn.execute(rollup_state.insert().values(id=1, timezone=timezone, last_day=start))


def rebuild_day(engine: Engine, day: date, first: int, end: int) -> None:
    """Replace the roll-ups of local ``day``, the instants ``[first, end)`` (epoch seconds)."""
    human = scans.c.is_bot.is_(False)
    in_day = within(first, end)
    slot = slot_expression(engine.dialect.name).label("slot")
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
        select(slot, scans.c.client, func.count())
        .where(in_day, human)
        .group_by(slot, scans.c.client)
    )
    with write(engine) as conn:
        _serialise(conn)
        conn.execute(delete(rollup_link_days).where(rollup_link_days.c.day == day))
        cols = ("link_id", "scans", "uniques", "bots", "widget_scans", "last_scan")
        rows = [{"day": day, **dict(zip(cols, r, strict=True))} for r in conn.execute(per_link)]
        if rows:
            conn.execute(rollup_link_days.insert(), rows)
        c = rollup_client_slots.c
        conn.execute(delete(rollup_client_slots).where(c.slot >= first // 900, c.slot < end // 900))
        conn.execute(
            rollup_client_slots.insert().from_select(["slot", "client", "scans"], per_client)
        )
        conn.execute(
            rollup_state.update()
            .where(rollup_state.c.id == 1, rollup_state.c.last_day < day)
            .values(last_day=day)
        )
