"""What the dashboard shows: totals, charts and top articles, in the admin's time zone.

Storage is UTC (``scans.hour`` counts hours since the epoch); a *day* here is
a local day in the configured zone, turned into its UTC hour range with
:mod:`zoneinfo` so daylight-saving days have 23 or 25 hours. Zones offset by
half an hour are rounded down to the hour (scans carry whole hours only).
Widget opens are filed by UTC day (see :mod:`share.opens`) and summed by
those days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from .storage import dashboard as store
from .storage import rollups
from .useragents import CLIENTS

PERIODS = {"today": 1, "7d": 7, "30d": 30, "all": None}
CHARTS = {"24h": None, "7d": 7, "30d": 30, "90d": 90}


def hour_of(moment: datetime) -> int:
    return int(moment.timestamp() // 3600)


def day_start_hour(day: date, tz: ZoneInfo) -> int:
    """The UTC hour (since the epoch) in which local ``day`` begins."""
    return hour_of(datetime.combine(day, time(0), tz))


def local_day(hour: int, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(hour * 3600, UTC).astimezone(tz).date()


def local_today(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(tz).date()


def refresh(engine: Engine, tz: ZoneInfo, now: datetime | None = None) -> None:
    """Bring the roll-ups up to now: the days since the last refresh, today included."""
    today = local_today(tz, now)
    state = rollups.state(engine)
    if state is None or state[0] != tz.key:
        oldest = rollups.first_hour(engine)
        start = min(local_day(oldest, tz), today) if oldest is not None else today
        rollups.reset(engine, tz.key, start)
    else:
        start = min(state[1], today)
    day = start
    while day <= today:
        nxt = day + timedelta(days=1)
        rollups.rebuild_day(engine, day, day_start_hour(day, tz), day_start_hour(nxt, tz))
        day = nxt


def client_order(counts: dict[str, int]) -> list[str]:
    """WeChat first, then by scans, then the fixed order of :data:`CLIENTS`."""
    rank = {c: i for i, c in enumerate(CLIENTS)}
    rest = sorted((c for c in counts if c != "wechat"), key=lambda c: (-counts[c], rank.get(c, 99)))
    return (["wechat"] if "wechat" in counts else []) + rest


def overview(engine: Engine, tz: ZoneInfo, chart: str = "30d", now: datetime | None = None) -> dict:
    """Totals for today/7 d/30 d/all and the chart of human scans split by client."""
    now = now or datetime.now(UTC)
    refresh(engine, tz, now)
    today = local_today(tz, now)
    periods = {
        name: None if days is None else today - timedelta(days=days - 1)
        for name, days in PERIODS.items()
    }
    totals = store.totals(engine, periods)
    for numbers in totals.values():
        opens = numbers["opens"]
        numbers["scans_per_open"] = round(numbers["widget_scans"] / opens, 3) if opens else None
    return {
        "timezone": tz.key,
        "today": today.isoformat(),
        "totals": totals,
        "chart": chart_series(engine, tz, chart, now),
    }


def chart_series(engine: Engine, tz: ZoneInfo, chart: str, now: datetime) -> dict:
    """Buckets ``[{"t", "total", "clients": {…}}]`` for the last 24 h or N local days."""
    if chart not in CHARTS:
        chart = "30d"
    if CHARTS[chart] is None:
        end = hour_of(now) + 1
        starts = list(range(end - 24, end))
        labels = [
            datetime.fromtimestamp(h * 3600, UTC).astimezone(tz).strftime("%m-%d %H:00")
            for h in starts
        ]
    else:
        today = local_today(tz, now)
        days = [today - timedelta(days=n) for n in range(CHARTS[chart] - 1, -1, -1)]
        starts = [day_start_hour(d, tz) for d in days]
        end = day_start_hour(today + timedelta(days=1), tz)
        labels = [d.isoformat() for d in days]
    buckets = [dict() for _ in starts]
    for hour, client, n in store.client_hours(engine, starts[0], end):
        index = _bucket_index(starts, hour)
        buckets[index][client] = buckets[index].get(client, 0) + n
    overall: dict[str, int] = {}
    for bucket in buckets:
        for client, n in bucket.items():
            overall[client] = overall.get(client, 0) + n
    order = client_order(overall)
    series = [
        {"t": label, "total": sum(b.values()), "clients": {c: b.get(c, 0) for c in order}}
        for label, b in zip(labels, buckets, strict=True)
    ]
    return {
        "range": chart,
        "bucket": "hour" if CHARTS[chart] is None else "day",
        "clients": order,
        "series": series,
    }


def _bucket_index(starts: list[int], hour: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, hour) - 1


@dataclass(frozen=True)
class TopQuery:
    q: str = ""
    sort: str = "scans_7d"
    desc: bool = True
    page: int = 1
    per_page: int = 25

    @classmethod
    def parse(cls, args) -> TopQuery:
        """Clamp raw query arguments; anything odd falls back to the default."""
        sort = args.get("sort", "scans_7d")
        page = args.get("page", "1")
        return cls(
            q=(args.get("q") or "").strip()[:200],
            sort=sort if sort in store.SORTS else "scans_7d",
            desc=args.get("order", "desc") != "asc",
            page=min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1,
        )


def top_articles(
    engine: Engine, tz: ZoneInfo, query: TopQuery, now: datetime | None = None, *, fresh=False
):
    """A page of articles with scans 7 d / 30 d / all and the last scan.

    ``fresh=True`` says the caller has just refreshed the roll-ups (the
    overview page does, for its totals), so they are not brought up to date twice.
    """
    now = now or datetime.now(UTC)
    if not fresh:
        refresh(engine, tz, now)
    today = local_today(tz, now)
    rows, count = store.top_links(
        engine,
        today - timedelta(days=6),
        today - timedelta(days=29),
        q=query.q,
        sort=query.sort,
        desc=query.desc,
        limit=query.per_page,
        offset=(query.page - 1) * query.per_page,
    )
    pages = max(1, -(-count // query.per_page))
    return rows, count, pages
