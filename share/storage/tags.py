"""Queries on ``link_tags``: a link's tags, the links of a tag, and tags with their scans.

Tags arrive checked and keyed (:mod:`share.links.tags`); here they are rows.
Orders are made in Python on ``(tag_key, tag)``, so SQLite and PostgreSQL
(whose collations differ) list tags alike. Deleted links' tags are gone
with them (:mod:`.deletion`), and every listing also keeps to live links.
Scans come from ``rollup_link_slots`` (human scans), never from raw scans.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, delete, func, insert, select

from .engine import read, write
from .schema import link_tags, links, rollup_link_slots

_CHUNK = 500  # link ids per IN list
_LIVE = links.c.deleted_at.is_(None)


@contextmanager
def _connected(conn_or_engine: Connection | Engine) -> Iterator[Connection]:
    """The caller's open connection as is, or a read connection on an engine."""
    if isinstance(conn_or_engine, Connection):
        yield conn_or_engine
    else:
        with read(conn_or_engine) as conn:
            yield conn


def replace(engine: Engine, link_id: int, tags: list[tuple[str, str]]) -> bool:
    """Make ``[(key, shown)]`` the live link's whole set of tags; False when it is not live."""
    with write(engine) as conn:
        live = conn.execute(select(links.c.id).where(links.c.id == link_id, _LIVE)).scalar()
        if live is None:  # deleted meanwhile: its tombstone holds no tags
            return False
        conn.execute(delete(link_tags).where(link_tags.c.link_id == link_id))
        if tags:
            conn.execute(
                insert(link_tags),
                [{"link_id": link_id, "tag_key": key, "tag": shown} for key, shown in tags],
            )
    return True


def tags_of(conn_or_engine: Connection | Engine, link_id: int) -> list[str]:
    """The link's tags as written, ordered by key."""
    return tags_for(conn_or_engine, [link_id]).get(link_id, [])


def first_tag(conn_or_engine: Connection | Engine, link_id: int) -> str | None:
    """The link's first tag in display order (the ``{tag}`` of a UTM template), or None."""
    found = tags_of(conn_or_engine, link_id)
    return found[0] if found else None


def tags_for(conn_or_engine: Connection | Engine, link_ids: Iterable[int]) -> dict[int, list[str]]:
    """``{link_id: [tag, …]}`` for many links in a few queries (a page of the API list)."""
    ids = sorted(set(link_ids))
    rows: dict[int, list[tuple[str, str]]] = {}
    with _connected(conn_or_engine) as conn:
        for start in range(0, len(ids), _CHUNK):
            t = link_tags.c
            stmt = select(t.link_id, t.tag_key, t.tag).where(
                t.link_id.in_(ids[start : start + _CHUNK])
            )
            for link_id, key, shown in conn.execute(stmt):
                rows.setdefault(link_id, []).append((key, shown))
    return {link_id: [shown for _key, shown in sorted(pairs)] for link_id, pairs in rows.items()}


def tagged(key: str):
    """A subquery of the live links' ids carrying the tag ``key``, for ``IN`` filters."""
    return (
        select(link_tags.c.link_id)
        .join(links, links.c.id == link_tags.c.link_id)
        .where(link_tags.c.tag_key == key, _LIVE)
    )


def link_ids(engine: Engine, key: str) -> list[int]:
    """The live links carrying the tag ``key``, oldest first."""
    with read(engine) as conn:
        return sorted(conn.execute(tagged(key)).scalars())


def shown(engine: Engine, key: str) -> str | None:
    """How the tag ``key`` is shown: as written on its oldest live link; None when unused."""
    stmt = (
        select(link_tags.c.tag)
        .join(links, links.c.id == link_tags.c.link_id)
        .where(link_tags.c.tag_key == key, _LIVE)
        .order_by(link_tags.c.link_id)
        .limit(1)
    )
    with read(engine) as conn:
        return conn.execute(stmt).scalar()


def summary(engine: Engine, since_slot: int) -> list[dict]:
    """Every tag in use: ``{tag, links, scans}``, human scans from ``since_slot`` on.

    Each tag is shown as written on its oldest live link. Most scans first,
    then by key. Two grouped reads, whatever the number of scans.
    """
    t, s = link_tags.c, rollup_link_slots.c
    uses = (
        select(t.tag_key, t.tag, t.link_id)
        .join(links, links.c.id == t.link_id)
        .where(_LIVE)
        .order_by(t.link_id)
    )
    scans = (
        select(t.tag_key, func.sum(s.scans))
        .join(links, links.c.id == t.link_id)
        .join(rollup_link_slots, s.link_id == t.link_id)
        .where(_LIVE, s.slot >= since_slot)
        .group_by(t.tag_key)
    )
    out: dict[str, dict] = {}
    with read(engine) as conn:
        for key, tag, _link_id in conn.execute(uses):
            entry = out.setdefault(key, {"tag": tag, "links": 0, "scans": 0})
            entry["links"] += 1
        for key, n in conn.execute(scans):
            if key in out:
                out[key]["scans"] = int(n or 0)
    return [out[key] for key in sorted(out, key=lambda k: (-out[k]["scans"], k))]
