"""Widget popup opens: the denominator of "scans per popup opened".

An open is counted per link and per quarter-hour slot (see :mod:`share.clock`),
and nothing else is kept: no cookie, no address, no user agent. Slots are
fine enough to fall into any zone's local days and hours, so every surface
counts opens over exactly the instants it counts scans over.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Engine

from share import clock
from share.links.codes import looks_like_code
from share.storage import opens as store


class OpenResult(Enum):
    """What one beacon did: counted, ignored for a disabled link, or an unknown code (a 404)."""

    COUNTED = "counted"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


def record_open(engine: Engine, code: str, now: datetime | None = None) -> OpenResult:
    """Count one popup open for ``code``; a disabled link's opens are not counted."""
    if not looks_like_code(code):
        return OpenResult.UNKNOWN
    moment = clock.now() if now is None else now
    counted = store.increment(engine, code, clock.slot_of(clock.epoch_seconds(moment)))
    if counted is None:
        return OpenResult.UNKNOWN
    return OpenResult.COUNTED if counted else OpenResult.DISABLED


def opens_in(engine: Engine, link_id: int, buckets: clock.Buckets) -> int:
    """Popup opens of one link over the instants ``buckets`` cover."""
    return store.total(engine, link_id, buckets.first_slot(), buckets.end_slot())
