"""Writing spooled scans: rows and the spool position in one transaction.

The ingester hands over a batch of scan rows read from one spool file and
the offset just past them; both are written in one write transaction, so
after a crash the database holds either the rows and the new position or
neither. A row whose link no longer exists is dropped (``WHERE EXISTS``)
rather than failing the batch.
"""

from __future__ import annotations

from sqlalchemy import Engine, bindparam, delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite

from .engine import read, write
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


def _insert_rows():
    params = [bindparam(name, type_=scans.c[name].type) for name in _COLUMNS]
    live = select(*params).where(exists().where(links.c.id == bindparam("link_id")))
    return scans.insert().from_select(list(_COLUMNS), live)


def ingest(engine: Engine, spool_id: str, file: str, offset: int, rows: list[dict]) -> None:
    """Insert ``rows`` and move ``file``'s position to ``offset``, atomically."""
    position = _INSERTS[engine.dialect.name](spool_positions).values(
        spool_id=spool_id, file=file, offset=offset
    )
    position = position.on_conflict_do_update(
        index_elements=[spool_positions.c.spool_id, spool_positions.c.file],
        set_={"offset": offset},
    )
    with write(engine) as conn:
        if rows:
            conn.execute(_insert_rows(), rows)
        conn.execute(position)


def forget(engine: Engine, spool_id: str, file: str) -> None:
    """Drop the position of a spool file that has been deleted."""
    p = spool_positions.c
    with write(engine) as conn:
        conn.execute(delete(spool_positions).where(p.spool_id == spool_id, p.file == file))
