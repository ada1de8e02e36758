"""The one home of time: the current instant, storage form, zones, buckets and labels.

Everything that asks "what time is it?", "which day is this?" or "where does
this day begin?" asks here, so the redirect, the stats API, the dashboard,
the widget-open counts, the CSV exports and the visitor-hash day can never
disagree about an instant.

- **Now** comes from :func:`now`, which reads the installed :class:`Clock`.
  Tests and benchmarks install a :class:`FixedClock` with :func:`frozen`;
  nothing else in the code base calls ``datetime.now``.
- **Storage is UTC**: naive datetimes (:func:`to_storage`) and whole hours
  since the epoch (:func:`epoch_hour`, the ``scans.hour`` column).
- **Buckets are instants.** A local day or hour of any IANA zone is turned
  into the UTC instants where it begins and ends (:class:`Buckets`), so DST
  days have 23 or 25 hours and zones at +5:30 or +5:45 begin their days at
  the right quarter-hour. Quarter-hour *slots* (:data:`SLOT_SECONDS`) are the
  finest unit any zone in use today needs; widget opens are stored per slot.
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOUR = 3600
DAY = 24 * HOUR
SLOT_SECONDS = 900  # every current UTC offset is a whole number of quarter hours
UTC_ZONE = ZoneInfo("UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Clock:
    """Where the current instant comes from: the operating system."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that says what it is told; :meth:`advance` moves it on."""

    def __init__(self, moment: datetime):
        self.moment = utc(moment)

    def now(self) -> datetime:
        """The instant it was set to, until moved."""
        return self.moment

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (a naive one is taken as UTC)."""
        self.moment = utc(moment)

    def advance(self, **delta: float) -> datetime:
        """Move on by ``timedelta(**delta)``; return the new instant."""
        self.moment += timedelta(**delta)
        return self.moment


_clock: Clock = Clock()


def now() -> datetime:
    """The current instant (aware UTC) from the installed clock."""
    return _clock.now()


def epoch_now() -> float:
    """The current instant as epoch seconds (rate-limit windows count in these)."""
    return _clock.now().timestamp()


def install(clock: Clock) -> Clock:
    """Make ``clock`` the source of :func:`now`; return the one it replaces."""
    global _clock
    previous, _clock = _clock, clock
    return previous


@contextlib.contextmanager
def frozen(moment: datetime) -> Iterator[FixedClock]:
    """Within the block, :func:`now` answers ``moment`` (tests, benchmarks)."""
    fixed = FixedClock(moment)
    previous = install(fixed)
    try:
        yield fixed
    finally:
        install(previous)


# -- storage form ------------------------------------------------------------


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_storage(moment: datetime) -> datetime:
    """The naive-UTC form the database keeps (converted, never just stripped)."""
    return utc(moment).replace(tzinfo=None)


def stored_now() -> datetime:
    """Now, in the naive-UTC form the database keeps (``created_at`` and friends)."""
    return to_storage(now())


def from_storage(stored: datetime) -> datetime:
    """A stored naive-UTC datetime as an aware one."""
    return stored.replace(tzinfo=UTC)


def epoch_seconds(moment: datetime) -> int:
    """Whole seconds since 1970-01-01 UTC (floor)."""
    return int(utc(moment).timestamp() // 1)


def epoch_hour(moment: datetime) -> int:
    """Whole hours since the epoch: the ``scans.hour`` column."""
    return epoch_seconds(moment) // HOUR


def slot_of(seconds: int) -> int:
    """The quarter-hour slot an instant (epoch seconds) falls in."""
    return seconds // SLOT_SECONDS


def epoch_micros(moment: datetime) -> int:
    """Whole microseconds since the epoch (how the scan spool writes instants)."""
    return (utc(moment) - _EPOCH) // timedelta(microseconds=1)


def from_epoch(seconds: int) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def utc_day(moment: datetime | None = None) -> date:
    """The UTC calendar day of ``moment`` (default: now)."""
    return utc(moment or now()).date()


# -- zones -------------------------------------------------------------------


class UnknownZone(ValueError):
    """A name that is no IANA time zone."""


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name`` (``None`` or empty: UTC); :class:`UnknownZone` otherwise."""
    if not name:
        return UTC_ZONE
    if not isinstance(name, str) or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise UnknownZone(str(name)[:64])
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownZone(name) from None


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` (aware, or naive UTC) on the wall clock of ``tz``."""
    return utc(moment).astimezone(tz)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day ``moment`` falls on in ``tz``."""
    return local(moment, tz).date()


def today(tz: ZoneInfo, moment: datetime | None = None) -> date:
    """Today in ``tz`` (at ``moment``, default now)."""
    return local_day(moment or now(), tz)


def day_start(day: date, tz: ZoneInfo) -> int:
    """Epoch seconds where local ``day`` begins (at the gap's end if midnight is skipped)."""
    # zoneinfo reads a skipped midnight with the offset before the jump,
    # which lands on the jump itself: the first instant of the new day.
    return epoch_seconds(datetime.combine(day, time(0), tz))


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def iso_utc(moment: datetime) -> str:
    """``2026-12-03T16:30:00Z``: a stored or aware time as UTC ISO 8601."""
    return utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def iso_local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """A stored or aware time as local ISO 8601 with its offset; ``None`` stays ``None``."""
    if moment is None:
        return None
    return local(moment, tz).isoformat(timespec="seconds")


# -- buckets -----------------------------------------------------------------


@dataclass(frozen=True)
class Buckets:
    """Consecutive half-open spans ``[starts[i], starts[i+1])`` ending at ``end`` (epoch s).

    ``labels`` name them for people and JSON; ``first_day``/``last_day`` are
    the local days the buckets cover (for day ranges) or touch (for hours).
    """

    starts: tuple[int, ...]
    end: int
    labels: tuple[str, ...]
    first_day: date
    last_day: date

    @property
    def first(self) -> int:
        """Epoch second where the first bucket begins."""
        return self.starts[0]

    def index(self, seconds: int) -> int | None:
        """The bucket holding instant ``seconds``, or ``None`` outside them all."""
        if seconds < self.starts[0] or seconds >= self.end:
            return None
        return bisect.bisect_right(self.starts, seconds) - 1

    def first_slot(self) -> int:
        """The quarter-hour slot the first bucket begins in (widget opens are kept per slot)."""
        return slot_of(self.first)

    def end_slot(self) -> int:
        """The first slot past the end (an end inside a slot counts that slot in)."""
        return -(-self.end // SLOT_SECONDS)


def day_buckets(first: date, last: date, tz: ZoneInfo) -> Buckets:
    """One bucket per local day from ``first`` to ``last``, labelled ``YYYY-MM-DD``."""
    days = days_between(first, last)
    return Buckets(
        starts=tuple(day_start(d, tz) for d in days),
        end=day_start(last + timedelta(days=1), tz),
        labels=tuple(d.isoformat() for d in days),
        first_day=first,
        last_day=last,
    )


def hour_label(seconds: int, tz: ZoneInfo) -> str:
    """``2026-03-08T03:00:00-04:00``; ``…Z`` in UTC (the contract's hour labels)."""
    moment = from_epoch(seconds)
    if tz.key == "UTC":
        return iso_utc(moment)
    return local(moment, tz).isoformat(timespec="seconds")


def hour_buckets(first: date, last: date, tz: ZoneInfo) -> Buckets:
    """Every local hour of the days ``first``..``last`` (23 or 25 on DST days)."""
    begin, end = day_start(first, tz), day_start(last + timedelta(days=1), tz)
    starts = range(begin, end, HOUR)  # whole hours of elapsed time, DST days included
    return Buckets(
        starts=tuple(starts),
        end=end,
        labels=tuple(hour_label(s, tz) for s in starts),
        first_day=first,
        last_day=last,
    )


def last_hours(tz: ZoneInfo, count: int = 24, moment: datetime | None = None) -> Buckets:
    """The ``count`` local hours up to and including the current one."""
    current = local(moment or now(), tz).replace(minute=0, second=0, microsecond=0)
    end = epoch_seconds(current) + HOUR
    starts = list(range(end - count * HOUR, end, HOUR))
    return Buckets(
        starts=tuple(starts),
        end=end,
        labels=tuple(local(from_epoch(s), tz).strftime("%Y-%m-%d %H:%M") for s in starts),
        first_day=local_day(from_epoch(starts[0]), tz),
        last_day=local_day(from_epoch(end - 1), tz),
    )


def last_days(tz: ZoneInfo, count: int, moment: datetime | None = None) -> Buckets:
    """The ``count`` local days up to and including today."""
    end_day = today(tz, moment)
    return day_buckets(end_day - timedelta(days=count - 1), end_day, tz)


# -- slots and local days ----------------------------------------------------


class SlotDays:
    """Which local day of one zone each quarter-hour slot falls on: what roll-ups sum by.

    The ingester files each scan's counts under its slot and under its local
    day in the display zone; storage asks this object, so it never does zone
    arithmetic itself. :meth:`offsets` hands SQL the zone's UTC offset over
    runs of slots, so a rebuild can file millions of slots by day in a few
    statements (local day = floor((slot seconds + offset) / day)).
    """

    def __init__(self, tz: ZoneInfo):
        self.tz = tz
        self.key = tz.key
        self._days: dict[int, date] = {}

    def day_of(self, slot: int) -> date:
        """The local day slot ``slot`` begins on."""
        day = self._days.get(slot)
        if day is None:
            if len(self._days) > 100_000:
                self._days.clear()
            day = self._days[slot] = local_day(from_epoch(slot * SLOT_SECONDS), self.tz)
        return day

    def offsets(self, first: int, end: int) -> list[tuple[int, int, int]]:
        """``(first slot, end slot, UTC offset in seconds)`` runs covering slots ``[first, end)``."""
        runs: list[tuple[int, int, int]] = []
        slot = first
        while slot < end:
            offset = self._offset(slot)
            # jump a day at a time while the offset holds, then find the change by halving
            step = 96
            nxt = slot + 1
            while nxt < end and self._offset(min(nxt + step, end) - 1) == offset:
                nxt = min(nxt + step, end)
            lo, hi = nxt, min(nxt + step, end)
            while lo < hi:  # first slot in [lo, hi) whose offset differs (hi if none)
                mid = (lo + hi) // 2
                if self._offset(mid) == offset:
                    lo = mid + 1
                else:
                    hi = mid
            runs.append((slot, lo, offset))
            slot = lo
        return runs

    def _offset(self, slot: int) -> int:
        moment = from_epoch(slot * SLOT_SECONDS).astimezone(self.tz)
        return int(moment.utcoffset().total_seconds())
