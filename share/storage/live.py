"""The live view's queries: the last minutes of raw scans, read through an index on time.

Everything else on the dashboard reads roll-ups; the live view wants minutes,
which no roll-up keeps, so it reads the raw rows of the last half hour only,
through ``ix_scans_ts`` (migration 0015). The cost is the recent rows, never
the table: a site with 10 million scans pays what one with 10 thousand pays
for the same traffic in the last 30 minutes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.sql.elements import ColumnElement

from .engine import read
from .schema import links, scans


def _minute(dialect: str) -> ColumnElement:
    """The scan's UTC minute as text ``YYYY-MM-DD HH:MM`` (the same on both engines)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M", scans.c.ts)
    return func.to_char(scans.c.ts, "YYYY-MM-DD HH24:MI")


def per_minute(engine: Engine, since: datetime, until: datetime) -> dict[str, tuple[int, int]]:
    """``{minute: (human scans, bots)}`` for scans stored in ``[since, until)`` (naive UTC)."""
    with read(engine) as conn:
        minute = _minute(conn.dialect.name).label("minute")
        rows = conn.execute(
            select(minute, scans.c.is_bot, func.count())
            .where(scans.c.ts >= since, scans.c.ts < until)
            .group_by(minute, scans.c.is_bot)
        ).all()
    out: dict[str, list[int]] = {}
    for key, is_bot, n in rows:
        out.setdefault(key, [0, 0])[1 if is_bot else 0] += int(n)
    return {key: (v[0], v[1]) for key, v in out.items()}


def top_links(engine: Engine, since: datetime, until: datetime, limit: int = 5) -> list[dict]:
    """The links with the most human scans in ``[since, until)``: id, code, titles, URL, scans."""
    with read(engine) as conn:
        counted = (
            select(scans.c.link_id, func.count().label("scans"))
            .where(scans.c.ts >= since, scans.c.ts < until, scans.c.is_bot.is_(False))
            .group_by(scans.c.link_id)
            .subquery()
        )
        rows = conn.execute(
            select(
                links.c.code,
                links.c.url,
                links.c.title,
                links.c.title_override,
                counted.c.scans,
            )
            .join(counted, counted.c.link_id == links.c.id)
            .where(links.c.deleted_at.is_(None))
            .order_by(counted.c.scans.desc(), links.c.id)
            .limit(limit)
        ).all()
    return [
        {
            "code": r.code,
            "url": r.url,
            "title": r.title_override or r.title,
            "scans": int(r.scans),
        }
        for r in rows
    ]
