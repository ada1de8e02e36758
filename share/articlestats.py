"""One article's numbers for the dashboard, bucketed by the admin's local days.

The public stats API counts UTC days; the dashboard counts the days an
editor lives in. Both read the same raw rows, so over the same hours the
totals agree; with ``TIMEZONE=UTC`` the daily series are identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from .dashboard import day_start_hour, hour_of, local_today
from .stats import parse_day, summarise
from .storage import dashboard as store

RANGES = {"24h": None, "7d": 7, "30d": 30, "90d": 90}
MAX_CUSTOM_DAYS = 366


class RangeError(ValueError):
    """A custom range the admin must fix."""


@dataclass(frozen=True)
class Range:
    kind: str  # 24h | 7d | 30d | 90d | custom
    first_day: date
    last_day: date

    @property
    def bucket(self) -> str:
        return "hour" if self.kind == "24h" else "day"

    @classmethod
    def parse(cls, args, tz: ZoneInfo, now: datetime | None = None) -> Range:
        """``?range=24h|7d|30d|90d`` or ``?range=custom&from=…&to=…`` (local dates)."""
        today = local_today(tz, now)
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

    def hours(self, tz: ZoneInfo, now: datetime | None = None) -> tuple[list[int], int, list[str]]:
        """Bucket start hours, the end hour and a label per bucket."""
        if self.kind == "24h":
            end = hour_of(now or datetime.now(UTC)) + 1
            starts = list(range(end - 24, end))
            labels = [
                datetime.fromtimestamp(h * 3600, UTC).astimezone(tz).strftime("%Y-%m-%d %H:00")
                for h in starts
            ]
            return starts, end, labels
        days = [
            self.first_day + timedelta(days=n)
            for n in range((self.last_day - self.first_day).days + 1)
        ]
        end = day_start_hour(self.last_day + timedelta(days=1), tz)
        return [day_start_hour(d, tz) for d in days], end, [d.isoformat() for d in days]


def article(engine: Engine, link_id: int, rng: Range, tz: ZoneInfo, now=None) -> dict:
    """Totals, series, breakdowns and bot user agents of one link over ``rng``.

    The shape of the public stats JSON (plus ``bot_agents``), so charts,
    exports and tests read the same fields everywhere.
    """
    starts, end, labels = rng.hours(tz, now)
    fields, agents = summarise(engine, link_id, starts, end, labels, rng.first_day, rng.last_day)
    busiest = sorted(agents.items(), key=lambda kv: (-kv[1][0], kv[0]))[:50]
    return {
        "range": rng.kind,
        "from": rng.first_day.isoformat(),
        "to": rng.last_day.isoformat(),
        "bucket": rng.bucket,
        "timezone": tz.key,
        **fields,
        "bot_agents": [
            {"user_agent": ua, "scans": n, "last": local_iso(last, tz)} for ua, (n, last) in busiest
        ],
    }


def local_iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """A stored naive-UTC time as local ISO 8601 with its offset."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds")


def raw_rows(engine: Engine, link_id: int, rng: Range, tz: ZoneInfo, now=None):
    """Header, then one row per scan (local and UTC time; no address, no visitor hash)."""
    starts, end, _ = rng.hours(tz, now)
    yield ("time_local", "time_utc", *store.RAW_COLUMNS[1:])
    for ts, *rest in store.raw_scans(engine, link_id, starts[0], end):
        utc = ts.replace(tzinfo=UTC)
        yield (local_iso(ts, tz), utc.isoformat(timespec="seconds").replace("+00:00", "Z"), *rest)
