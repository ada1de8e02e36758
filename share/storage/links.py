"""Queries on the ``links`` table.

A deleted link's row stays as a tombstone (``deleted_at`` set, see
:mod:`.deletion`): lookups by code still find it, so callers can tell
"deleted" from "never existed", but listings and updates skip it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from .engine import read, write
from .schema import links
from .tags import tagged


class DuplicateCode(Exception):
    """The random code is taken; the caller draws another."""


def get_by_code(engine: Engine, code: str) -> dict[str, Any] | None:
    """The raw row, overrides in their own columns, or None; ``Link.from_row`` merges them.

    A tombstone is returned too (``deleted_at`` set): the caller answers 410 for it.
    """
    with read(engine) as conn:
        row = conn.execute(select(links).where(links.c.code == code)).mappings().first()
    return dict(row) if row else None


def get_by_url(engine: Engine, url: str) -> dict[str, Any] | None:
    """The row for exactly this URL, or None: pass it normalised, as ``links.url`` stores it."""
    with read(engine) as conn:
        row = conn.execute(select(links).where(links.c.url == url)).mappings().first()
    return dict(row) if row else None


def insert(engine: Engine, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Insert a link; return ``(row, created)``.

    When another request registered the same URL first, answer that row
    (created=False) instead of failing: the URL is unique. A clash on the code
    raises :class:`DuplicateCode`.
    """
    try:
        with write(engine) as conn:
            existing = _by_url(conn, values["url"])
            if existing:
                return existing, False
            conn.execute(links.insert().values(**values))
            return _by_url(conn, values["url"]), True
    except IntegrityError as exc:
        existing = get_by_url(engine, values["url"])
        if existing:
            return existing, False
        raise DuplicateCode(values["code"]) from exc


def _by_url(conn: Connection, url: str) -> dict[str, Any] | None:
    row = conn.execute(select(links).where(links.c.url == url)).mappings().first()
    return dict(row) if row else None


def update_by_code(
    engine: Engine, code: str, values: dict[str, Any], *, bump_meta: bool = False
) -> dict[str, Any] | None:
    """Change columns of one live link; ``bump_meta`` invalidates cached cards.

    The changed row, or None: a deleted link is never changed (so never switched back on,
    nor given back a title by a fetch that finishes after the deletion).
    """
    with write(engine) as conn:
        live = (links.c.code == code) & links.c.deleted_at.is_(None)
        stmt = update(links).where(live).values(**values)
        if bump_meta:
            stmt = stmt.values(meta_version=links.c.meta_version + 1)
        conn.execute(stmt)
        row = conn.execute(select(links).where(live)).mappings().first()
    return dict(row) if row else None


def page(
    engine: Engine, limit: int, before: tuple[datetime, int] | None, tag_key: str | None = None
) -> list[dict[str, Any]]:
    """Newest first, keyset-paged by ``(created_at, id)``; deleted links are left out.

    ``tag_key`` keeps only the links carrying that tag (``share.storage.tags``).
    """
    stmt = (
        select(links)
        .where(links.c.deleted_at.is_(None))
        .order_by(links.c.created_at.desc(), links.c.id.desc())
        .limit(limit)
    )
    if tag_key is not None:
        stmt = stmt.where(links.c.id.in_(tagged(tag_key)))
    if before is not None:
        created, link_id = before
        stmt = stmt.where(
            (links.c.created_at < created)
            | ((links.c.created_at == created) & (links.c.id < link_id))
        )
    with read(engine) as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def redirect_target(conn: Connection, code: str) -> tuple[int, str, bool] | None:
    """``(id, url, disabled)`` for the redirect hot path, on an open connection.

    A deleted link is disabled too (:mod:`.deletion`), so it is refused like one.
    """
    row = conn.execute(
        select(links.c.id, links.c.url, links.c.disabled).where(links.c.code == code)
    ).first()
    return (row[0], row[1], bool(row[2])) if row else None
