"""share.clock: the one home of now, zones, days, hours and their labels."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from share import clock

ROOT = Path(__file__).resolve().parent.parent


def test_frozen_clock_is_what_now_answers_and_is_undone_after():
    moment = datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)
    with clock.frozen(moment) as fixed:
        assert clock.now() == moment
        fixed.advance(seconds=1)
        assert clock.now() == datetime(2026, 3, 1, tzinfo=UTC)
        fixed.set(datetime(2026, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
        assert clock.now() == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
        assert clock.now().tzinfo is UTC
    assert not isinstance(clock._clock, clock.FixedClock)


def test_storage_form_converts_rather_than_strips_the_zone():
    shanghai_nine = datetime(2026, 3, 3, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert clock.to_storage(shanghai_nine) == datetime(2026, 3, 3, 1, 0)
    assert clock.to_storage(datetime(2026, 3, 3, 1, 0)) == datetime(2026, 3, 3, 1, 0)
    assert clock.epoch_hour(shanghai_nine) == clock.epoch_seconds(shanghai_nine) // 3600
    assert clock.from_storage(datetime(2026, 3, 3, 1, 0)) == shanghai_nine


@pytest.mark.parametrize(
    "name", ["", None, "UTC", "Asia/Shanghai", "America/Argentina/Buenos_Aires", "Etc/GMT+5"]
)
def test_known_zones(name):
    assert isinstance(clock.zone(name), ZoneInfo)


@pytest.mark.parametrize(
    "name", ["Mars/Base", "../etc/passwd", "/etc/localtime", "America", "UTC\x00", "x" * 65, 5]
)
def test_unknown_zones_are_refused(name):
    with pytest.raises(clock.UnknownZone):
        clock.zone(name)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("Asia/Kolkata", date(2026, 3, 29), 24),
        ("Asia/Kathmandu", date(2028, 2, 29), 24),
        # Chile moves its clocks at midnight: 2026-09-06 00:00 never happens there
        ("America/Santiago", date(2026, 9, 6), 23),
    ],
)
def test_day_lengths_follow_the_zone(zone, day, hours):
    tz = ZoneInfo(zone)
    buckets = clock.hour_buckets(day, day, tz)
    assert len(buckets.starts) == hours
    assert buckets.end - buckets.first == hours * 3600
    first_local = clock.local(clock.from_epoch(buckets.first), tz)
    assert first_local.date() == day
    assert clock.local(clock.from_epoch(buckets.first - 1), tz).date() == day - timedelta(days=1)


@pytest.mark.parametrize(
    ("zone", "utc_start"),
    [
        ("UTC", datetime(2026, 6, 2, 0, 0)),
        ("Asia/Shanghai", datetime(2026, 6, 1, 16, 0)),
        ("Asia/Kolkata", datetime(2026, 6, 1, 18, 30)),
        ("Asia/Kathmandu", datetime(2026, 6, 1, 18, 15)),
        ("America/St_Johns", datetime(2026, 6, 2, 2, 30)),
    ],
)
def test_a_day_begins_at_local_midnight_even_on_quarter_hours(zone, utc_start):
    start = clock.day_start(date(2026, 6, 2), ZoneInfo(zone))
    assert start == clock.epoch_seconds(utc_start)
    assert start % clock.SLOT_SECONDS == 0


def test_buckets_find_their_instants_and_nothing_outside():
    tz = ZoneInfo("Asia/Kolkata")
    days = clock.day_buckets(date(2026, 6, 1), date(2026, 6, 3), tz)
    assert days.labels == ("2026-06-01", "2026-06-02", "2026-06-03")
    assert days.first % 3600 == 1800  # 00:00 at +5:30 is half past a UTC hour
    assert days.index(days.first - 1) is None
    assert days.index(days.first) == 0
    assert days.index(days.starts[1] - 1) == 0
    assert days.index(days.starts[2]) == 2
    assert days.index(days.end) is None
    assert days.first_slot() * clock.SLOT_SECONDS == days.first
    assert days.end_slot() * clock.SLOT_SECONDS == days.end


@pytest.mark.parametrize(
    ("moment", "first_label", "last_label"),
    [
        (datetime(2026, 6, 10, 16, 1, tzinfo=UTC), "2026-06-10 01:00", "2026-06-11 00:00"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2027-01-01 08:00", "2027-01-01 07:00"),
    ],
)
def test_last_24_hours_end_with_the_current_local_hour(moment, first_label, last_label):
    hours = clock.last_hours(ZoneInfo("Asia/Shanghai"), 24, moment)
    assert len(hours.starts) == 24
    assert hours.labels[-1] == last_label or hours.labels[0] == first_label
    assert hours.index(clock.epoch_seconds(moment)) == 23
    assert hours.end - hours.first == 24 * 3600


def test_last_24_hours_in_a_half_hour_zone_start_at_half_past_utc():
    moment = datetime(2026, 6, 10, 16, 1, tzinfo=UTC)  # 21:31 in Kolkata
    hours = clock.last_hours(ZoneInfo("Asia/Kolkata"), 24, moment)
    assert hours.labels[-1] == "2026-06-10 21:00"
    assert clock.from_epoch(hours.starts[-1]) == datetime(2026, 6, 10, 15, 30, tzinfo=UTC)


def test_hour_labels_carry_the_offset_and_utc_says_z():
    assert clock.hour_label(0, clock.UTC_ZONE) == "1970-01-01T00:00:00Z"
    assert clock.hour_label(0, ZoneInfo("Asia/Kolkata")) == "1970-01-01T05:30:00+05:30"


def test_today_in_the_zone_around_utc_midnight():
    late = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    assert clock.today(clock.UTC_ZONE, late) == date(2026, 12, 31)
    assert clock.today(ZoneInfo("Asia/Shanghai"), late) == date(2027, 1, 1)
    assert clock.today(ZoneInfo("America/New_York"), late) == date(2026, 12, 31)
    assert clock.utc_day(late) == date(2026, 12, 31)


# Only share/clock.py reads the wall clock or does epoch arithmetic (storage/spans.py
# turns the same epoch seconds into SQL). Monotonic timers for timeouts are fine.
_WALL_CLOCK = re.compile(
    r"datetime\.now\(|\.utcnow\(|date\.today\(|time\.time\(|\.timestamp\(\)|"
    r"fromtimestamp\(|\b3600\b|\b86400\b|//\s*24\b"
)
_ALLOWED = {"share/clock.py", "share/storage/spans.py"}
_CACHE_HEADERS = re.compile(r"max-age=\d+")


def test_only_the_clock_module_reads_the_wall_clock_or_counts_epoch_hours():
    offenders = []
    for path in sorted((ROOT / "share").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in _ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = _CACHE_HEADERS.sub("", line.split("#", 1)[0])
            if _WALL_CLOCK.search(code):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []


def test_tests_do_not_read_the_wall_clock():
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if (
                re.search(r"datetime\.now\(|date\.today\(|utcnow\(", line)
                and "wall-clock-ok" not in line
            ):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
