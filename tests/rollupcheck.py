"""Roll-ups against raw rows: every stats figure recounted from ``scans`` by plain Python.

:func:`assert_rollups_match_raw` asks the stats code (which reads only
roll-ups, exactly what ``/api/v1/links/<code>/stats`` returns) for every
link, in several zones, by day and by hour, and compares each figure with a
count worked out here from the raw rows alone. Then a dry-run rebuild must
find no roll-up row that differs from what the raw rows give.

The recount follows the contract's definitions, not the roll-up code:
``total`` human scans, ``bots`` bot scans, ``unique`` visitors whose first
human scan of the link falls in the span (each visitor hash lives one
display-zone day), breakdowns of human scans, referrers top 10.

After ``flask prune`` raw rows before the horizon are gone and the roll-ups
there are the only record, so the recount starts at the first display-zone
day that begins at or after the horizon: every visitor hash seen from then
on was born then (a hash lives one display-zone day), so first-seen counts
need no pruned row. Spans that begin earlier are not compared.
"""

from __future__ import annotations

import bisect
import calendar
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from share import clock
from share.scans.ingest import rebuild_rollups
from share.stats.perlink import StatsQuery, link_stats
from share.storage import rollups
from share.storage.schema import retention_state, scans

ZONES_CHECKED = ("UTC", "Asia/Shanghai", "Asia/Kolkata", "America/New_York")


def raw_scans(engine) -> dict[int, list[tuple]]:
    """``{link_id: [(epoch s, is_bot, client, platform, placement, referrer, ua, visitor)]}``."""
    c = scans.c
    out: dict[int, list[tuple]] = {}
    with engine.connect() as conn:
        stmt = select(c.link_id, c.ts, c.is_bot, c.client, c.platform, c.placement,
                      c.referrer_host, c.user_agent, c.visitor)  # fmt: skip
        for link_id, ts, *rest in conn.execute(stmt):
            out.setdefault(link_id, []).append((calendar.timegm(ts.timetuple()), *rest))
    return out


def recount(rows: list[tuple], starts: tuple[int, ...], end: int) -> dict:
    """The stats fields over buckets ``[starts[i], next)`` from raw rows alone."""
    first_seen: dict[str, int] = {}
    for at, bot, *_, visitor in rows:
        if not bot and (visitor not in first_seen or at < first_seen[visitor]):
            first_seen[visitor] = at

    def bucket(at: int) -> int | None:
        return bisect.bisect_right(starts, at) - 1 if starts[0] <= at < end else None

    series_scans, series_unique = Counter(), Counter()
    bots = 0
    by = {"client": Counter(), "platform": Counter(), "placement": Counter(), "referrer": Counter()}
    for at, bot, client, platform, placement, referrer, _ua, _visitor in rows:
        b = bucket(at)
        if b is None:
            continue
        if bot:
            bots += 1
            continue
        series_scans[b] += 1
        for key, value in (("client", client), ("platform", platform),
                           ("placement", placement), ("referrer", referrer)):  # fmt: skip
            if value is not None:
                by[key][value] += 1
    for at in first_seen.values():
        b = bucket(at)
        if b is not None:
            series_unique[b] += 1

    def ranked(counter):
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    return {
        "total": sum(series_scans.values()),
        "unique": sum(series_unique.values()),
        "bots": bots,
        "series": [(series_scans[i], series_unique[i]) for i in range(len(starts))],
        "by_client": ranked(by["client"]),
        "by_platform": ranked(by["platform"]),
        "by_placement": ranked(by["placement"]),
        "top_referrers": ranked(by["referrer"])[:10],
    }


def stats_figures(body: dict) -> dict:
    """The same fields out of a stats JSON body."""
    return {
        "total": body["total"],
        "unique": body["unique"],
        "bots": body["bots"],
        "series": [(p["scans"], p["unique"]) for p in body["series"]],
        "by_client": list(body["by_client"].items()),
        "by_platform": list(body["by_platform"].items()),
        "by_placement": list(body["by_placement"].items()),
        "top_referrers": [(r["referrer"], r["scans"]) for r in body["top_referrers"]],
    }


def _queries(rows: list[tuple], tz: ZoneInfo, since: int | None = None) -> list[StatsQuery]:
    """Day buckets over every day with a scan (±1); hour buckets of the busiest and last day.

    With ``since`` (epoch s) only days of ``tz`` that begin at or after it.
    """
    days = Counter(clock.local_day(clock.from_epoch(r[0]), tz) for r in rows)
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=1)
    if since is not None:
        while clock.day_start(first, tz) < since:
            first += timedelta(days=1)
    busiest = days.most_common(1)[0][0]
    queries = [StatsQuery(first, last, "day", tz)] if first <= last else []
    for day in {busiest, max(days)}:
        if since is None or clock.day_start(day, tz) >= since:
            queries.append(StatsQuery(day, day, "hour", tz))
    return queries


def recount_start(engine) -> int | None:
    """Epoch s where raw rows can be recounted: the first display-zone day start at or after
    the prune horizon; ``None`` when nothing was pruned."""
    with engine.connect() as conn:
        pruned = conn.execute(select(retention_state.c.pruned_before)).scalar()
    if pruned is None:
        return None
    zone = ZoneInfo(rollups.zone(engine) or "UTC")
    horizon = calendar.timegm(pruned.timetuple())
    day = clock.local_day(clock.from_epoch(horizon), zone)
    while clock.day_start(day, zone) < horizon:
        day += timedelta(days=1)
    return clock.day_start(day, zone)


def assert_rollups_match_raw(url: str, zones=ZONES_CHECKED) -> int:
    """Every stats figure of every link equals its raw recount; no roll-up row differs.

    Returns how many figures were compared (so a caller can see it checked something).
    """
    engine = create_engine(url, poolclass=NullPool)
    compared = 0
    try:
        raw = raw_scans(engine)
        since = recount_start(engine)
        if since is not None:  # pruned: only what the kept raw rows can vouch for
            raw = {
                link: kept
                for link, rows in raw.items()
                if (kept := [r for r in rows if r[0] >= since])
            }
        assert raw, "no scans stored: nothing to compare"
        for link_id, rows in raw.items():
            for name in zones:
                tz = ZoneInfo(name)
                for query in _queries(rows, tz, since):
                    buckets = query.buckets()
                    got = stats_figures(link_stats(engine, link_id, query))
                    want = recount(rows, buckets.starts, buckets.end)
                    where = f"link {link_id}, {name}, {query.first_day}..{query.last_day} by {query.bucket}"
                    assert got == want, f"{where}: {_first_difference(got, want)}"
                    compared += len(got)
        zone = rollups.zone(engine)
        assert zone is not None, "roll-ups were never built"
        differences = rebuild_rollups(engine, ZoneInfo(zone), dry_run=True)
        assert all(d == (0, 0) for d in differences.values()), differences
    finally:
        engine.dispose()
    return compared


def _first_difference(got: dict, want: dict) -> str:
    for key in want:
        if got[key] != want[key]:
            return f"{key}: roll-ups {str(got[key])[:300]} != raw {str(want[key])[:300]}"
    return "equal"
