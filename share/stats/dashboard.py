"""What the dashboard shows: totals, charts and top articles, in the admin's time zone.

Days and hours are those of the display zone, as instants from
:mod:`share.clock`: a DST day has 23 or 25 hours, a day in a +5:30 zone
begins at half past. Scans come from the roll-ups the ingester keeps: the
per-day ones when they are in the zone asked for, else the per-slot ones
(a zone other than the display zone costs more, never a wrong count).
Widget opens, stored per quarter-hour slot, are summed from the same first
instant, so every column counts scans and opens over the same span.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.links.tags import TagError, clean_tag
from share.scans.useragents import CLIENTS
from share.sharing import clicks, targets
from share.stats.article import channels
from share.storage import dashboard as store
from share.storage import rollups
from share.storage import shares as sharestore
from share.storage import tags as tagstore

PERIODS = {"today": 1, "7d": 7, "30d": 30, "all": None}
CHARTS = {"24h": None, "7d": 7, "30d": 30, "90d": 90}


def _by_day(engine: Engine, tz: ZoneInfo) -> bool:
    """True when the per-day roll-ups are kept in ``tz``'s days (the display zone's)."""
    return rollups.zone(engine) == tz.key


def _since(day: date, tz: ZoneInfo) -> store.Since:
    return store.Since(day, clock.slot_of(clock.day_start(day, tz)))


def client_order(counts: dict[str, int]) -> list[str]:
    """WeChat first, then by scans, then the fixed order of :data:`CLIENTS`."""
    rank = {c: i for i, c in enumerate(CLIENTS)}
    rest = sorted((c for c in counts if c != "wechat"), key=lambda c: (-counts[c], rank.get(c, 99)))
    return (["wechat"] if "wechat" in counts else []) + rest


def overview(
    engine: Engine,
    tz: ZoneInfo,
    chart: str = "30d",
    now: datetime | None = None,
    days: tuple[date, date] | None = None,
) -> dict:
    """Totals for today/7 d/30 d/all and the chart of human scans split by client.

    ``days`` (first, last local day, with ``chart="custom"``) adds a ``range``
    column to the totals, compared with the same number of days before it,
    and charts those days.
    """
    now = now or clock.now()
    today = clock.today(tz, now)
    periods, since_before = {}, {}
    for name, n in PERIODS.items():
        periods[name] = None if n is None else _since(today - timedelta(days=n - 1), tz)
        if n is not None:  # the period and the one of the same length before it
            since_before[BEFORE + name] = _since(today - timedelta(days=2 * n - 1), tz)
    spans = {}
    if days is not None:  # a custom range: from its first day, less from the day after it
        first, last = days
        length = (last - first).days + 1
        spans = {
            RANGE: _since(first, tz),
            AFTER: _since(last + timedelta(days=1), tz),
            BEFORE + RANGE: _since(first - timedelta(days=length), tz),
        }
    totals = store.totals(engine, {**periods, **since_before, **spans}, by_day=_by_day(engine, tz))
    if days is not None:
        after = totals.pop(AFTER)
        for name in (RANGE, BEFORE + RANGE):
            totals[name] = {k: totals[name][k] - after[k] for k in after}
    for name in [*since_before, *([BEFORE + RANGE] if days is not None else [])]:
        compare(totals[name.removeprefix(BEFORE)], totals.pop(name))
    for numbers in totals.values():
        numbers["scans_per_open"] = _per_open(numbers)
    return {
        "timezone": tz.key,
        "today": today.isoformat(),
        "totals": totals,
        "networks": networks(engine, periods, totals),
        "chart": chart_series(engine, tz, chart, now, days),
    }


#: The figures compared with the previous period, and the key prefix of the wider span asked for.
COMPARED = ("scans", "uniques", "bots", "opens")
BEFORE = "before:"
#: A custom range's totals column, and the span after it (subtracted: the roll-ups sum to now).
RANGE, AFTER = "range", "after:range"
#: The longest custom range, in days (the chart has a bar per day).
MAX_RANGE_DAYS = 366


def _per_open(numbers: dict) -> float | None:
    opens = numbers["opens"]
    return round(numbers["widget_scans"] / opens, 3) if opens else None


def compare(current: dict, both: dict) -> None:
    """Add ``previous`` and ``change`` (%) to a period's totals.

    ``both`` counts the period and the one of the same length before it (the
    roll-ups sum from a first day to now), so the previous period is the
    difference: one query for every period, whatever the table holds. The
    previous period is whole days; today's figures are today so far.
    """
    previous = {
        k: both[k] - current[k] for k in ("scans", "uniques", "bots", "widget_scans", "opens")
    }
    previous["scans_per_open"] = _per_open(previous)
    current["previous"] = previous
    current["change"] = {
        k: round(100 * (current[k] - previous[k]) / previous[k]) if previous[k] else None
        for k in COMPARED
    }


def networks(
    engine: Engine, periods: dict[str, store.Since | None], totals: dict[str, dict]
) -> dict[str, list[dict]]:
    """Per period, per channel: shares → visits back, all links together.

    The widget's QR popup first (popup opens → scans placed ``widget``, both
    already in the period's ``totals``), then each share target with a share
    or a visit back (shares → human scans placed ``<target>``, read through
    the index on placement values, so only those scans' rows are read), over
    the same instants as the totals.
    """
    out = {}
    for name, since in periods.items():
        first = None if since is None else since.slot
        shares = clicks.shares_since(engine, first)
        back = sharestore.visits_back(engine, targets.ALL, first)
        back["widget"] = totals[name]["widget_scans"]
        out[name] = channels(shares, back, totals[name]["opens"])
    return out


def chart_series(
    engine: Engine, tz: ZoneInfo, chart: str, now: datetime, span: tuple[date, date] | None = None
) -> dict:
    """Buckets ``[{"t", "total", "clients": {…}}]``: the last 24 local hours, the last N
    local days, or (``chart="custom"``) the local days of ``span``."""
    if span is not None and chart == "custom":
        days = (span[1] - span[0]).days + 1
        buckets = clock.day_buckets(span[0], span[1], tz)
    else:
        if chart not in CHARTS:
            chart = "30d"
        days = CHARTS[chart]
        buckets = clock.last_hours(tz, 24, now) if days is None else clock.last_days(tz, days, now)
    counts: list[dict[str, int]] = [{} for _ in buckets.starts]
    if days is None:
        rows = store.client_counts(engine, buckets.first, buckets.end)
        index_of = {i: i for i in range(len(buckets.starts))}
    else:
        runs = clock.SlotDays(tz).offsets(buckets.first_slot(), buckets.end_slot())
        rows = store.client_counts(engine, buckets.first, buckets.end, runs)
        index_of = {
            day: i for i, day in enumerate(clock.days_between(buckets.first_day, buckets.last_day))
        }
    for key, client, n in rows:
        index = index_of.get(key)
        if index is not None:
            counts[index][client] = counts[index].get(client, 0) + n
    overall: dict[str, int] = {}
    for bucket in counts:
        for client, n in bucket.items():
            overall[client] = overall.get(client, 0) + n
    order = client_order(overall)
    series = [
        {"t": label, "total": sum(b.values()), "clients": {c: b.get(c, 0) for c in order}}
        for label, b in zip(buckets.labels, counts, strict=True)
    ]
    return {
        "range": chart,
        "from": buckets.first_day.isoformat(),
        "to": buckets.last_day.isoformat(),
        "bucket": "hour" if days is None else "day",
        "clients": order,
        "series": series,
    }


@dataclass(frozen=True)
class TopQuery:
    """The top-articles table's search, sort and page; ``per_page`` is never read from the query."""

    q: str = ""
    tag: str = ""  # a campaign tag, compared as share.links.tags says
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
            tag=(args.get("tag") or "").strip()[:64],
            sort=sort if sort in store.SORTS else "scans_7d",
            desc=args.get("order", "desc") != "asc",
            page=min(int(page), 10_000) if _whole(page) and int(page) > 0 else 1,
        )


def top_articles(engine: Engine, tz: ZoneInfo, query: TopQuery, now: datetime | None = None):
    """A page of articles with scans 7 d / 30 d / all and the last scan."""
    today = clock.today(tz, now)
    rows, count = store.top_links(
        engine,
        _since(today - timedelta(days=6), tz),
        _since(today - timedelta(days=29), tz),
        by_day=_by_day(engine, tz),
        q=query.q,
        sort=query.sort,
        desc=query.desc,
        limit=query.per_page,
        offset=(query.page - 1) * query.per_page,
        tag_key=_tag_key(query.tag),
    )
    found = tagstore.tags_for(engine, [row["id"] for row in rows])
    for row in rows:
        row["tags"] = found.get(row["id"], [])
    pages = max(1, -(-count // query.per_page))
    return rows, count, pages


def _tag_key(tag: str) -> str | None:
    """The key to filter by: None for no filter, "" (matching nothing) for a malformed tag."""
    if not tag:
        return None
    try:
        return clean_tag(tag)[0]
    except TagError:
        return ""


def _whole(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes "²", which ``int`` refuses."""
    return text.isascii() and text.isdigit()
