"""Dashboard numbers: overview totals and chart, roll-ups, local days, top articles; both engines."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from share import services
from share.stats import dashboard
from share.storage import rollups
from tests.adminhelp import CHROME, WECHAT, AdminClient, scan
from tests.conftest import close_app, make_app

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_overview_totals_keep_bots_apart_and_split_clients(any_app, any_api, instant):
    code = any_api.make_link()["code"]
    now = instant.now().astimezone(SHANGHAI)
    today_local = now - timedelta(seconds=1)
    scan(any_app, code, today_local, WECHAT, ip="198.51.100.1", src="widget")
    scan(any_app, code, today_local, WECHAT, ip="198.51.100.1", src="widget")
    scan(any_app, code, today_local, CHROME, ip="198.51.100.2")
    scan(any_app, code, today_local, "curl/8.0", ip="198.51.100.3")
    scan(any_app, code, today_local - timedelta(days=3), CHROME, ip="198.51.100.4")
    scan(any_app, code, today_local - timedelta(days=20), CHROME, ip="198.51.100.4")
    scan(any_app, code, today_local - timedelta(days=200), CHROME, ip="198.51.100.4")
    admin = AdminClient(any_app)
    admin.login()
    body = admin.get("/admin/overview.json").get_json()
    t = body["totals"]
    if today_local.date() == now.date():  # not at 00:00:00 local
        assert t["today"]["scans"] == 3
        assert t["today"]["uniques"] == 2
    assert t["7d"]["scans"] == 4 and t["7d"]["bots"] == 1
    assert t["30d"]["scans"] == 5
    assert t["all"]["scans"] == 6 and t["all"]["bots"] == 1
    assert t["all"]["widget_scans"] == 2
    chart = body["chart"]
    assert chart["clients"][0] == "wechat"
    assert sum(b["total"] for b in chart["series"]) == 5
    assert body["top"]["articles"][0]["scans_all"] == 6


def test_scan_per_open_rate_uses_widget_opens(any_app, any_api, frozen):
    from share.scans.opens import record_open

    engine = services.of(any_app).engine
    code = any_api.make_link()["code"]
    now = frozen.now()
    for _ in range(4):
        assert record_open(engine, code, now).value == "counted"
    scan(any_app, code, now - timedelta(minutes=1), WECHAT, src="widget")
    data = dashboard.overview(engine, SHANGHAI, now=now)
    assert data["totals"]["all"]["opens"] == 4
    assert data["totals"]["all"]["scans_per_open"] == 0.25


def test_rollups_follow_new_scans_and_another_zone_sums_the_slots(any_app, any_api, frozen):
    engine = services.of(any_app).engine
    code = any_api.make_link()["code"]
    now = frozen.now()
    scan(any_app, code, now - timedelta(days=2))
    first = dashboard.overview(engine, SHANGHAI, now=now)["totals"]["all"]["scans"]
    scan(any_app, code, now)
    second = dashboard.overview(engine, SHANGHAI, now=now)["totals"]["all"]["scans"]
    assert (first, second) == (1, 2)
    assert rollups.zone(engine) == "Asia/Shanghai"
    new_york = dashboard.overview(engine, ZoneInfo("America/New_York"), now=now)["totals"]
    assert rollups.zone(engine) == "Asia/Shanghai"  # reading never rebuilds
    assert new_york["all"]["scans"] == 2


def test_ingesting_in_a_new_display_zone_refiles_the_days(any_app, any_api, frozen, tmp_path):
    """A restart with another ``SHARE_TIMEZONE``: the next batch re-sums the local days."""
    code = any_api.make_link()["code"]
    late_evening_utc = frozen.now().replace(hour=20, minute=30) - timedelta(days=2)
    scan(any_app, code, late_evening_utc)  # already the next day in Shanghai
    engine = services.of(any_app).engine
    url = any_app.config["DATABASE_URL"]
    utc_app = make_app(url, tmp_path / "utc", TIMEZONE="UTC")
    try:
        scan(utc_app, code, frozen.now())
        assert rollups.zone(engine) == "UTC"
        days = {day: n for day, n in _day_rows(engine) if n}
        assert days[late_evening_utc.date()] == 1
        assert days[frozen.now().date()] == 1
    finally:
        close_app(utc_app)


def _day_rows(engine):
    from sqlalchemy import select

    from share.storage.schema import rollup_link_days

    with engine.connect() as conn:
        return conn.execute(select(rollup_link_days.c.day, rollup_link_days.c.scans)).all()


def test_a_day_is_the_admins_local_day(app, api, engine, instant):
    """20:30 UTC is already the next day in Shanghai (UTC+8)."""
    code = api.make_link()["code"]
    now = instant.now()
    evening = (now - timedelta(days=2)).replace(hour=20, minute=30)
    scan(app, code, evening)
    chart = dashboard.chart_series(engine, SHANGHAI, "7d", now)
    by_day = {b["t"]: b["total"] for b in chart["series"]}
    assert by_day[(evening + timedelta(days=1)).date().isoformat()] == 1
    utc_chart = dashboard.chart_series(engine, ZoneInfo("UTC"), "7d", now)
    assert {b["t"]: b["total"] for b in utc_chart["series"]}[evening.date().isoformat()] == 1


def test_hourly_chart_covers_the_last_24_hours(app, api, engine, instant):
    code = api.make_link()["code"]
    now = instant.now()
    scan(app, code, now - timedelta(hours=3), WECHAT)
    scan(app, code, now - timedelta(hours=30), WECHAT)
    data = dashboard.overview(engine, SHANGHAI, chart="24h", now=now)
    assert data["chart"]["bucket"] == "hour" and len(data["chart"]["series"]) == 24
    assert sum(b["total"] for b in data["chart"]["series"]) == 1


def test_top_articles_search_sort_and_pages(any_app, any_api, frozen):
    now = frozen.now()
    codes = []
    for n in range(30):
        codes.append(
            any_api.make_link(f"https://news.example.com/p/{n}", title=f"Story {n}")["code"]
        )
    for n in range(3):
        scan(any_app, codes[5], now - timedelta(minutes=n))
    scan(any_app, codes[7], now - timedelta(days=10))
    admin = AdminClient(any_app)
    admin.login()
    top = admin.get("/admin/overview.json").get_json()["top"]
    assert top["count"] == 30 and top["pages"] == 2 and len(top["articles"]) == 25
    assert top["articles"][0]["code"] == codes[5]
    by_all = admin.get("/admin/overview.json?sort=scans_all").get_json()["top"]["articles"]
    assert [a["code"] for a in by_all[:2]] == [codes[5], codes[7]]
    asc = admin.get("/admin/overview.json?sort=scans_all&order=asc").get_json()["top"]
    assert asc["articles"][0]["scans_all"] == 0
    found = admin.get("/admin/overview.json?q=Story%201").get_json()["top"]
    assert found["count"] == 11  # 1, 10..19
    assert admin.get("/admin/overview.json?q=p/29").get_json()["top"]["count"] == 1
    wildcard = admin.get("/admin/overview.json?q=%25").get_json()["top"]
    assert wildcard["count"] == 0
    page2 = admin.get("/admin/overview.json?page=2").get_json()["top"]
    assert len(page2["articles"]) == 5
    for page in ("²", "٣", "-1"):  # str.isdigit takes "²", int() does not: never a 500
        assert admin.get("/admin/overview.json", query_string={"page": page}).status_code == 200
    odd = admin.get("/admin/overview.json?page=-1&sort=drop&chart=x").get_json()
    assert odd["top"]["page"] == 1 and odd["chart"]["range"] == "30d"
    html = admin.get("/admin/?q=Story").get_data(as_text=True)
    assert "Story 29" in html and 'rel="next"' in html
