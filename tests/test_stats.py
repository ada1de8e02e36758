"""Stats: the contract's JSON, UTC day boundaries, bots apart, ``tz=``; on both engines."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from share import clock, services
from share.stats.perlink import StatsError, StatsQuery

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47"
    ".2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


def scan(app, code, when, ua=CHROME, ip="198.51.100.1", src=None, referer=None):
    headers = {"User-Agent": ua}
    if referer:
        headers["Referer"] = referer
    outcome = services.of(app).redirector.scan(
        code, method="GET", headers=headers, remote_addr=ip, src=src, now=when
    )
    assert outcome.status == 302
    services.of(app).redirector.flush()  # what the ingester does within a second


def at(day, hour=12, minute=0, second=0):
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


def test_stats_shape_totals_and_breakdowns(any_app, any_api, frozen):
    code = any_api.make_link()["code"]
    frozen.set(at(frozen.now().date(), 23))
    today = frozen.now().date()
    scan(
        any_app,
        code,
        at(today, 1),
        WECHAT,
        ip="198.51.100.1",
        src="widget",
        referer="https://mp.weixin.qq.com/s/abc",
    )
    scan(any_app, code, at(today, 1, 5), WECHAT, ip="198.51.100.1", src="widget")
    scan(any_app, code, at(today, 2), CHROME, ip="198.51.100.2", src="print")
    scan(any_app, code, at(today, 3), "curl/8.0", ip="198.51.100.3")
    body = any_api.get(f"/links/{code}/stats").get_json()
    assert set(body) >= {
        "total",
        "unique",
        "bots",
        "opens",
        "series",
        "by_client",
        "by_platform",
        "by_placement",
        "top_referrers",
    }
    assert (body["total"], body["unique"], body["bots"], body["opens"]) == (3, 2, 1, 0)
    assert body["by_client"] == {"wechat": 2, "browser": 1}
    assert body["by_platform"] == {"android": 2, "windows": 1}
    assert body["by_placement"] == {"widget": 2, "print": 1}
    assert body["top_referrers"] == [{"referrer": "mp.weixin.qq.com", "scans": 1}]
    assert len(body["series"]) == 30
    assert body["series"][-1] == {"t": today.isoformat(), "scans": 3, "unique": 2}
    assert sum(point["scans"] for point in body["series"]) == 3


def test_day_boundaries_are_utc(any_app, any_api):
    code = any_api.make_link()["code"]
    d1, d2 = date(2026, 3, 1), date(2026, 3, 2)
    scan(any_app, code, at(d1, 23, 59, 59))
    scan(any_app, code, at(d2, 0, 0, 0))
    scan(any_app, code, at(d2, 0, 0, 1), ip="198.51.100.9")
    body = any_api.get(f"/links/{code}/stats?from=2026-03-01&to=2026-03-02").get_json()
    assert [(p["t"], p["scans"]) for p in body["series"]] == [("2026-03-01", 1), ("2026-03-02", 2)]
    only_first = any_api.get(f"/links/{code}/stats?from=2026-03-01&to=2026-03-01").get_json()
    assert only_first["total"] == 1
    hourly = any_api.get(
        f"/links/{code}/stats?from=2026-03-02&to=2026-03-02&bucket=hour"
    ).get_json()
    assert len(hourly["series"]) == 24
    # 198.51.100.1 was first seen a second before (the same Shanghai day, so the
    # same visitor hash): a visitor is unique in the bucket of their first scan
    assert hourly["series"][0] == {"t": "2026-03-02T00:00:00Z", "scans": 2, "unique": 1}


def test_unique_counts_visitors_per_day_salt(any_app, any_api):
    code = any_api.make_link()["code"]
    d = date(2026, 5, 10)
    for minute in range(3):
        scan(any_app, code, at(d, 9, minute))
    scan(any_app, code, at(d + timedelta(days=1), 9))
    body = any_api.get(f"/links/{code}/stats?from=2026-05-10&to=2026-05-11").get_json()
    assert (body["total"], body["unique"]) == (4, 2)


def test_default_range_is_last_30_days_including_today(any_app, any_api, instant):
    code = any_api.make_link()["code"]
    today = instant.now().date()
    scan(any_app, code, at(today - timedelta(days=29)))
    scan(any_app, code, at(today - timedelta(days=30)))
    body = any_api.get(f"/links/{code}/stats").get_json()
    assert body["total"] == 1
    assert body["series"][0]["t"] == (today - timedelta(days=29)).isoformat()


@pytest.mark.parametrize(
    "query, code",
    [
        ("?from=2026-13-01", "invalid_date"),
        ("?to=yesterday", "invalid_date"),
        ("?from=2026-1-1", "invalid_date"),
        ("?from=2024-W01-1", "invalid_date"),  # an ISO week date is not YYYY-MM-DD
        ("?from=2024-01-0\u0662", "invalid_date"),  # a non-ASCII digit
        ("?from=2026-03-02&to=2026-03-01", "invalid_range"),
        ("?bucket=week", "invalid_bucket"),
        ("?from=2026-01-01&to=2026-03-01&bucket=hour", "range_too_large"),
        ("?from=1900-01-01&to=2026-01-01", "invalid_date"),
        ("?to=9999-12-31", "invalid_date"),
        ("?from=9998-12-31&to=9998-12-31", None),
        ("?from=2000-01-01&to=2030-01-01", "range_too_large"),
    ],
)
def test_bad_stats_queries_are_400(api, query, code):
    link = api.make_link()
    response = api.get(f"/links/{link['code']}/stats{query}")
    if code is None:  # the last representable day still works
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_stats_query_parse_without_flask():
    query = StatsQuery.parse(None, None, None, now=datetime(2026, 11, 28, 23, 0, tzinfo=UTC))
    assert (query.first_day, query.last_day, query.bucket) == (
        date(2026, 10, 30),
        date(2026, 11, 28),
        "day",
    )
    # 23:00 UTC is already the next day in Shanghai: its 30 days end there
    local = StatsQuery.parse(
        None, None, None, tz="Asia/Shanghai", now=datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    )
    assert (local.first_day, local.last_day) == (date(2026, 10, 31), date(2026, 11, 29))
    with pytest.raises(StatsError):
        StatsQuery.parse("2026-02-30", None, None)


@pytest.mark.parametrize("raw", ["Mars/Olympus", "../../etc/passwd", "UTC\x00", "x" * 300, "/UTC"])
def test_bad_tz_is_a_400_naming_tz(api, raw):
    code = api.make_link()["code"]
    response = api.get(f"/links/{code}/stats", query_string={"tz": raw})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_tz" and "`tz`" in error["message"]


def test_tz_buckets_days_and_hours_in_that_zone(any_app, any_api):
    """20:30 UTC on 2 March is 3 March 04:30 in Shanghai and 2 March 15:30 in New York."""
    code = any_api.make_link()["code"]
    scan(any_app, code, at(date(2026, 3, 2), 20, 30))
    url = f"/links/{code}/stats?from=2026-03-02&to=2026-03-03"
    utc = any_api.get(url).get_json()
    assert [p["scans"] for p in utc["series"]] == [1, 0] and utc["tz"] == "UTC"
    shanghai = any_api.get(url + "&tz=Asia/Shanghai").get_json()
    assert [p["scans"] for p in shanghai["series"]] == [0, 1]
    assert shanghai["tz"] == "Asia/Shanghai"
    hours = any_api.get(
        f"/links/{code}/stats?from=2026-03-03&to=2026-03-03&bucket=hour&tz=Asia/Shanghai"
    ).get_json()["series"]
    assert len(hours) == 24 and hours[0]["t"] == "2026-03-03T00:00:00+08:00"
    assert [p["t"] for p in hours if p["scans"]] == ["2026-03-03T04:00:00+08:00"]


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", "2026-03-08", 23),
        ("America/New_York", "2026-11-01", 25),
        ("Europe/Berlin", "2026-03-29", 23),
        ("Europe/Berlin", "2026-10-25", 25),
        ("Asia/Kolkata", "2026-03-29", 24),
    ],
)
def test_dst_days_have_23_or_25_hourly_buckets(api, zone, day, hours):
    code = api.make_link()["code"]
    body = api.get(
        f"/links/{code}/stats", query_string={"from": day, "to": day, "bucket": "hour", "tz": zone}
    ).get_json()
    labels = [p["t"] for p in body["series"]]
    assert len(labels) == hours and len(set(labels)) == hours
    tz = ZoneInfo(zone)
    first = datetime.fromisoformat(labels[0])
    assert first.astimezone(tz).strftime("%H:%M") == "00:00"


def test_half_hour_zone_day_begins_at_half_past(app, api):
    """Kolkata (+5:30): 18:29 UTC is 23:59 on the 1st, 18:30 UTC is 00:00 on the 2nd."""
    code = api.make_link()["code"]
    scan(app, code, at(date(2026, 6, 1), 18, 29, 59))
    scan(app, code, at(date(2026, 6, 1), 18, 30, 0), ip="198.51.100.2")
    body = api.get(f"/links/{code}/stats?from=2026-06-01&to=2026-06-02&tz=Asia/Kolkata").get_json()
    assert [(p["t"], p["scans"]) for p in body["series"]] == [
        ("2026-06-01", 1),
        ("2026-06-02", 1),
    ]
    hours = api.get(
        f"/links/{code}/stats?from=2026-06-01&to=2026-06-01&bucket=hour&tz=Asia/Kolkata"
    ).get_json()["series"]
    assert hours[-1] == {"t": "2026-06-01T23:00:00+05:30", "scans": 1, "unique": 1}


def test_scan_with_a_non_utc_now_is_stored_at_that_instant(app, api, engine):
    """Regression: a non-UTC ``now`` lost its zone instead of being converted."""
    from sqlalchemy import text

    code = api.make_link()["code"]
    shanghai_9am = datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    scan(app, code, shanghai_9am)
    with engine.connect() as conn:
        ts, hour = conn.execute(text("SELECT ts, hour FROM scans")).one()
    stored = datetime.fromisoformat(str(ts)).replace(tzinfo=UTC)
    assert stored == shanghai_9am
    assert hour == clock.epoch_hour(shanghai_9am) == int(stored.timestamp()) // 3600
