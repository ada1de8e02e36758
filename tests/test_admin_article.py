"""The article page: numbers equal the stats API, ranges, CSV exports, actions, hostile metadata."""

import csv
import io
from datetime import timedelta

import pytest

from share import clock, services
from share.links import service as links
from share.stats.csvexport import neutralise
from tests.adminhelp import CHROME, WECHAT, AdminClient, scan
from tests.conftest import make_app


@pytest.fixture
def utc_app(sqlite_url, tmp_path):
    app = make_app(sqlite_url, tmp_path, TIMEZONE="UTC")
    yield app
    services.of(app).engine.dispose()


def _seed(app, code):
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    scan(
        app,
        code,
        now - timedelta(days=2),
        WECHAT,
        ip="198.51.100.1",
        src="widget",
        referer="https://mp.weixin.qq.com/s/x",
    )
    scan(app, code, now - timedelta(days=2), WECHAT, ip="198.51.100.1", src="widget")
    scan(app, code, now - timedelta(days=1), CHROME, ip="198.51.100.2", src="print")
    scan(app, code, now - timedelta(days=1), '=HYPERLINK("http://evil")', ip="198.51.100.3")
    scan(app, code, now - timedelta(days=1), "curl/8.0 @sum(1)", ip="198.51.100.4")
    return now


def test_article_json_and_csv_equal_the_stats_api_in_utc(utc_app, instant):
    from tests.conftest import Api

    api = Api(utc_app)
    code = api.make_link()["code"]
    _seed(utc_app, code)
    admin = AdminClient(utc_app)
    admin.login()
    stats = api.get(f"/links/{code}/stats").get_json()
    mine = admin.get(f"/admin/a/{code}.json").get_json()["stats"]
    for key in ("total", "unique", "bots", "by_client", "by_platform", "by_placement"):
        assert mine[key] == stats[key], key
    assert mine["series"] == stats["series"]
    rows = list(
        csv.reader(io.StringIO(admin.get(f"/admin/a/{code}/series.csv").get_data(as_text=True)))
    )
    assert rows[0][0] == "day (UTC)"
    assert [(r[0], int(r[1]), int(r[2])) for r in rows[1:]] == [
        (p["t"], p["scans"], p["unique"]) for p in stats["series"]
    ]


def test_raw_csv_has_no_address_and_no_formulas(app, api, frozen):
    code = api.make_link()["code"]
    _seed(app, code)
    admin = AdminClient(app)
    admin.login()
    response = admin.get(f"/admin/a/{code}/scans.csv?range=7d")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "198.51.100" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "time_local",
        "time_utc",
        "placement",
        "client",
        "platform",
        "is_bot",
        "referrer_host",
        "user_agent",
    ]
    assert len(rows) == 6
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(r[-1].startswith("'=HYPERLINK") for r in rows)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (-3, -3),
        (2.5, 2.5),
        (None, ""),
        (True, "true"),
    ],
)
def test_csv_cells_are_neutralised(value, expected):
    assert neutralise(value) == expected


def test_ranges_hourly_custom_and_bad(app, api, instant):
    """Regression: "today" was built in UTC while the page reads ranges in local days."""
    code = api.make_link()["code"]
    _seed(app, code)
    scan(app, code, instant.now() - timedelta(minutes=5))
    admin = AdminClient(app)
    admin.login()
    hourly = admin.get(f"/admin/a/{code}.json?range=24h").get_json()["stats"]
    assert hourly["bucket"] == "hour" and len(hourly["series"]) == 24 and hourly["total"] == 1
    today = clock.today(app.config["TIMEZONE"])
    custom = admin.get(
        f"/admin/a/{code}.json?range=custom&from={today - timedelta(days=9)}&to={today}"
    ).get_json()["stats"]
    assert len(custom["series"]) == 10 and custom["total"] == 4
    assert admin.get(f"/admin/a/{code}.json?range=custom&from=x&to=y").status_code == 400
    far = "range=custom&from=9999-12-31&to=9999-12-31"
    assert admin.get(f"/admin/a/{code}.json?{far}").status_code == 400
    # exports fall back to the default range rather than fail half-way through a download
    assert admin.get(f"/admin/a/{code}/scans.csv?{far}").status_code == 200
    back = admin.get(f"/admin/a/{code}.json?range=custom&from=2026-02-01&to=2026-01-01")
    assert back.status_code == 400
    page = admin.get(f"/admin/a/{code}?range=custom&from=2026-02-01&to=2026-01-01")
    assert page.status_code == 200 and "flash error" in page.get_data(as_text=True)
    assert admin.get(f"/admin/a/{code}?range=90d").status_code == 200


def test_article_page_lists_bots_apart_with_their_agents(app, api):
    code = api.make_link()["code"]
    _seed(app, code)
    admin = AdminClient(app)
    admin.login()
    data = admin.get(f"/admin/a/{code}.json").get_json()["stats"]
    agents = {b["user_agent"] for b in data["bot_agents"]}
    assert "curl/8.0 @sum(1)" in agents and CHROME not in agents and WECHAT not in agents
    assert data["bots"] == sum(b["scans"] for b in data["bot_agents"])
    html = admin.get(f"/admin/a/{code}").get_data(as_text=True)
    assert "curl/8.0 @sum(1)" in html
    assert f"/qr/{code}.svg" in html and f"/qr/{code}.png?size=1200" in html
    assert f"/card/{code}.jpg" in html and "widget.js" in html


