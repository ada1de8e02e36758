"""Aggregate queries over scans of one link, by whole-hour ranges.

Ranges are ``[first_hour, end_hour)`` in hours since the epoch (UTC), the
integer stored in ``scans.hour``, so the same SQL serves SQLite and
PostgreSQL and uses the ``(link_id, hour)`` index.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, and_, case, distinct, func, select

from .engine import read
from .schema import scans, widget_opens


def link_stats(
    engine: Engine,
    link_id: int,
    first_hour: int,
    end_hour: int,
    bucket_hours: int,
    first_day: date,
    last_day: date,
) -> dict:
    in_range = and_(scans.c.link_id == link_id, scans.c.hour >= first_hour, scans.c.hour < end_hour)
    human = and_(in_range, scans.c.is_bot.is_(False))
    # Day buckets are numbered from the range's first day; hour buckets are the hour itself.
    bucket = (scans.c.hour - first_hour) // bucket_hours if bucket_hours > 1 else scans.c.hour
    with read(engine) as conn:
        total, unique, bots = conn.execute(
            select(
                func.count().filter(scans.c.is_bot.is_(False)),
                func.count(distinct(case((scans.c.is_bot.is_(False), scans.c.visitor)))),
                func.count().filter(scans.c.is_bot.is_(True)),
            ).where(in_range)
        ).one()
        series = conn.execute(
            select(bucket.label("b"), func.count(), func.count(distinct(scans.c.visitor)))
            .where(human)
            .group_by("b")
        ).all()
        breakdowns = {}
        for column in ("client", "platform", "placement"):
            col = scans.c[column]
            rows = conn.execute(select(col, func.count()).where(human).group_by(col)).all()
            breakdowns[column] = {k: n for k, n in sorted(rows, key=lambda r: (-r[1], r[0]))}
        referrers = conn.execute(
            select(scans.c.referrer_host, func.count().label("n"))
            .where(human, scans.c.referrer_host.is_not(None))
            .group_by(scans.c.referrer_host)
            .order_by(func.count().desc(), scans.c.referrer_host)
            .limit(10)
        ).all()
        opens = conn.execute(
            select(func.coalesce(func.sum(widget_opens.c.opens), 0)).where(
                widget_opens.c.link_id == link_id,
                widget_opens.c.day >= first_day,
                widget_opens.c.day <= last_day,
            )
        ).scalar_one()
    return {
        "total": total,
        "unique": unique,
        "bots": bots,
        "opens": int(opens),
        "series": {int(b): (n, u) for b, n, u in series},
        "by_client": breakdowns["client"],
        "by_platform": breakdowns["platform"],
        "by_placement": breakdowns["placement"],
        "top_referrers": [{"referrer": r, "scans": n} for r, n in referrers],
    }
