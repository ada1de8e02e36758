"""Queries on ``widget_opens``: per link, per UTC day popup-open counters.

The one upsert is written per dialect (both speak ``ON CONFLICT``), so two
beacons for the same link and day never race into a duplicate-key error.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite

from .engine import read, write
from .links import redirect_target
from .schema import widget_opens

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def increment(engine: Engine, code: str, day: date) -> bool | None:
    """Add one open for the link ``code`` on ``day``.

    Returns ``None`` for an unknown code, ``False`` for a disabled link (not
    counted) and ``True`` when counted; lookup and upsert share one transaction.
    """
    with write(engine) as conn:
        target = redirect_target(conn, code)
        if target is None:
            return None
        link_id, _url, disabled = target
        if disabled:
            return False
        stmt = _INSERTS[conn.dialect.name](widget_opens).values(link_id=link_id, day=day, opens=1)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[widget_opens.c.link_id, widget_opens.c.day],
                set_={"opens": widget_opens.c.opens + 1},
            )
        )
        return True


def total(engine: Engine, link_id: int, first_day: date, last_day: date) -> int:
    """Opens of one link from ``first_day`` to ``last_day``, both included."""
    with read(engine) as conn:
        value = conn.execute(
            select(func.coalesce(func.sum(widget_opens.c.opens), 0)).where(
                widget_opens.c.link_id == link_id,
                widget_opens.c.day >= first_day,
                widget_opens.c.day <= last_day,
            )
        ).scalar_one()
    return int(value)
