"""Scan statistics for one link, shaped as the public stats JSON.

Ranges are whole UTC days, both ends included; without ``from``/``to`` the
last 30 days up to now (today included). Series buckets are filled with
zeros so a chart needs no gap logic. ``unique`` counts distinct visitor
hashes; the hash salt rotates daily, so one person on two days is two
visitors (the price of storing no stable identifier).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from .errors import InputError
from .opens import opens_between
from .storage import dashboard as summary

DEFAULT_DAYS = 30
MAX_DAYS = 3660
MAX_HOURLY_DAYS = 31
_EPOCH = date(1970, 1, 1)


class StatsError(InputError):
    """A bad range or bucket."""


@dataclass(frozen=True)
class StatsQuery:
    first_day: date
    last_day: date
    bucket: str  # "day" | "hour"

    @classmethod
    def parse(
        cls, raw_from: str | None, raw_to: str | None, bucket: str | None, today: date | None = None
    ) -> StatsQuery:
        today = today or datetime.now(UTC).date()
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
        return cls(first, last, bucket)


FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)


def parse_day(raw: str) -> date:
    """A ``YYYY-MM-DD`` day between 1970 and 9998 (so a day can always be added), or ValueError."""
    if not isinstance(raw, str) or len(raw) != 10:
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


def hours_since_epoch(day: date) -> int:
    return (day - _EPOCH).days * 24


def link_stats(engine: Engine, link_id: int, query: StatsQuery) -> dict:
    """The public stats JSON; the same counting as the dashboard's article page."""
    first_hour = hours_since_epoch(query.first_day)
    end_hour = hours_since_epoch(query.last_day + timedelta(days=1))
    step = 24 if query.bucket == "day" else 1
    starts = list(range(first_hour, end_hour, step))
    labels = [_label(start, query.bucket) for start in starts]
    fields, _agents = summarise(
        engine, link_id, starts, end_hour, labels, query.first_day, query.last_day
    )
    return {
        "from": query.first_day.isoformat(),
        "to": query.last_day.isoformat(),
        "bucket": query.bucket,
        **fields,
    }


def summarise(engine: Engine, link_id: int, starts: list[int], end: int, labels: list[str],
              first_day: date, last_day: date) -> tuple[dict, dict]:  # fmt: skip
    """The stats fields of one link over hour buckets ``starts`` (ending at ``end``).

    Shared by the public stats API (UTC buckets) and the dashboard's article
    page (local days), so the two can only differ in where days begin.
    Returns the fields and, apart, the bots' user agents ``{ua: (scans, last)}``.
    """
    raw = summary.link_summary(engine, link_id, starts, end)
    fields = {
        "total": raw["total"],
        "unique": raw["unique"],
        "bots": raw["bots"],
        "opens": opens_between(engine, link_id, first_day, last_day),
        "series": [
            {"t": label, "scans": raw["scans"].get(i, 0), "unique": raw["uniques"].get(i, 0)}
            for i, label in enumerate(labels)
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


def _label(hour: int, bucket: str) -> str:
    moment = datetime(1970, 1, 1) + timedelta(hours=hour)
    if bucket == "day":
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:00:00Z")
