"""Statistics per campaign tag: the tags in use, and one tag's stats summed over its links.

A tag's stats are its links' stats (:func:`share.stats.perlink.link_stats`,
same range, bucket and zone) added up field by field: counts summed,
breakdowns summed and ranked again, series summed bucket by bucket, and
``top_referrers`` summed over the links' own top lists. Summing the links'
answers, rather than counting again, keeps the two in step by construction
(a field added to the link stats is summed here too). ``unique`` is the sum
of the links' visitors: one reader of two links is two.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from share import clock
from share.links.tags import TagError, clean_tag
from share.stats import perlink
from share.storage import tags as store

SUMMARY_DAYS = 30
_HEAD = ("from", "to", "bucket", "tz")


def summary(engine: Engine, now: datetime | None = None) -> list[dict]:
    """``[{tag, links, scans_30d}]``: human scans over the last 30 UTC days (today included).

    Most scans first; from the roll-ups, so its cost does not grow with scans.
    """
    first_day = clock.today(clock.UTC_ZONE, now) - timedelta(days=SUMMARY_DAYS - 1)
    since = clock.slot_of(clock.day_start(first_day, clock.UTC_ZONE))
    return [
        {"tag": row["tag"], "links": row["links"], "scans_30d": row["scans"]}
        for row in store.summary(engine, since)
    ]


def tag_key(raw: str) -> str | None:
    """The key of ``raw`` as a tag, or None when no tag could be written so."""
    try:
        return clean_tag(raw)[0]
    except TagError:
        return None


def tag_stats(engine: Engine, raw_tag: str, query: perlink.StatsQuery) -> dict | None:
    """The link-stats JSON summed over the tag's live links, ``tag`` added; None when unused."""
    key = tag_key(raw_tag)
    ids = store.link_ids(engine, key) if key else []
    if not ids:
        return None
    answers = [perlink.link_stats(engine, link_id, query) for link_id in ids]
    merged = {name: answers[0][name] for name in _HEAD}
    merged["tag"] = store.shown(engine, key)
    merged["links"] = len(ids)
    for field in answers[0]:
        if field not in _HEAD:
            merged[field] = _sum(field, [answer[field] for answer in answers])
    return merged


def _sum(field: str, values: list):
    """One field over all links: numbers add, dicts add per key, lists add per row."""
    first = values[0]
    if isinstance(first, bool) or not isinstance(first, int | dict | list):
        return first
    if isinstance(first, int):
        return sum(values)
    if isinstance(first, dict):
        total: dict = {}
        for value in values:
            for name, n in value.items():
                total[name] = total.get(name, 0) + n
        return perlink.ranked(total)
    rows = _sum_rows(values)
    if field == "series":
        return rows
    rows.sort(key=lambda row: ([-v for v in row.values() if isinstance(v, int)], str(row)))
    return rows[: max(len(value) for value in values)]


def _sum_rows(values: list[list[dict]]) -> list[dict]:
    """Rows ``{label, n…}`` of every list, those with the same label added, first order kept."""
    out: dict = {}
    for rows in values:
        for row in rows:
            label = tuple((k, v) for k, v in row.items() if not isinstance(v, int))
            if label not in out:
                out[label] = dict(row)
            else:
                for name, n in row.items():
                    if isinstance(n, int):
                        out[label][name] += n
    return list(out.values())
