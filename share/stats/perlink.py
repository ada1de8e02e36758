"""Scan statistics for one link, shaped as the public stats JSON.

Ranges are whole days, both ends included, of UTC by default or of the zone
named by ``tz=``; without ``from``/``to`` the last 30 days up to now (today
included). Days and hours are spans of instants from :mod:`share.clock`, and
widget opens and share clicks (``shares``: per share target, only targets
shared at least once) are counted over exactly the same instants as scans. Series
buckets are filled with zeros so a chart needs no gap logic. ``unique``
counts each visitor hash once, in the bucket of its first scan; the hash
salt rotates daily (docs/decisions/0006), so one person on two days is two
visitors, and the buckets' uniques add up to the total (decision 0008).
Every figure comes from the roll-ups the ingester keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.errors import InputError
from share.scans.opens import opens_in
from share.sharing.clicks import shares_in
from share.storage import dashboard as summary

DEFAULT_DAYS = 30
MAX_DAYS = 3660
MAX_HOURLY_DAYS = 31


class StatsError(InputError):
    """A bad range or bucket."""


@dataclass(frozen=True)
class StatsQuery:
    """A checked stats request: whole days of ``tz``, ``first_day`` to ``last_day`` inclusive."""

    first_day: date
    last_day: date
    bucket: str  # "day" | "hour"
    tz: ZoneInfo = clock.UTC_ZONE

    @classmethod
    def parse(
        cls,
        raw_from: str | None,
        raw_to: str | None,
        bucket: str | None,
        tz: str | None = None,
        now: datetime | None = None,
    ) -> StatsQuery:
        """Check the query's strings; every mistake is a 400 naming the parameter."""
        zone = parse_zone(tz)
        today = clock.today(zone, now)
        bucket = bucket or "day"
        if bucket not in ("day", "hour"):
            raise StatsError("invalid_bucket", "`bucket` must be `day` or `hour`.")
        last = _parse_day("to", raw_to) if raw_to else today
        first = _parse_day("from", raw_from) if raw_from else last - timedelta(DEFAULT_DAYS - 1)
        if first > last:
            raise StatsError("invalid_range", "`from` must be on or before `to`.")
        span = (last - first).days + 1
        limit = MAX_HOURLY_DAYS if bucket == "hour" else MAX_DAYS
        if span > limit:
            raise StatsError(
                "range_too_large", f"Ask for at most {limit} days with bucket={bucket}."
            )
        return cls(first, last, bucket, zone)

    def buckets(self) -> clock.Buckets:
        """The series' buckets: local days or local hours of ``tz``."""
        make = clock.day_buckets if self.bucket == "day" else clock.hour_buckets
        return make(self.first_day, self.last_day, self.tz)


def parse_zone(raw: str | None) -> ZoneInfo:
    """``tz=`` as an IANA zone; absent or empty is UTC (the contract's default)."""
    try:
        return clock.zone(raw)
    except clock.UnknownZone:
        raise StatsError(
            "invalid_tz", "`tz` must be an IANA time zone name such as Asia/Shanghai or UTC."
        ) from None


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)


def parse_day(raw: str) -> date:
    """A ``YYYY-MM-DD`` day between 1970 and 9998 (so a day can always be added), or ValueError."""
    if not isinstance(raw, str) or not _DAY.fullmatch(raw):  # not ISO week dates, not "２"
        raise ValueError(raw)
    day = date.fromisoformat(raw)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(raw)
    return day


def _parse_day(name: str, raw: str) -> date:
    try:
        return parse_day(raw)
    except ValueError:
        raise StatsError(
            "invalid_date", f"`{name}` must be a date written YYYY-MM-DD, 1970 to 9998."
        ) from None


def link_stats(engine: Engine, link_id: int, query: StatsQuery) -> dict:
    """The public stats JSON; the same counting as the dashboard's article page."""
    fields, _agents = summarise(engine, link_id, query.buckets())
    return {
        "from": query.first_day.isoformat(),
        "to": query.last_day.isoformat(),
        "bucket": query.bucket,
        "tz": query.tz.key,
        **fields,
    }


def summarise(engine: Engine, link_id: int, buckets: clock.Buckets) -> tuple[dict, dict]:
    """The stats fields of one link over ``buckets``, scans and opens over the same instants.

    Shared by the public stats API and the dashboard's article page, so the
    two can only differ in the zone whose days they count.
    Returns the fields and, apart, the bots' user agents ``{ua: (scans, last)}``.
    """
    raw = summary.link_summary(engine, link_id, list(buckets.starts), buckets.end)
    fields = {
        "total": raw["total"],
        "unique": raw["unique"],
        "bots": raw["bots"],
        "opens": opens_in(engine, link_id, buckets),
        "shares": shares_in(engine, link_id, buckets),
        "series": [
            {"t": label, "scans": raw["scans"].get(i, 0), "unique": raw["uniques"].get(i, 0)}
            for i, label in enumerate(buckets.labels)
        ],
        "by_client": ranked(raw["client"]),
        "by_platform": ranked(raw["platform"]),
        "by_placement": ranked(raw["placement"]),
        "top_referrers": [
            {"referrer": r, "scans": n} for r, n in list(ranked(raw["referrer"]).items())[:10]
        ],
    }
    return fields, raw["agents"]


def ranked(counts: dict[str, int]) -> dict[str, int]:
    """Most first; ties in name order, so the JSON is stable."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
