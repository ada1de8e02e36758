"""The article's byline: when it was published and who wrote it, for share cards.

Read from what publishers actually put in their pages, in this order:
``article:published_time`` (Open Graph), then JSON-LD ``datePublished``; for
the author ``<meta name="author">``, ``article:author`` (only when it is a
name: Facebook asks for a profile URL there), then JSON-LD ``author.name``.

Times with an offset are real instants (kept as aware UTC). A bare date, or a
time without an offset (common on Chinese sites, in their own local time),
says only which day it was: it is kept as noon UTC of that day, so it shows
as that same calendar day in any display zone within twelve hours of UTC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

AUTHOR_MAX = 100
_YEARS = range(1990, 2101)  # anything else is a template placeholder or a typo
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def published_at(metas: dict[str, str], ld: list[dict]) -> datetime | None:
    """The publication instant (aware UTC), or None when the page gives none we can read."""
    candidates = [metas.get("article:published_time"), metas.get("og:article:published_time")]
    candidates += [obj.get("datePublished") for obj in ld]
    for raw in candidates:
        when = parse_time(raw)
        if when is not None:
            return when
    return None


def author(metas: dict[str, str], ld: list[dict]) -> str | None:
    """The byline's name(s), or None."""
    candidates = [metas.get("author"), metas.get("article:author")]
    candidates += [_ld_author(obj.get("author")) for obj in ld]
    for raw in candidates:
        if not isinstance(raw, str):
            continue
        name = " ".join(raw.split())
        if name and not re.match(r"^(https?:)?//|^www\.", name, re.I):
            return name if len(name) <= AUTHOR_MAX else name[: AUTHOR_MAX - 1].rstrip() + "…"
    return None


def parse_time(raw: Any) -> datetime | None:
    """An ISO 8601 date or date-time as aware UTC (see the module docstring for bare dates)."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "T" not in text and " " in text:
        text = text.replace(" ", "T", 1)
    try:
        if _DATE_ONLY.match(text):
            when = datetime.combine(date.fromisoformat(text), time(12), UTC)
        else:
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                when = datetime.combine(parsed.date(), time(12), UTC)
            else:
                when = parsed.astimezone(UTC)
    except ValueError:
        return None
    return when if when.year in _YEARS else None


def json_ld(scripts: list[str]) -> list[dict]:
    """Every JSON-LD object of the page (lists and ``@graph`` flattened); bad JSON is skipped."""
    found: list[dict] = []
    for text in scripts:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        found.extend(_objects(data, depth=0))
    return found


def _objects(data: Any, depth: int) -> Iterator[dict]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"), depth + 1)


def _ld_author(value: Any) -> str | None:
    """``"Name"``, ``{"name": …}`` or a list of either: the names joined by "、"."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:5]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return "、".join(names) or None
