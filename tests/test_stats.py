"""Stats: the contract's JSON, UTC day boundaries, bots apart; on both engines."""

from datetime import UTC, date, datetime, timedelta

import pytest

from share.stats import StatsError, StatsQuery

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
    outcome = app.extensions["share.redirector"].scan(
        code, method="GET", headers=headers, remote_addr=ip, src=src, now=when
    )
    assert outcome.status == 302


def at(day, hour=12, minute=0, second=0):
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


def test_stats_shape_totals_and_breakdowns(any_app, any_api):
    code = any_api.make_link()["code"]
    today = datetime.now(UTC).date()
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
    assert hourly["series"][0] == {"t": "2026-03-02T00:00:00Z", "scans": 2, "unique": 2}


def test_unique_counts_visitors_per_day_salt(any_app, any_api):
    code = any_api.make_link()["code"]
    d = date(2026, 5, 10)
    for minute in range(3):
        scan(any_app, code, at(d, 9, minute))
    scan(any_app, code, at(d + timedelta(days=1), 9))
    body = any_api.get(f"/links/{code}/stats?from=2026-05-10&to=2026-05-11").get_json()
    assert (body["total"], body["unique"]) == (4, 2)


def test_default_range_is_last_30_days_including_today(any_app, any_api):
    code = any_api.make_link()["code"]
    today = datetime.now(UTC).date()
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
    query = StatsQuery.parse(None, None, None, today=date(2026, 11, 28))
    assert (query.first_day, query.last_day, query.bucket) == (
        date(2026, 10, 30),
        date(2026, 11, 28),
        "day",
    )
    with pytest.raises(StatsError):
        StatsQuery.parse("2026-02-30", None, None)
