"""Dashboard and stats queries: every count comes from roll-ups, raw rows only for CSV.

The roll-ups (:mod:`share.storage.rollups`) are kept by the ingester, so
what a page costs depends on what it shows (days × links, buckets ×
breakdowns), never on how many scans a link has had. The overview sums
``rollup_link_days`` when they are kept in the zone asked for, and
``rollup_link_slots`` otherwise; one article sums its slots and its hourly
breakdowns. Only the raw-scans CSV reads ``scans``. Time spans are epoch
seconds from ``share.clock`` (see :mod:`share.storage.spans`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, and_, case, func, literal_column, or_, select

from .engine import read
from .schema import (
    links,
    rollup_client_slots,
    rollup_link_days,
    rollup_link_dims,
    rollup_link_slots,
    scans,
    widget_opens,
)
from .spans import SLOT, local_day_of_runs, within
from .tags import tagged

SORTS = ("scans_7d", "scans_30d", "scans_all", "last_scan", "created")


@dataclass(frozen=True)
class Since:
    """Where a period begins, on either roll-up: a local day and that day's first slot."""

    day: date
    slot: int


def _summed(by_day: bool):
    """The per-link table to sum and its time column: local days when they are in the zone asked."""
    if by_day:
        return rollup_link_days, rollup_link_days.c.day, lambda since: since.day
    return rollup_link_slots, rollup_link_slots.c.slot, lambda since: since.slot


def totals(engine: Engine, periods: dict[str, Since | None], *, by_day: bool) -> dict:
    """Human scans, uniques, bots, widget scans and opens of each period (``None``: all time).

    Scans are summed from the days' roll-ups (``by_day``, when they are kept
    in the zone asked for) or from the slots, grouped by day or slot in SQL
    and added up per period here (one pass, not one ``CASE`` per figure);
    opens from the slots from the period's first instant on, so every
    column covers the same instants.
    """
    table, when, start = _summed(by_day)
    fields = ("scans", "uniques", "bots", "widget_scans")
    out = {name: dict.fromkeys((*fields, "opens"), 0) for name in periods}
    grouped = select(when, *(func.sum(table.c[f]) for f in fields)).group_by(when)
    opens = []
    for since in periods.values():
        value = widget_opens.c.opens
        if since is not None:
            value = case((widget_opens.c.slot >= since.slot, value), else_=0)
        opens.append(func.coalesce(func.sum(value), 0))
    with read(engine) as conn:
        for at, *sums in conn.execute(grouped):
            for name, since in periods.items():
                if since is None or at >= start(since):
                    numbers = out[name]
                    for field, value in zip(fields, sums, strict=True):
                        numbers[field] += int(value or 0)
        opened = conn.execute(select(*opens).select_from(widget_opens)).one()
    for name, value in zip(periods, opened, strict=True):
        out[name]["opens"] = int(value)
    return out


def client_counts(
    engine: Engine, first: int, end: int, runs: list[tuple[int, int, int]] | None = None
) -> list[tuple[object, str, int]]:
    """Human scans per bucket and client in ``[first, end)`` (epoch s), grouped in SQL.

    With ``runs`` (the zone's UTC offset over runs of slots, from
    ``share.clock.SlotDays.offsets``) the bucket is the local day (a
    ``date``); without, the whole hour counted from ``first`` (0, 1, …).
    """
    c = rollup_client_slots.c
    first_slot, end_slot = first // SLOT, -(-end // SLOT)
    if runs is None:
        key = (c.slot - literal_column(str(first_slot))).self_group().op("/")(literal_column("4"))
    else:
        key = local_day_of_runs(engine.dialect.name, c.slot, runs)
    each = (
        select(key.label("bucket"), c.client, c.scans)
        .where(c.slot >= first_slot, c.slot < end_slot)
        .subquery()
    )
    with read(engine) as conn:
        rows = conn.execute(
            select(each.c.bucket, each.c.client, func.sum(each.c.scans)).group_by(
                each.c.bucket, each.c.client
            )
        ).all()
    return [(bucket, client, int(n)) for bucket, client, n in rows]


def _search(q: str):
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        *(
            col.ilike(pattern, escape="\\")
            for col in (links.c.title, links.c.title_override, links.c.url)
        )
    )


