"""Queries on share clicks: per link, share target and quarter-hour slot counters.

Like widget opens (:mod:`.opens`): one upsert per dialect, so two writers of
the same link, target and slot never race into a duplicate-key error; slots
are whole quarter hours since the epoch (``share.clock``) and readers ask
for a half-open slot range ``[first, end)``. Nothing about the reader is kept.
"""

from __future__ import annotations

from sqlalchemy import Engine, Integer, String, and_, bindparam, case, cast, func, select, true
from sqlalchemy.dialects import postgresql, sqlite

from .engine import read, write
from .schema import links, rollup_link_dims, share_clicks

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def add(engine: Engine, counts: dict[tuple[int, str, int], int]) -> int:
    """Add ``{(link_id, target, slot): n}`` in one transaction; the shares stored.

    A link switched off or deleted by then gets nothing: each row is
    inserted from a select of the link that only finds it while it is live.
    """
    if not counts:
        return 0
    c = share_clicks.c
    live = select(
        links.c.id,
        cast(bindparam("target"), String(32)),
        cast(bindparam("slot"), Integer),
        cast(bindparam("n"), Integer),
    ).where(links.c.id == bindparam("link_id"), links.c.disabled.is_(False))
    rows = [
        {"link_id": link_id, "target": target, "slot": slot, "n": n}
        for (link_id, target, slot), n in counts.items()
    ]
    stored = 0
    with write(engine) as conn:
        insert = _INSERTS[conn.dialect.name](share_clicks).from_select(
            [c.link_id, c.target, c.slot, c.shares], live
        )
        stmt = insert.on_conflict_do_update(
            index_elements=[c.link_id, c.target, c.slot],
            set_={"shares": c.shares + insert.excluded.shares},
        )
        for row in rows:  # one statement each: a refused link must not hide the others' counts
            stored += conn.execute(stmt, row).rowcount and row["n"]
    return stored


def by_target(
    engine: Engine, link_id: int | None, first_slot: int | None, end_slot: int | None = None
) -> dict[str, int]:
    """Shares per target in slots ``[first_slot, end_slot)`` (``None``: unbounded that side).

    One link's, or all links' together when ``link_id`` is ``None``.
    """
    c = share_clicks.c
    where = and_(
        c.slot >= first_slot if first_slot is not None else true(),
        c.slot < end_slot if end_slot is not None else true(),
    )
    if link_id is not None:
        where = and_(where, c.link_id == link_id)
    with read(engine) as conn:
        rows = conn.execute(select(c.target, func.sum(c.shares)).where(where).group_by(c.target))
        return {target: int(n) for target, n in rows if n}


def total(engine: Engine, link_id: int) -> int:
    """All-time shares of one link (what deleting it loses)."""
    with read(engine) as conn:
        value = conn.execute(
            select(func.coalesce(func.sum(share_clicks.c.shares), 0)).where(
                share_clicks.c.link_id == link_id
            )
        ).scalar_one()
    return int(value)


def visits_back(
    engine: Engine, placements: tuple[str, ...], first_slot: int | None
) -> dict[str, int]:
    """Human scans of all links per placement in ``placements`` from ``first_slot`` (None: ever).

    Read from the hourly placement breakdowns; a first slot inside an hour
    counts only that hour's quarters from it on, as the article page does.
    """
    d = rollup_link_dims.c
    quarters = (d.q0, d.q1, d.q2, d.q3)
    where = and_(d.dim == "placement", d.value.in_(placements))
    if first_slot is None:
        counted = d.q0 + d.q1 + d.q2 + d.q3
    else:
        where = and_(where, d.hour >= first_slot // 4)
        counted = sum(
            case((d.hour * 4 + q >= first_slot, col), else_=0) for q, col in enumerate(quarters)
        )
    with read(engine) as conn:
        rows = conn.execute(select(d.value, func.sum(counted)).where(where).group_by(d.value))
        return {value: int(n) for value, n in rows if n}
