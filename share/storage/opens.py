"""Queries on widget opens: per link, per quarter-hour slot popup-open counters.

The one upsert is written per dialect (both speak ``ON CONFLICT``), so two
beacons for the same link and slot never race into a duplicate-key error.
Slots are whole quarter hours since the epoch (``share.clock``); readers ask
for a half-open slot range ``[first, end)``.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite

from .engine import read, write
from .links import redirect_target
from .schema import widget_opens

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def increment(engine: Engine, code: str, slot: int) -> bool | None:
    """Add one open for the link ``code`` in ``slot``.

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
        stmt = _INSERTS[conn.dialect.name](widget_opens).values(link_id=link_id, slot=slot, opens=1)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[widget_opens.c.link_id, widget_opens.c.slot],
                set_={"opens": widget_opens.c.opens + 1},
            )
        )
        return True


def total(engine: Engine, link_id: int, first_slot: int, end_slot: int) -> int:
    """Opens of one link in slots ``[first_slot, end_slot)``."""
    with read(engine) as conn:
        value = conn.execute(
            select(func.coalesce(func.sum(widget_opens.c.opens), 0)).where(
                widget_opens.c.link_id == link_id,
                widget_opens.c.slot >= first_slot,
                widget_opens.c.slot < end_slot,
            )
        ).scalar_one()
    return int(value)