def top_links(
    engine: Engine,
    d7: Since,
    d30: Since,
    *,
    by_day: bool,
    q: str,
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
    tag_key: str | None = None,
) -> tuple[list[dict], int]:
    """One page of links with their scans over 7 d / 30 d / all time; and the match count.

    ``tag_key`` keeps the links carrying that campaign tag (``share.storage.tags``).
    """
    table, when, start = _summed(by_day)
    r = table.c
    agg = (
        select(
            r.link_id,
            func.sum(case((when >= start(d7), r.scans), else_=0)).label("scans_7d"),
            func.sum(case((when >= start(d30), r.scans), else_=0)).label("scans_30d"),
            func.sum(r.scans).label("scans_all"),
            func.max(r.last_scan).label("last_scan"),
        )
        .group_by(r.link_id)
        .subquery()
    )
    live = links.c.deleted_at.is_(None)  # a deleted link's tombstone is not an article
    where = (_search(q) & live) if q else live
    if tag_key is not None:
        where = where & links.c.id.in_(tagged(tag_key))
    key = {"created": links.c.created_at, "last_scan": agg.c.last_scan}.get(sort)
    if key is None:
        key = func.coalesce(agg.c[sort], 0)
    order = [key.desc() if desc else key.asc(), links.c.id.desc()]
    if sort == "last_scan":
        order.insert(0, agg.c.last_scan.is_(None))  # never-scanned links last either way
    stmt = (
        select(links, agg.c.scans_7d, agg.c.scans_30d, agg.c.scans_all, agg.c.last_scan)
        .select_from(links.outerjoin(agg, agg.c.link_id == links.c.id))
        .where(where)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    with read(engine) as conn:
        rows = [dict(row) for row in conn.execute(stmt).mappings()]
        count = conn.execute(select(func.count()).select_from(links).where(where)).scalar_one()
    return rows, count


def link_summary(engine: Engine, link_id: int, starts: list[int], end: int) -> dict:
    """Everything the article page and the stats API show, from one link's roll-ups.

    ``starts`` are the buckets' first instants and ``end`` the last one's
    end (epoch seconds, on quarter-hour slots as every zone's are). Scans,
    first-seen visitors and bots come per slot; breakdowns per hour, with
    the quarters outside the span left out of its first and last hour. Two
    indexed range reads, whatever the link's number of scans.
    """
    first, stop = starts[0] // SLOT, -(-end // SLOT)
    s = rollup_link_slots.c
    bucket_of = _bucketer(starts, end)
    total = unique = bots = 0
    scans_in: dict[int, int] = {}
    uniques_in: dict[int, int] = {}
    counts: dict[str, dict[str, int]] = {
        "client": {},
        "platform": {},
        "placement": {},
        "referrer": {},
    }
    agents: dict[str, tuple[int, object]] = {}
    with read(engine) as conn:
        rows = conn.execute(
            select(s.slot, s.scans, s.uniques, s.bots).where(
                s.link_id == link_id, s.slot >= first, s.slot < stop
            )
        )
        for slot, n, new, b in rows:
            bots += b
            if n or new:
                index = bucket_of(slot * SLOT)
                total += n
                unique += new
                scans_in[index] = scans_in.get(index, 0) + n
                uniques_in[index] = uniques_in.get(index, 0) + new
        for dim, value, n, last in conn.execute(_breakdowns(link_id, first, stop)):
            if not n:
                continue
            if dim == "bot_agent":
                agents[value] = (int(n), last)
            else:
                counts[dim][value] = int(n)
    return {"total": total, "unique": unique, "bots": bots, "scans": scans_in,
            "uniques": uniques_in, **counts, "agents": agents}  # fmt: skip


def _breakdowns(link_id: int, first: int, stop: int):
    """``(dim, value, scans, last seen)`` over slots ``[first, stop)`` from the hourly breakdowns."""
    d = rollup_link_dims.c
    quarters = (d.q0, d.q1, d.q2, d.q3)
    if first % 4 == 0 and stop % 4 == 0:
        within_span = d.q0 + d.q1 + d.q2 + d.q3
    else:  # a quarter counts when its own slot is inside the span
        within_span = sum(
            case((and_(d.hour * 4 + q >= first, d.hour * 4 + q < stop), col), else_=0)
            for q, col in enumerate(quarters)
        )
    return (
        select(d.dim, d.value, func.sum(within_span), func.max(d.last_seen))
        .where(d.link_id == link_id, d.hour >= first // 4, d.hour < -(-stop // 4))
        .group_by(d.dim, d.value)
    )


def _bucketer(starts: list[int], end: int):
    """A function from epoch second to bucket index; buckets are ``[starts[i], next)``."""
    steps = {b - a for a, b in zip(starts, [*starts[1:], end], strict=True)}
    if len(steps) == 1:
        step, first = steps.pop(), starts[0]
        return lambda second: (second - first) // step
    return lambda second: bisect.bisect_right(starts, second) - 1


RAW_COLUMNS = ("ts", "placement", "client", "platform", "is_bot", "referrer_host", "user_agent")


def raw_scans(engine: Engine, link_id: int, first: int, end: int) -> Iterator[tuple]:
    """Every scan of one link in ``[first, end)`` (epoch s), oldest first; never the visitor hash."""
    stmt = (
        select(*(scans.c[name] for name in RAW_COLUMNS))
        .where(scans.c.link_id == link_id, within(first, end))
        .order_by(scans.c.hour, scans.c.id)
    )
    with read(engine) as conn:
        yield from conn.execution_options(yield_per=2000).execute(stmt)
