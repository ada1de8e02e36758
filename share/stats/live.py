"""The last 30 minutes, minute by minute: what an editor watches right after publishing.

Minutes are whole UTC minutes (every zone's minutes start on them: offsets
are whole minutes), labelled ``HH:MM`` in the display zone; the current
minute is the last one and is still filling. Bots are counted apart, as
everywhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.storage import live as store

MINUTES = 30


def live(engine: Engine, tz: ZoneInfo, now: datetime | None = None) -> dict:
    """Human scans and bots per minute over the last :data:`MINUTES`, totals, top articles."""
    now = clock.utc(now) if now is not None else clock.now()
    current = now.replace(second=0, microsecond=0)
    first = current - timedelta(minutes=MINUTES - 1)
    since, until = clock.to_storage(first), clock.to_storage(current + timedelta(minutes=1))
    counted = store.per_minute(engine, since, until)
    minutes = []
    for i in range(MINUTES):
        moment = first + timedelta(minutes=i)
        scans, bots = counted.get(clock.to_storage(moment).strftime("%Y-%m-%d %H:%M"), (0, 0))
        minutes.append(
            {"t": clock.local(moment, tz).strftime("%H:%M"), "scans": scans, "bots": bots}
        )
    return {
        "from": clock.iso_local(first, tz),
        "to": clock.iso_local(current + timedelta(minutes=1), tz),
        "tz": tz.key,
        "scans": sum(m["scans"] for m in minutes),
        "bots": sum(m["bots"] for m in minutes),
        "minutes": minutes,
        "top": store.top_links(engine, since, until),
    }