def test_hostile_title_and_image_render_inert(app, api, engine):
    code = api.make_link(title="<script>alert(1)</script>")["code"]
    links.update(engine, code, {"image": None})
    from share.storage.links import update_by_code

    update_by_code(engine, code, {"image": "javascript:alert(1)"})
    admin = AdminClient(app)
    admin.login()
    for path in (f"/admin/a/{code}", "/admin/"):
        html = admin.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert 'src="javascript:' not in html and 'href="javascript:' not in html


def test_disable_asks_first_then_acts_with_a_flash(app, api, engine):
    code = api.make_link()["code"]
    admin = AdminClient(app)
    admin.login()
    ask = admin.post(f"/admin/a/{code}/disable")
    assert ask.status_code == 200 and 'name="confirmed"' in ask.get_data(as_text=True)
    assert links.get(engine, code).disabled is False
    done = admin.post(f"/admin/a/{code}/disable", {"confirmed": "1"}, follow_redirects=True)
    assert "Link disabled." in done.get_data(as_text=True)
    assert links.get(engine, code).disabled is True
    assert app.test_client().get(f"/s/{code}").status_code == 410
    admin.post(f"/admin/a/{code}/enable", {"confirmed": "1"})
    assert links.get(engine, code).disabled is False
    assert admin.post(f"/admin/a/{code}/explode", {"confirmed": "1"}).status_code == 404


def test_refresh_fetches_the_article_even_with_fetch_on_create_off(app, api, engine):
    import ipaddress

    from httpservers import LoopbackServer, page

    from share.fetch import FetchPolicy

    services.of(app).fetch_policy = FetchPolicy(
        allow_networks=(ipaddress.ip_network("127.0.0.0/8"),)
    )
    article = '<html lang="zh"><head><meta property="og:title" content="新标题"></head></html>'
    admin = AdminClient(app)
    admin.login()
    with LoopbackServer({"/a": page(article)}) as server:
        code = api.make_link(server.url("/a"))["code"]
        assert links.get(engine, code).title is None  # FETCH_ON_CREATE is off in tests
        done = admin.post(f"/admin/a/{code}/refresh", {"confirmed": "1"}, follow_redirects=True)
    assert "Metadata refreshed." in done.get_data(as_text=True)
    assert links.get(engine, code).title == "新标题"
    blocked = api.make_link("http://10.9.8.7/intranet")["code"]
    failed = admin.post(f"/admin/a/{blocked}/refresh", {"confirmed": "1"}, follow_redirects=True)
    assert "could not be fetched: blocked_address" in failed.get_data(as_text=True)


def test_edit_overrides_and_clearing_them(app, api, engine):
    code = api.make_link(title="Original")["code"]
    admin = AdminClient(app)
    admin.login()
    done = admin.post(
        f"/admin/a/{code}/edit",
        {"title": "New title", "description": "", "image": ""},
        follow_redirects=True,
    )
    assert "Saved." in done.get_data(as_text=True)
    assert links.get(engine, code).title == "New title"
    bad = admin.post(f"/admin/a/{code}/edit", {"title": "x" * 400}, follow_redirects=True)
    assert "Not saved" in bad.get_data(as_text=True)
    assert admin.get("/admin/a/zzzzzzzz").status_code == 404


def test_article_numbers_on_both_engines(any_app, any_api):
    code = any_api.make_link()["code"]
    _seed(any_app, code)
    admin = AdminClient(any_app)
    admin.login()
    stats = any_api.get(f"/links/{code}/stats").get_json()
    mine = admin.get(f"/admin/a/{code}.json?range=30d").get_json()["stats"]
    for key in ("total", "unique", "bots", "by_client", "by_placement", "top_referrers"):
        assert mine[key] == stats[key], key
    assert sum(p["scans"] for p in mine["series"]) == stats["total"] == 3
    hourly = admin.get(f"/admin/a/{code}.json?range=24h").get_json()["stats"]
    assert len(hourly["series"]) == 24


def test_edit_form_with_a_nul_is_refused_not_a_500(any_app, any_api):
    """Regression: a title with a NUL reached PostgreSQL, which refused it with a 500."""
    from share import services

    code = any_api.make_link(title="Original")["code"]
    admin = AdminClient(any_app)
    admin.login()
    done = admin.post(f"/admin/a/{code}/edit", {"title": "bad\x00title"}, follow_redirects=True)
    assert done.status_code == 200 and "Not saved" in done.get_data(as_text=True)
    engine = services.of(any_app).engine
    with pytest.raises(links.LinkError, match="broken character"):  # a form cannot send one
        links.update(engine, code, {"title": "bad\ud800title"})
    assert links.get(engine, code).title == "Original"
