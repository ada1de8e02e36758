"""One article's numbers for the dashboard, bucketed by the admin's local days.

The dashboard counts the days an editor lives in (``SHARE_TIMEZONE``); the
public stats API counts UTC days unless asked for a zone with ``tz=``. Both
go through :func:`share.stats.perlink.summarise` with buckets from
:mod:`share.clock`, so with the same zone their numbers are identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.sharing import targets
from share.stats.perlink import parse_day, summarise
from share.storage import dashboard as store

RANGES = {"24h": None, "7d": 7, "30d": 30, "90d": 90}
MAX_CUSTOM_DAYS = 366


class RangeError(ValueError):
    """A custom range the admin must fix."""


@dataclass(frozen=True)
class Range:
    """The range an admin picked, as local days of the display zone, both ends included."""

    kind: str  # 24h | 7d | 30d | 90d | custom
    first_day: date
    last_day: date

    @property
    def bucket(self) -> str:
        """``hour`` for the 24 h range, else ``day``: the series' unit and the CSV's label."""
        return "hour" if self.kind == "24h" else "day"

    @classmethod
    def parse(cls, args, tz: ZoneInfo, now: datetime | None = None) -> Range:
        """``?range=24h|7d|30d|90d`` or ``?range=custom&from=…&to=…`` (local dates)."""
        today = clock.today(tz, now)
        kind = args.get("range") or "30d"
        if kind == "custom":
            try:
                first = parse_day(args.get("from") or "")
                last = parse_day(args.get("to") or "")
            except ValueError:
                raise RangeError("Give both dates as YYYY-MM-DD, 1970 to 9998.") from None
            if first > last:
                raise RangeError("The first day must be on or before the last day.")
            if (last - first).days >= MAX_CUSTOM_DAYS:
                raise RangeError(f"Choose at most {MAX_CUSTOM_DAYS} days.")
            return cls("custom", first, last)
        if kind not in RANGES:
            kind = "30d"
        days = RANGES[kind] or 1
        return cls(kind, today - timedelta(days=days - 1), today)

    def buckets(self, tz: ZoneInfo, now: datetime | None = None) -> clock.Buckets:
        """The last 24 local hours, or one bucket per local day of the range."""
        if self.kind == "24h":
            return clock.last_hours(tz, 24, now)
        return clock.day_buckets(self.first_day, self.last_day, tz)


def article(engine: Engine, link_id: int, rng: Range, tz: ZoneInfo, now=None) -> dict:
    """Totals, series, breakdowns and bot user agents of one link over ``rng``.

    The shape of the public stats JSON (plus ``bot_agents``), so charts,
    exports and tests read the same fields everywhere.
    """
    fields, agents = summarise(engine, link_id, rng.buckets(tz, now))
    busiest = sorted(agents.items(), key=lambda kv: (-kv[1][0], kv[0]))[:50]
    return {
        "range": rng.kind,
        "from": rng.first_day.isoformat(),
        "to": rng.last_day.isoformat(),
        "bucket": rng.bucket,
        "timezone": tz.key,
        **fields,
        "networks": channels(fields["shares"], fields["by_placement"], fields["opens"]),
        "bot_agents": [
            {"user_agent": ua, "scans": n, "last": clock.iso_local(last, tz)}
            for ua, (n, last) in busiest
        ],
    }


def channels(shares: dict[str, int], placements: dict[str, int], opens: int) -> list[dict]:
    """Per channel, what went out and what came back: ``[{target, shares, visits_back, rate}]``.

    First the widget's QR popup (``widget``: popup opens → scans placed
    ``widget``), then every share target with a share or a visit back: shares
    → human scans whose placement is the target's name (the short link a
    share carries says ``src=<target>``). Most shares first.
    """
    pairs = [("widget", opens, placements.get("widget", 0))]
    names = [name for name in targets.ALL if shares.get(name) or placements.get(name)]
    names.sort(key=lambda name: (-shares.get(name, 0), -placements.get(name, 0), name))
    pairs += [(name, shares.get(name, 0), placements.get(name, 0)) for name in names]
    return [
        {"target": name, "shares": out, "visits_back": back, "rate": _rate(back, out)}
        for name, out, back in pairs
    ]


def _rate(back: int, out: int) -> float | None:
    """Visits back per share (scans per popup open for the widget); ``None`` without shares."""
    return round(back / out, 3) if out else None


def raw_rows(engine: Engine, link_id: int, rng: Range, tz: ZoneInfo, now=None):
    """Header, then one row per scan (local and UTC time; no address, no visitor hash)."""
    buckets = rng.buckets(tz, now)
    yield ("time_local", "time_utc", *store.RAW_COLUMNS[1:])
    for ts, *rest in store.raw_scans(engine, link_id, buckets.first, buckets.end):
        yield (clock.iso_local(ts, tz), clock.iso_utc(ts), *rest)
