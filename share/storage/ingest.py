"""Storing scans: the rows, their roll-ups and (for the spool) its position, in one transaction.

The ingester hands over a batch of scan rows read from one spool file and
the offset just past them; rows, roll-ups (:mod:`.rollups`) and offset are
written in one write transaction, so after a crash the database holds all
of them or none. A row whose link no longer exists, or was deleted (its
tombstone stays, :mod:`.deletion`), is dropped rather than failing the batch
or counting again what the deletion removed. :func:`record_direct` is the
same for one scan when the spool cannot be written (or is switched off).
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from . import rollups
from .engine import bulk_insert, read, write
from .schema import links, scans, spool_positions

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
#: Every column of a scan row but its id, as the ingester hands rows over.
_COLUMNS = tuple(c.name for c in scans.columns if c.name != "id")


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
    """Store ``rows`` (read from ``file`` between ``start`` and ``end``) with their roll-ups.

    The position moves from ``start`` to ``end`` in the same transaction. If
    it is not at ``start`` any more (another ingester stored this batch
    first), nothing is written and ``None`` comes back: a batch is stored
    once, whatever races the ingesters run.
    """
    position = _INSERTS[engine.dialect.name](spool_positions).values(
        spool_id=spool_id, file=file, offset=end
    )
    position = position.on_conflict_do_update(
        index_elements=[spool_positions.c.spool_id, spool_positions.c.file],
        set_={"offset": end},
    )
    p = spool_positions.c
    with write(engine) as conn:
        rollups.serialise(conn)
        stored = conn.execute(
            select(p.offset).where(p.spool_id == spool_id, p.file == file)
        ).scalar()
        if (stored or 0) != start:
            return None
        rollups.prepare(conn, days)
        live = set()
        ids = list({row["link_id"] for row in rows})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            live.update(
                conn.execute(
                    select(links.c.id).where(links.c.id.in_(chunk), links.c.deleted_at.is_(None))
                ).scalars()
            )
        kept = [row for row in rows if row["link_id"] in live]
        if kept:
            bulk_insert(conn, scans, _COLUMNS, kept)
            rollups.apply(conn, kept, days)
        conn.execute(position)
    return len(kept)


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
        stored = [{**row, "link_id": link_id}]
        bulk_insert(conn, scans, _COLUMNS, stored)
        rollups.apply(conn, stored, days)
    return True


def forget(engine: Engine, spool_id: str, file: str) -> None:
    """Drop the position of a spool file that has been deleted."""
    p = spool_positions.c
    with write(engine) as conn:
        conn.execute(delete(spool_positions).where(p.spool_id == spool_id, p.file == file))
