"""Roll-ups, kept in the same transaction as the scan rows they count.

Every scan the ingester (or the direct-write fallback) stores goes through
:func:`apply` before the transaction commits, so the roll-ups and the raw
rows can never disagree: both are there, or neither. Pages and the stats
API read only roll-ups (:mod:`.dashboard`), so an answer costs what it holds
(buckets × breakdowns), not what ``scans`` holds.

- ``rollup_link_slots``: per link and quarter-hour slot, human scans,
  first-seen visitors, bots, widget scans, the last human scan.
- ``rollup_link_dims``: per link, UTC hour, breakdown and value, counts per
  quarter of the hour (so a +5:30 zone's day edges stay exact).
- ``rollup_visitors``: the slot of each visitor's first scan of a link; a
  visitor seen earlier than stored (a late spool from another instance)
  moves, and the per-slot ``uniques`` move with it.
- ``rollup_link_days`` and ``rollup_client_slots``: the overview's sums per
  local day of the display zone and per slot and client.

Writers serialise on one lock (``BEGIN IMMEDIATE`` on SQLite, an advisory
lock on PostgreSQL) so two instances' ingesters never interleave the
read-then-write of first-seen visitors. :func:`rebuild` derives all of it
again from raw rows in a few set-based statements and says what differed.
Once ``flask prune`` has deleted raw rows before a horizon
(``retention_state``, :mod:`.retention`), the roll-ups before it are the
only record: a rebuild derives and compares only slots from the horizon on,
and visitors first seen before it stay first seen there.

Storage does no zone arithmetic: a ``days`` object (``share.clock.SlotDays``)
says which local day a slot falls on and over which runs of slots the
zone's UTC offset holds.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Protocol

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    literal,
    null,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from .engine import read, write
from .scanrows import insert_rows
from .schema import (
    retention_state,
    rollup_client_slots,
    rollup_link_days,
    rollup_link_dims,
    rollup_link_slots,
    rollup_state,
    rollup_visitors,
    scans,
)
from .spans import SLOT, local_day_of_runs, seconds_of, slot_expression

_LOCK_ID = 5_142_017
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

#: Breakdowns kept per link and hour: (name, scans column, counts bots?).
DIMS = (
    ("client", "client", False),
    ("platform", "platform", False),
    ("placement", "placement", False),
    ("referrer", "referrer_host", False),
    ("bot_agent", "user_agent", True),
)
#: Every roll-up table, in the order a rebuild fills them.
TABLES = (
    rollup_visitors,
    rollup_link_slots,
    rollup_link_dims,
    rollup_client_slots,
    rollup_link_days,
)


class Days(Protocol):
    """The display zone as roll-ups need it (implemented by ``share.clock.SlotDays``)."""

    key: str

    def day_of(self, slot: int) -> date:
        """The local day a slot falls on."""

    def offsets(self, first: int, end: int) -> list[tuple[int, int, int]]:
        """Runs ``(first slot, end slot, UTC offset s)`` covering ``[first, end)``."""


def serialise(conn: Connection, wait: float | None = None) -> None:
    """Queue behind any other roll-up writer (SQLite's write lock already does).

    ``wait`` bounds the wait on PostgreSQL (``lock_timeout``, for this
    transaction only); past it the statement fails and the caller's
    transaction rolls back.
    """
    if conn.dialect.name == "postgresql":
        if wait is not None:
            conn.execute(text(f"SET LOCAL lock_timeout = {int(wait * 1000)}"))
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})


def zone(engine: Engine) -> str | None:
    """The zone whose local days ``rollup_link_days`` holds; ``None`` before the first build."""
    with read(engine) as conn:
        return conn.execute(select(rollup_state.c.timezone)).scalar()


def prepare(conn: Connection, days: Days) -> None:
    """Before a batch: build everything if never built; re-sum local days if the zone changed."""
    current = conn.execute(select(rollup_state.c.timezone)).scalar()
    if current is None:
        _build(conn, days)
    elif current != days.key:
        _sum_days(conn, days)
        conn.execute(rollup_state.update().values(timezone=days.key))


def bring_up_to_date(engine: Engine, days: Days) -> None:
    """:func:`prepare` in a transaction of its own (``flask migrate``, a new display zone)."""
    with write(engine) as conn:
        serialise(conn)
        prepare(conn, days)


# -- as scans are stored -------------------------------------------------------


def apply(conn: Connection, rows: list[tuple], days: Days) -> None:
    """Count freshly inserted scan rows into every roll-up (inside the caller's transaction).

    ``rows`` are shaped tuples (:data:`.scanrows.ROW`): one pass over plain
    tuples, and each roll-up written with one driver call (the ingester's
    CPU per scan is the redirect's budget).
    """
    if not rows:
        return
    slots: dict[tuple[int, int], list] = {}  # scans, uniques, bots, widget, last
    dims: dict[tuple[int, int, str, str], list] = {}  # q0..q3, last
    clients: dict[tuple[int, str], int] = {}
    firsts: dict[tuple[int, str], int] = {}
    count = _count_dim
    for link, at, hour, placement, client, platform, bot, referrer, agent, visitor, slot in rows:
        acc = slots.get((link, slot))
        if acc is None:
            acc = slots[link, slot] = [0, 0, 0, 0, None]
        quarter = slot - hour * 4
        if bot:
            acc[2] += 1
            count(dims, (link, hour, "bot_agent", agent), quarter, at)
            continue
        acc[0] += 1
        if placement == "widget":
            acc[3] += 1
        if acc[4] is None or at > acc[4]:
            acc[4] = at
        key = (slot, client)
        clients[key] = clients.get(key, 0) + 1
        count(dims, (link, hour, "client", client), quarter, at)
        count(dims, (link, hour, "platform", platform), quarter, at)
        count(dims, (link, hour, "placement", placement), quarter, at)
        if referrer is not None:
            count(dims, (link, hour, "referrer", referrer), quarter, at)
        seen = (link, visitor)
        first = firsts.get(seen)
        if first is None or slot < first:
            firsts[seen] = slot
    _first_seen(conn, firsts, slots)

    _upsert(conn, rollup_link_slots, ("link_id", "slot"), _COUNTS, "last_scan", [
        (link, slot, *acc) for (link, slot), acc in slots.items()
    ])  # fmt: skip
    per_day: dict[tuple[int, str], list] = {}
    day_of: dict[int, str] = {}
    for (link, slot), acc in slots.items():
        local = day_of.get(slot)
        if local is None:
            local = day_of[slot] = days.day_of(slot).isoformat()
        day = per_day.get((link, local))
        if day is None:
            day = per_day[link, local] = [0, 0, 0, 0, None]
        for i in range(4):
            day[i] += acc[i]
        if acc[4] is not None and (day[4] is None or acc[4] > day[4]):
            day[4] = acc[4]
    _upsert(conn, rollup_link_days, ("link_id", "day"), _COUNTS, "last_scan", [
        (link, day, *acc) for (link, day), acc in per_day.items()
    ])  # fmt: skip
    _upsert(conn, rollup_client_slots, ("slot", "client"), ("scans",), None, [
        (slot, client, n) for (slot, client), n in clients.items()
    ])  # fmt: skip
    _upsert(conn, rollup_link_dims, ("link_id", "hour", "dim", "value"), _QUARTERS, "last_seen", [
        (*key, *acc) for key, acc in dims.items()
    ])  # fmt: skip


_COUNTS = ("scans", "uniques", "bots", "widget_scans")
_QUARTERS = ("q0", "q1", "q2", "q3")


def _count_dim(dims: dict, key: tuple, quarter: int, at: str) -> None:
    acc = dims.get(key)
    if acc is None:
        acc = dims[key] = [0, 0, 0, 0, at]
    acc[quarter] += 1
    if at > acc[4]:
        acc[4] = at


#: Known first slots of a batch's visitors, in one statement whatever the links.
_KNOWN = {
    # arrays in binary (text arrays cost psycopg a regex per element); LIMIT keeps the
    # look-up a primary-key probe per pair, never a hash join over the whole table
    "postgresql": (
        "SELECT k.link_id, k.visitor, v.slot"
        " FROM unnest(CAST(%b AS bigint[]), CAST(%b AS varchar[])) AS k(link_id, visitor)"
        " CROSS JOIN LATERAL (SELECT slot FROM rollup_visitors AS r"
        " WHERE r.link_id = k.link_id AND r.visitor = k.visitor LIMIT 1) AS v"
    ),
    # the batch's pairs as one JSON array, each looked up by the primary key
    "sqlite": (
        "SELECT v.link_id, v.visitor, v.slot FROM json_each(?) AS k CROSS JOIN rollup_visitors AS v"
        " WHERE v.link_id = json_extract(k.value, '$[0]')"
        " AND v.visitor = json_extract(k.value, '$[1]')"
    ),
}


def _first_seen(conn: Connection, firsts: dict[tuple[int, str], int], slots: dict) -> None:
    """Store each visitor's first slot; move ``uniques`` where a visitor was seen earlier."""
    v = rollup_visitors.c
    pairs = list(firsts)
    if conn.dialect.name == "postgresql":
        params = ([p[0] for p in pairs], [p[1] for p in pairs])
    else:
        params = (json.dumps(pairs, separators=(",", ":")),)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_KNOWN[conn.dialect.name], params)
        known = {(link, visitor): slot for link, visitor, slot in cursor.fetchall()}
    finally:
        cursor.close()
    new, moved = [], []
    for pair, slot in firsts.items():
        old = known.get(pair)
        if old is not None and old <= slot:
            continue
        link = pair[0]
        if old is None:
            new.append((link, pair[1], slot))
        else:
            moved.append({"l": link, "v": pair[1], "s": slot})
            slots.setdefault((link, old), [0, 0, 0, 0, None])[1] -= 1
        acc = slots.get((link, slot))
        if acc is None:
            acc = slots[link, slot] = [0, 0, 0, 0, None]
        acc[1] += 1
    insert_rows(conn, "rollup_visitors", ("link_id", "visitor", "slot"), new)
    if moved:
        conn.execute(
            rollup_visitors.update()
            .where(v.link_id == bindparam("l"), v.visitor == bindparam("v"))
            .values(slot=bindparam("s")),
            moved,
        )


_UPSERTS: dict[tuple[str, str], str] = {}


def _upsert(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    adds: tuple[str, ...],
    latest: str | None,
    rows: list[tuple],
) -> None:
    """Insert ``rows`` (tuples of keys, adds, latest); on a key that exists, add the ``adds``
    columns and keep the later ``latest``.

    One ``executemany`` on SQLite; one statement over arrays (``unnest``) on
    PostgreSQL, where a row per statement cost the server more than the rest
    of the batch. Each statement is built once per dialect and table.
    """
    if not rows:
        return
    dialect = conn.dialect.name
    sql = _UPSERTS.get((dialect, table.name))
    if sql is None:
        sql = _UPSERTS[dialect, table.name] = _upsert_sql(conn, table, keys, adds, latest)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if dialect == "postgresql":
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        else:
            cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _upsert_sql(
    conn: Connection, table: Table, keys: tuple, adds: tuple, latest: str | None
) -> str:
    name = table.name
    columns = (*keys, *adds, *((latest,) if latest else ()))
    changes = [f"{c} = {name}.{c} + excluded.{c}" for c in adds]
    if latest is not None:
        old, new = f"{name}.{latest}", f"excluded.{latest}"
        changes.append(
            f"{latest} = CASE WHEN {old} IS NULL THEN {new}"
            f" WHEN {new} > {old} THEN {new} ELSE {old} END"
        )
    if conn.dialect.name == "postgresql":
        types = [table.c[c].type.compile(dialect=conn.dialect) for c in columns]
        casts = ", ".join(f"CAST(%b AS {t}[])" for t in types)  # binary: see _KNOWN
        source = f"SELECT * FROM unnest({casts})"  # noqa: S608 - our own names
    else:
        source = "VALUES (" + ", ".join("?" * len(columns)) + ")"
    return (
        f"INSERT INTO {name} ({', '.join(columns)}) {source}"  # noqa: S608 - our own names
        f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(changes)}"
    )


# -- from raw rows ----------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside :func:`rebuild`'s transaction to undo it."""


def rebuild(engine: Engine, days: Days, *, dry_run: bool = False) -> dict[str, tuple[int, int]]:
    """Derive every roll-up from raw rows again; ``{table: (wrong or extra, missing)}``.

    "Wrong or extra" counts stored rows the raw rows do not give; "missing"
    counts rows they give that were not stored (a wrong row shows on both
    sides). Compared in SQL against a copy, so millions of rows never pass
    through Python. With ``dry_run`` the stored roll-ups are left as they were.
    """
    differences: dict[str, tuple[int, int]] = {}
    try:
        with write(engine) as conn:
            serialise(conn)
            for table in TABLES:  # names below are this module's own constants
                copy = f"CREATE TEMP TABLE old_{table.name} AS SELECT * FROM {table.name}"  # noqa: S608
                conn.execute(text(copy))
            _build(conn, days)
            for table in TABLES:
                name = table.name
                differences[name] = tuple(
                    conn.execute(text(
                        f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT SELECT * FROM {b}) AS d"  # noqa: S608
                    )).scalar_one()
                    for a, b in ((f"old_{name}", name), (name, f"old_{name}"))
                )  # fmt: skip
                conn.execute(text(f"DROP TABLE old_{name}"))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return differences


