"""Retention: raw scan rows older than ``SCAN_RETENTION_DAYS`` go, every count stays.

Pages and the stats API read only roll-ups, which keep every count per
link and quarter hour, so deleting raw rows changes no number anyone reads;
only the raw-scans CSV then starts at the horizon. The horizon is the whole
UTC hour at or before "now minus the kept days" (roll-up breakdowns are
hourly, so a rebuild can start cleanly there).

Widget opens (``widget_open_slots``) are not raw rows: they already are
anonymous counters per link and quarter hour, the same grain as the
roll-ups, so a prune leaves them alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.storage import retention as store


@dataclass(frozen=True)
class Pruned:
    """What a prune did (or, dry, would do): rows before ``horizon`` (naive UTC)."""

    horizon: datetime
    rows: int
    dry_run: bool


def horizon_for(days: int, now: datetime | None = None) -> datetime:
    """The whole UTC hour (naive) before which raw rows are older than ``days`` days."""
    moment = clock.to_storage(now or clock.now()) - timedelta(days=days)
    return moment.replace(minute=0, second=0, microsecond=0)


def prune(
    engine: Engine,
    days: int,
    tz: ZoneInfo,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = store.BATCH,
) -> Pruned:
    """Delete raw scans older than ``days`` days (``tz``: the display zone the roll-ups use)."""
    before = horizon_for(days, now)
    if dry_run:
        return Pruned(before, store.count_before(engine, before), dry_run=True)
    store.record_horizon(engine, before, clock.SlotDays(tz))
    return Pruned(before, store.delete_before(engine, before, batch), dry_run=False)


def horizon(engine: Engine) -> datetime | None:
    """Where the kept raw rows begin (naive UTC); ``None`` when nothing was ever pruned."""
    return store.horizon(engine)
