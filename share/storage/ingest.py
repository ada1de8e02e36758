"""Storing scans: the rows, their roll-ups and (for the spool) its position, in one transaction.

The ingester hands over a batch of scans read from the spool's files and
each file's offset just past them; rows, roll-ups (:mod:`.rollups`) and
offsets are written in one write transaction, so after a crash the database
holds all of them or none. Rows travel as plain tuples written through the
driver (:mod:`.scanrows`): the ingester's CPU per scan is the redirect's. A
row whose link no longer exists, or was deleted (its tombstone stays,
:mod:`.deletion`), is dropped rather than failing the batch or counting
again what the deletion removed. :func:`record_direct` is the
same for one scan when the spool cannot be written (or is switched off).
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from . import rollups, scanrows
from .engine import read, write
from .schema import links, spool_positions

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def positions(engine: Engine, spool_id: str) -> dict[str, int]:
    """``{file name: ingested offset}`` of one spool."""
    p = spool_positions.c
    with read(engine) as conn:
        rows = conn.execute(select(p.file, p.offset).where(p.spool_id == spool_id)).all()
    return {name: int(offset) for name, offset in rows}


def ingest(
    engine: Engine,
    spool_id: str,
    file: str,
    start: int,
    end: int,
    rows: list[dict],
    days: rollups.Days,
) -> int | None:
    """Store ``rows`` (``scans`` rows as dicts, read from ``file`` between ``start`` and ``end``).

    :func:`ingest_batch` for one file's rows given as dicts.
    """
    values = [scanrows.values_of(row) for row in rows]
    return ingest_batch(engine, spool_id, [(file, start, end)], values, days)


def ingest_batch(
    engine: Engine,
    spool_id: str,
    moves: list[tuple[str, int, int]],
    values: list,
    days: rollups.Days,
) -> int | None:
    """Store scans (their values in :data:`.scanrows.FIELDS` order) with their roll-ups.

    ``moves`` are ``(file, start, end)``: the spool files the scans were
    read from. Every position moves from ``start`` to ``end`` in the same
    transaction as the rows, so one transaction (one commit, one lock) can
    cover every file that has news. If a position is not at its ``start``
    any more (another ingester stored this batch first), nothing is written
    and ``None`` comes back: a batch is stored once, whatever races the
    ingesters run.
    """
    p = spool_positions.c
    with write(engine) as conn:
        rollups.serialise(conn)
        stored = dict(conn.execute(select(p.file, p.offset).where(p.spool_id == spool_id)).all())
        if any((stored.get(file) or 0) != start for file, start, _ in moves):
            return None
        rollups.prepare(conn, days)
        live = _live(conn, {v[0] for v in values})
        rows = scanrows.shape(v for v in values if v[0] in live)
        if rows:
            scanrows.insert_scans(conn, rows)
            rollups.apply(conn, rows, days)
        for file, _, end in moves:
            conn.execute(_position(engine.dialect.name, spool_id, file, end))
    return len(rows)


#: Which of a batch's link ids exist and are not deleted, in one statement.
_LIVE = {
    "postgresql": "SELECT id FROM links WHERE id = ANY(CAST(%b AS bigint[])) AND deleted_at IS NULL",
    "sqlite": "SELECT id FROM links WHERE id IN (SELECT value FROM json_each(?))"
    " AND deleted_at IS NULL",
}


def _live(conn: Connection, ids: set[int]) -> set[int]:
    """Which of ``ids`` are links that exist and are not deleted."""
    if not ids:
        return set()
    dialect = conn.dialect.name
    found = list(ids) if dialect == "postgresql" else json.dumps(list(ids))
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_LIVE[dialect], (found,))
        return {link for (link,) in cursor.fetchall()}
    finally:
        cursor.close()


def _position(dialect: str, spool_id: str, file: str, end: int):
    position = _INSERTS[dialect](spool_positions).values(spool_id=spool_id, file=file, offset=end)
    return position.on_conflict_do_update(
        index_elements=[spool_positions.c.spool_id, spool_positions.c.file],
        set_={"offset": end},
    )


#: Seconds a directly written scan waits for the roll-up lock (an ingest batch
#: or a rebuild holding it) before the redirect gives up and counts it lost.
DIRECT_WAIT = 2.0


def record_direct(engine: Engine, code: str, row: dict, days: rollups.Days) -> bool:
    """Store one scan of ``code`` with its roll-ups if the link exists and is live.

    Whether it is live is read inside the write transaction, so a link
    switched off a moment ago is never counted. False: nothing written.
    """
    with write(engine) as conn:
        rollups.serialise(conn, wait=DIRECT_WAIT)
        rollups.prepare(conn, days)
        link_id = conn.execute(
            select(links.c.id).where(
                links.c.code == code, links.c.disabled.is_(False), links.c.deleted_at.is_(None)
            )
        ).scalar()
        if link_id is None:
            return False
        stored = scanrows.shape([scanrows.values_of({**row, "link_id": link_id})])
        scanrows.insert_scans(conn, stored)
        rollups.apply(conn, stored, days)
    return True


def forget(engine: Engine, spool_id: str, file: str) -> None:
    """Drop the position of a spool file that has been deleted."""
    p = spool_positions.c
    with write(engine) as conn:
        conn.execute(delete(spool_positions).where(p.spool_id == spool_id, p.file == file))