def horizon_slot(conn: Connection) -> int | None:
    """The first slot whose raw rows are all kept (``flask prune``'s horizon); ``None``: all are."""
    pruned = conn.execute(select(retention_state.c.pruned_before)).scalar()
    return None if pruned is None else seconds_of(pruned) // SLOT


def _empty_from(conn: Connection, since: int | None) -> None:
    """Delete the roll-ups a build fills: all of them, or those from slot ``since`` on.

    Before the horizon the raw rows are gone, so the roll-ups there stay.
    The horizon is a whole hour: its slot starts an hour of the breakdowns.
    """
    if since is None:
        for table in (*TABLES, rollup_state):
            conn.execute(delete(table))
        return
    conn.execute(delete(rollup_visitors).where(rollup_visitors.c.slot >= since))
    conn.execute(delete(rollup_link_slots).where(rollup_link_slots.c.slot >= since))
    conn.execute(delete(rollup_link_dims).where(rollup_link_dims.c.hour >= since // 4))
    conn.execute(delete(rollup_client_slots).where(rollup_client_slots.c.slot >= since))
    conn.execute(delete(rollup_state))  # rollup_link_days: re-summed from every slot below


def _build(conn: Connection, days: Days) -> None:
    """Fill every roll-up from ``scans`` (set-based; one transaction), from the horizon on."""
    since = horizon_slot(conn)
    _empty_from(conn, since)
    d = conn.dialect.name
    slot = slot_expression(d)
    link = scans.c.link_id
    kept = true() if since is None else scans.c.hour >= since // 4
    human, bot = and_(kept, scans.c.is_bot.is_(False)), and_(kept, scans.c.is_bot.is_(True))
    v = rollup_visitors.c
    first_seen_rows = select(link, scans.c.visitor, func.min(slot)).where(human)
    if since is not None:  # a visitor first seen before the horizon stays first seen there
        earlier = rollup_visitors.alias("earlier")
        first_seen_rows = first_seen_rows.where(
            ~exists().where(earlier.c.link_id == link, earlier.c.visitor == scans.c.visitor)
        )
    conn.execute(
        rollup_visitors.insert().from_select(
            ["link_id", "visitor", "slot"],
            first_seen_rows.group_by(link, scans.c.visitor),
        )
    )
    no_time = cast(null(), DateTime)
    zero = literal(0)
    counted = select(
        link.label("link_id"), slot.label("slot"), func.count().filter(human).label("scans"),
        zero.label("uniques"), func.count().filter(bot).label("bots"),
        func.count().filter(human, scans.c.placement == "widget").label("widget_scans"),
        func.max(case((human, scans.c.ts))).label("last_scan"),
    ).where(kept).group_by(link, slot)  # fmt: skip
    first_seen = select(v.link_id, v.slot, zero, func.count(), zero, zero, no_time).group_by(
        v.link_id, v.slot
    )
    if since is not None:
        first_seen = first_seen.where(v.slot >= since)
    both = union_all(counted, first_seen).subquery()
    conn.execute(
        rollup_link_slots.insert().from_select(
            ["link_id", "slot", "scans", "uniques", "bots", "widget_scans", "last_scan"],
            select(
                both.c.link_id, both.c.slot, func.sum(both.c.scans), func.sum(both.c.uniques),
                func.sum(both.c.bots), func.sum(both.c.widget_scans), func.max(both.c.last_scan),
            ).group_by(both.c.link_id, both.c.slot),
        )
    )  # fmt: skip
    quarter = slot - scans.c.hour * 4
    for dim, column, bots in DIMS:
        value = scans.c[column]
        conn.execute(
            rollup_link_dims.insert().from_select(
                ["link_id", "hour", "dim", "value", "q0", "q1", "q2", "q3", "last_seen"],
                select(
                    link, scans.c.hour, literal(dim), value,
                    *(func.sum(case((quarter == q, 1), else_=0)) for q in range(4)),
                    func.max(scans.c.ts),
                ).where(bot if bots else human, value.is_not(None))
                .group_by(link, scans.c.hour, value),
            )
        )  # fmt: skip
    conn.execute(
        rollup_client_slots.insert().from_select(
            ["slot", "client", "scans"],
            select(slot, scans.c.client, func.count()).where(human).group_by(slot, scans.c.client),
        )
    )
    _sum_days(conn, days)
    conn.execute(rollup_state.insert().values(id=1, timezone=days.key))


def _sum_days(conn: Connection, days: Days) -> None:
    """Refill ``rollup_link_days`` from the slots, in the local days of ``days``.

    One statement: a slot's day is worked out in SQL with the UTC offset of
    its run of slots (a DST zone has two runs a year), then grouped.
    """
    conn.execute(delete(rollup_link_days))
    s = rollup_link_slots.c
    first, last = conn.execute(select(func.min(s.slot), func.max(s.slot))).one()
    if first is None:
        return
    day = local_day_of_runs(conn.dialect.name, s.slot, days.offsets(first, last + 1))
    each = select(
        s.link_id, day.label("day"), s.scans, s.uniques, s.bots, s.widget_scans, s.last_scan
    ).subquery()
    e = each.c
    conn.execute(
        rollup_link_days.insert().from_select(
            ["link_id", "day", "scans", "uniques", "bots", "widget_scans", "last_scan"],
            select(
                e.link_id, e.day, func.sum(e.scans), func.sum(e.uniques), func.sum(e.bots),
                func.sum(e.widget_scans), func.max(e.last_scan),
            ).group_by(e.link_id, e.day),
        )
    )  # fmt: skip
