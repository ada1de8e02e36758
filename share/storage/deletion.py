"""Deleting a link: everything counted about it goes, in one transaction; its row stays as a tombstone.

What goes: every row of every table that points at the link (raw scans,
widget opens, share clicks and the per-link roll-ups, found through their foreign keys so a
table added later goes too), and the link's share of
``rollup_client_slots``, which counts all links together and so is
subtracted rather than deleted. The share is read from the link's own
``client`` breakdowns (``rollup_link_dims``), which hold exactly what it
added there, even for scans whose raw rows were pruned already; slots left
at zero are removed, as a rebuild would not have them.

What stays: the ``links`` row, emptied of its URL and metadata, switched
off and stamped ``deleted_at`` (migration 0008). Printed QR codes carry the
code, so it keeps answering 410 and is never drawn again: the code stays
in the unique column, and every check that refuses a switched-off link
(redirect, direct write, widget opens) refuses a deleted one the same way.

The transaction takes the roll-up writers' lock (:func:`.rollups.serialise`),
so an ingest batch runs wholly before it (its rows are deleted with the
rest) or wholly after it (and drops the link's rows, :func:`.ingest.ingest`).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import Connection, Engine, Table, bindparam, delete, func, select, update

from . import rollups
from .engine import read, write
from .schema import (
    links,
    metadata,
    rollup_client_slots,
    rollup_link_dims,
    rollup_link_slots,
    share_clicks,
)
from .schema import widget_opens as opens_table

_CHUNK = 500  # slots per IN list


def _pointing_at_links() -> list[tuple[Table, str]]:
    """``(table, column)`` of every foreign key to ``links.id``: the per-link data."""
    return [
        (table, fk.parent.name)
        for table in metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is links
    ]


def footprint(engine: Engine, link_id: int) -> dict[str, int]:
    """What deleting the link loses: all-time human scans, bot scans, widget opens and shares."""
    s = rollup_link_slots.c
    with read(engine) as conn:
        scans, bots = conn.execute(
            select(func.coalesce(func.sum(s.scans), 0), func.coalesce(func.sum(s.bots), 0)).where(
                s.link_id == link_id
            )
        ).one()
        opens = conn.execute(
            select(func.coalesce(func.sum(opens_table.c.opens), 0)).where(
                opens_table.c.link_id == link_id
            )
        ).scalar_one()
        shares = conn.execute(
            select(func.coalesce(func.sum(share_clicks.c.shares), 0)).where(
                share_clicks.c.link_id == link_id
            )
        ).scalar_one()
    return {"scans": int(scans), "bots": int(bots), "opens": int(opens), "shares": int(shares)}


def delete_link(engine: Engine, code: str, now: datetime) -> int | None:
    """Delete the live link ``code`` (see the module); its id, or ``None`` when none is live.

    ``None`` also when another request deleted it first: both wait on the
    same lock, and the second finds a tombstone.
    """
    with write(engine) as conn:
        rollups.serialise(conn)
        link_id = conn.execute(
            select(links.c.id).where(links.c.code == code, links.c.deleted_at.is_(None))
        ).scalar()
        if link_id is None:
            return None
        _subtract_clients(conn, link_id)
        for table, column in _pointing_at_links():
            conn.execute(delete(table).where(table.c[column] == link_id))
        conn.execute(update(links).where(links.c.id == link_id).values(**_tombstone(now)))
    return link_id


def _tombstone(now: datetime) -> dict:
    """The row's new values: nothing about the article left, switched off, stamped."""
    cleared = (
        "url", "title", "description", "image", "site_name", "lang", "canonical_url",
        "fetch_error", "fetched_at", "title_override", "description_override", "image_override",
    )  # fmt: skip
    return {**dict.fromkeys(cleared), "disabled": True, "deleted_at": now, "updated_at": now}


def _subtract_clients(conn: Connection, link_id: int) -> None:
    """Take the link's human scans out of ``rollup_client_slots`` (per slot and client)."""
    d = rollup_link_dims.c
    share: Counter[tuple[int, str]] = Counter()
    rows = conn.execute(
        select(d.hour, d.value, d.q0, d.q1, d.q2, d.q3).where(
            d.link_id == link_id, d.dim == "client"
        )
    )
    for hour, client, *quarters in rows:
        for q, n in enumerate(quarters):
            if n:
                share[hour * 4 + q, client] += n
    if not share:
        return
    c = rollup_client_slots.c
    conn.execute(
        update(rollup_client_slots)
        .where(c.slot == bindparam("s"), c.client == bindparam("c"))
        .values(scans=c.scans - bindparam("n")),
        [{"s": slot, "c": client, "n": n} for (slot, client), n in share.items()],
    )
    slots = sorted({slot for slot, _client in share})
    for start in range(0, len(slots), _CHUNK):
        chunk = slots[start : start + _CHUNK]
        conn.execute(delete(rollup_client_slots).where(c.slot.in_(chunk), c.scans <= 0))
