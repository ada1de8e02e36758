"""``/t/<target>``: the counted hop of every share button, and the share beacon.

On both engines, through the app's WSGI stack: each navigate target lands on
its share URL carrying the tracked short link (``src=<target>``); a share is
counted once per person (not for ``HEAD``, not for bots); an untracked share
still reaches the network with the page URL; a scan of the shared link comes
back as that network's visits back; the counts fall into the display zone's
days; deleting a link takes its shares. Time is frozen, never the wall clock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import func, select

from share import services
from share.config import SettingError
from share.sharing import clicks, targets
from share.storage.engine import read
from share.storage.schema import share_clicks
from tests.adminhelp import CHROME, WECHAT, AdminClient
from tests.conftest import PUBLIC, Api, close_app, make_app

ARTICLE = "https://news.example.com/a/shared"
ALLOWED = "news.example.com"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HUMAN = {"User-Agent": CHROME}


@pytest.fixture(params=["sqlite", "postgres"])
def hop_app(request, tmp_path):
    """The app on each engine, with ``news.example.com`` allowed to register."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    app = make_app(url, tmp_path, ALLOWED_HOSTS=ALLOWED)
    yield app
    _close(app)


def _close(app) -> None:
    """Stop the app's share flusher, then close it (before its schema is dropped)."""
    clicks.close(services.of(app).engine)
    close_app(app)


@pytest.fixture
def hop(hop_app):
    return hop_app.test_client()


@pytest.fixture
def hop_api(hop_app):
    return Api(hop_app)


def _path(target: str, url: str = ARTICLE, **fields) -> str:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in {"url": url, **fields}.items())
    return f"/t/{target}?{query}"


def _shares(app, target: str | None = None) -> int:
    """Shares stored, after this process's pending ones are stored (as every reader does)."""
    clicks.flush(services.of(app).engine)
    c = share_clicks.c
    stmt = select(func.coalesce(func.sum(c.shares), 0))
    if target is not None:
        stmt = stmt.where(c.target == target)
    with read(services.of(app).engine) as conn:
        return int(conn.execute(stmt).scalar_one())


def _shared_url(location: str, target: str) -> str:
    """The URL the share page was handed (the ``{url}`` placeholder's parameter)."""
    template = targets.TEMPLATES[target]
    name = parse_qs(urlsplit(template).query, keep_blank_values=True)
    key = next(k for k, v in name.items() if v == ["{url}"])
    return parse_qs(urlsplit(location).query)[key][0]


# -- the hop ---------------------------------------------------------------------


@pytest.mark.parametrize("target", list(targets.TEMPLATES))
def test_each_navigate_target_lands_on_its_share_url_with_the_tracked_link(
    hop, hop_app, frozen, target
):
    response = hop.get(_path(target, title="标题 & more"), headers=HUMAN)
    assert response.status_code == 302
    location = response.headers["Location"]
    template = targets.TEMPLATES[target]
    assert location.startswith(template.split("?")[0] + "?")
    shared = _shared_url(location, target)
    assert shared.startswith(f"{PUBLIC}/s/") and shared.endswith(f"?src={target}")
    if "{title}" in template:
        assert "%E6%A0%87%E9%A2%98%20%26%20more" in location  # encoded, never raw
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Set-Cookie" not in response.headers
    assert _shares(hop_app, target) == 1


def test_counted_once_per_get_never_for_head_or_bots(hop, hop_app, frozen):
    for _ in range(3):
        assert hop.get(_path("weibo"), headers=HUMAN).status_code == 302
    assert hop.head(_path("weibo"), headers=HUMAN).status_code == 302
    bot = hop.get(_path("weibo"), headers={"User-Agent": GOOGLEBOT})
    assert bot.status_code == 302
    assert "%2Fs%2F" in bot.headers["Location"]  # still the tracked link, just not counted
    assert hop.get(_path("weibo"), headers={"User-Agent": "curl/8.4.0"}).status_code == 302
    assert _shares(hop_app, "weibo") == 3


def test_a_bot_never_registers_a_link(hop, hop_api, frozen):
    response = hop.get(_path("x"), headers={"User-Agent": GOOGLEBOT})
    assert _shared_url(response.headers["Location"], "x") == ARTICLE
    assert hop_api.get("/links").get_json()["links"] == []


def test_host_not_allowed_shares_the_page_url_and_counts_nothing(hop, hop_app, hop_api, frozen):
    page = "https://elsewhere.example.org/post?id=7"
    response = hop.get(_path("qq", page, title="T"), headers=HUMAN)
    assert response.status_code == 302
    assert _shared_url(response.headers["Location"], "qq") == page
    assert _shares(hop_app) == 0
    assert hop_api.get("/links").get_json()["links"] == []


def test_title_and_image_fall_back_to_the_links_own(hop, hop_api, frozen):
    hop_api.make_link(ARTICLE, title="Stored title", image="https://news.example.com/i.png")
    location = hop.get(_path("weibo"), headers=HUMAN).headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["title"] == ["Stored title"]
    assert query["pic"] == ["https://news.example.com/i.png"]
    location = hop.get(_path("weibo", title="Given"), headers=HUMAN).headers["Location"]
    assert parse_qs(urlsplit(location).query)["title"] == ["Given"]


def test_disabled_link_gets_an_untracked_302(hop, hop_app, hop_api, frozen):
    link = hop_api.make_link(ARTICLE)
    hop_api.patch(f"/links/{link['code']}", json={"disabled": True})
    response = hop.get(_path("douban"), headers=HUMAN)
    assert response.status_code == 302
    assert _shared_url(response.headers["Location"], "douban") == ARTICLE
    assert _shares(hop_app) == 0


def test_link_switched_off_is_honoured_within_a_second(hop, hop_app, hop_api, frozen, monkeypatch):
    link = hop_api.make_link(ARTICLE)
    assert hop.get(_path("weibo"), headers=HUMAN).status_code == 302  # now remembered
    assert _shares(hop_app) == 1
    hop_api.patch(f"/links/{link['code']}", json={"disabled": True})
    # still remembered as live: the reader gets the short link, but the count is refused
    hop.get(_path("weibo"), headers=HUMAN)
    assert _shares(hop_app) == 1
    monkeypatch.setattr(clicks, "FRESH_FOR", 0.0)  # the memory's second has passed
    response = hop.get(_path("weibo"), headers=HUMAN)
    assert _shared_url(response.headers["Location"], "weibo") == ARTICLE
    assert _shares(hop_app) == 1


def test_pending_shares_are_stored_by_the_workers_own_thread(hop, hop_app, frozen):
    hop.get(_path("weibo"), headers=HUMAN)
    engine = services.of(hop_app).engine
    c = share_clicks.c

    def stored() -> int:
        with read(engine) as conn:
            return int(conn.execute(select(func.coalesce(func.sum(c.shares), 0))).scalar_one())

    deadline = 200  # polls of 50 ms: 10 s, far beyond FLUSH_EVERY
    while stored() == 0 and deadline:
        threading.Event().wait(0.05)
        deadline -= 1
    assert stored() == 1


def test_unknown_target_is_404(hop, frozen):
    for target in ("wechat", "myspace", "copy", "native", "WEIBO", "a" * 200):
        assert hop.get(_path(target), headers=HUMAN).status_code == 404, target


@pytest.mark.parametrize(
    "url", ["", "ftp://news.example.com/a", "news.example.com/a", "https://", "javascript:x"]
)
def test_bad_url_is_400_with_a_message(hop, url, frozen):
    response = hop.get(f"/t/weibo?url={quote(url)}", headers={**HUMAN, "Accept": "text/html"})
    assert response.status_code == 400
    assert "http" in response.get_data(as_text=True)
    assert hop.get("/t/weibo", headers=HUMAN).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/t/weibo?url=https://news.example.com/" + "a" * 100_000,
        "/t/weibo?url=https://news.example.com/%00",
        "/t/weibo?url=%00",
        "/t/%00?url=https://news.example.com/a",
        "/t/..%2F..%2Fadmin?url=https://news.example.com/a",
        "/t/../admin?url=https://news.example.com/a",
        "/t/" + "w" * 200 + "?url=https://news.example.com/a",
        "/t/weibo?url=https://news.example.com/a&title=%00%ff" + "x" * 50_000,
        "/t/weibo?url=https://[::1/a",
        "/t/copy?url=https://news.example.com/" + "a" * 100_000,
    ],
)
def test_hostile_input_is_a_4xx_or_a_plain_redirect_never_500(hop_app, path, frozen):
    client = hop_app.test_client()
    for method in ("GET", "HEAD", "POST"):
        response = client.open(path, method=method, headers=HUMAN)
        assert response.status_code < 500, (method, path, response.status_code)
        assert response.status_code in (204, 302, 400, 404, 405, 414), (method, path)


def test_registration_over_the_limit_still_redirects_untracked(tmp_path, sqlite_url, frozen):
    app = make_app(sqlite_url, tmp_path, ALLOWED_HOSTS=ALLOWED, SHARE_RATE_LIMIT="2 per minute")
    try:
        client = app.test_client()
        statuses, shared = [], []
        for n in range(4):
            response = client.get(_path("x", f"{ARTICLE}/{n}"), headers=HUMAN)
            statuses.append(response.status_code)
            shared.append(_shared_url(response.headers["Location"], "x"))
        assert statuses == [302] * 4
        assert [url.startswith(f"{PUBLIC}/s/") for url in shared] == [True, True, False, False]
        assert shared[3] == f"{ARTICLE}/3"
        # a registered link stays tracked whatever the registration limit says
        again = client.get(_path("x", f"{ARTICLE}/0"), headers=HUMAN).headers["Location"]
        assert _shared_url(again, "x").startswith(f"{PUBLIC}/s/")
        assert _shares(app) == 3
    finally:
        _close(app)


# -- the beacon -------------------------------------------------------------------


@pytest.mark.parametrize("target", ["copy", "native", "weibo"])
def test_post_beacon_counts_a_registered_link(hop, hop_app, hop_api, target, frozen):
    hop_api.make_link(ARTICLE)
    response = hop.post(_path(target), headers={**HUMAN, "Origin": "https://news.example.com"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    assert _shares(hop_app, target) == 1


def test_post_beacon_never_registers_nor_counts_bots(hop, hop_app, hop_api, frozen):
    assert hop.post(_path("copy"), headers=HUMAN).status_code == 204
    assert hop_api.get("/links").get_json()["links"] == []
    hop_api.make_link(ARTICLE)
    assert hop.post(_path("copy"), headers={"User-Agent": GOOGLEBOT}).status_code == 204
    assert hop.post(_path("nope"), headers=HUMAN).status_code == 404
    assert _shares(hop_app) == 0


def test_post_beacon_needs_no_csrf_token(tmp_path, sqlite_url, frozen):
    app = make_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True)
    try:
        Api(app).make_link(ARTICLE)
        assert app.test_client().post(_path("copy"), headers=HUMAN).status_code == 204
        assert _shares(app, "copy") == 1
    finally:
        _close(app)


# -- the stand-in setting ----------------------------------------------------------


def test_share_target_urls_points_targets_at_a_stand_in(tmp_path, sqlite_url, frozen):
    stand_in = "http://127.0.0.1:9/share?to=weibo&u={url}&t={title}"
    app = make_app(
        sqlite_url,
        tmp_path,
        ALLOWED_HOSTS=ALLOWED,
        SHARE_TARGET_URLS='{"weibo": "%s"}' % stand_in,  # noqa: UP031 - JSON as the env gives it
    )
    try:
        location = app.test_client().get(_path("weibo", title="T"), headers=HUMAN)
        location = location.headers["Location"]
        assert location.startswith("http://127.0.0.1:9/share?to=weibo&u=")
        assert parse_qs(urlsplit(location).query)["u"][0].endswith("?src=weibo")
        other = app.test_client().get(_path("x"), headers=HUMAN).headers["Location"]
        assert other.startswith("https://twitter.com/intent/tweet?")
    finally:
        _close(app)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("{not json", "JSON object"),
        ('["weibo"]', "JSON object"),
        ('{"copy": "http://127.0.0.1/{url}"}', "not a navigate target"),
        ('{"wechat": "http://127.0.0.1/{url}"}', "not a navigate target"),
        ('{"weibo": "javascript:alert({url})"}', "http(s):// or mailto:"),
        ('{"weibo": "http://127.0.0.1/?u={link}"}', "only {url}"),
        ('{"weibo": "http://127.0.0.1/?u={url!r}"}', "malformed"),
        ('{"weibo": "http://127.0.0.1/?u={url"}', "malformed"),
        ('{"weibo": 7}', "must be a URL"),
        ('{"weibo": "http://[::1/?u={url}"}', "http(s):// or mailto:"),
        ('{"weibo": "/relative?u={url}"}', "http(s):// or mailto:"),
    ],
)
def test_a_bad_share_target_urls_stops_start_up_naming_it(tmp_path, sqlite_url, value, says):
    with pytest.raises(SettingError) as caught:
        make_app(sqlite_url, tmp_path, SHARE_TARGET_URLS=value)
    message = str(caught.value)
    assert "SHARE_SHARE_TARGET_URLS" in message and says in message


# -- what the stats say ---------------------------------------------------------------


def test_shares_and_visits_back_reach_the_stats_api_and_the_article_page(
    hop, hop_app, hop_api, frozen
):
    for target, n in (("weibo", 3), ("x", 1)):
        for _ in range(n):
            hop.get(_path(target), headers=HUMAN)
    hop.post(_path("copy"), headers=HUMAN)
    location = hop.get(_path("weibo"), headers=HUMAN).headers["Location"]  # the 4th weibo share
    short = _shared_url(location, "weibo")
    path = short.removeprefix(PUBLIC)
    for agent in (WECHAT, CHROME):
        assert hop.get(path, headers={"User-Agent": agent}).status_code == 302
    assert hop.get(path, headers={"User-Agent": GOOGLEBOT}).status_code == 302  # not a visit
    code = urlsplit(short).path.rsplit("/", 1)[1]

    stats = hop_api.get(f"/links/{code}/stats").get_json()
    assert stats["shares"] == {"weibo": 4, "copy": 1, "x": 1}
    assert stats["shares"] == {t: _shares(hop_app, t) for t in ("weibo", "copy", "x")}
    assert stats["by_placement"] == {"weibo": 2}

    admin = AdminClient(hop_app)
    admin.login()
    numbers = admin.get(f"/admin/a/{code}.json").get_json()["stats"]
    rows = {row["target"]: (row["shares"], row["visits_back"]) for row in numbers["networks"]}
    assert rows == {"widget": (0, 0), "weibo": (4, 2), "copy": (1, 0), "x": (1, 0)}
    page = admin.get(f"/admin/a/{code}").get_data(as_text=True)
    assert 'data-target="weibo"><th scope="row">Weibo</th><td data-key="shares">4</td>' in page
    assert '<td data-key="visits_back">2</td><td data-key="rate">0.50</td>' in page
    assert {row["target"]: row["rate"] for row in numbers["networks"]}["weibo"] == 0.5

    overview = admin.get("/admin/overview.json").get_json()
    today = {
        row["target"]: (row["shares"], row["visits_back"]) for row in overview["networks"]["today"]
    }
    assert today["weibo"] == (4, 2) and today["copy"] == (1, 0)
    assert overview["networks"]["all"] == overview["networks"]["today"]
    admin.post("/admin/lang", {"lang": "zh", "next": "/admin/"})
    home = admin.get("/admin/").get_data(as_text=True)
    assert "分享与回访" in home and "回访次数" in home
    assert '<span data-key="shares">4</span> → <span data-key="visits_back">2</span>' in home


def test_shares_fall_into_the_display_zones_days(hop, hop_app, hop_api, frozen):
    """15:59 and 16:01 UTC are one UTC day but two Shanghai days (midnight at 16:00 UTC)."""
    frozen.set(datetime(2026, 12, 1, 15, 59, 30, tzinfo=UTC))
    hop.get(_path("weibo"), headers=HUMAN)
    frozen.set(datetime(2026, 12, 1, 16, 0, 30, tzinfo=UTC))
    hop.get(_path("weibo"), headers=HUMAN)
    hop.post(_path("copy"), headers=HUMAN)
    code = hop_api.get("/links").get_json()["links"][0]["code"]

    def shares(day: str, tz: str = "UTC") -> dict:
        query = f"from={day}&to={day}&tz={tz}"
        return hop_api.get(f"/links/{code}/stats?{query}").get_json()["shares"]

    assert shares("2026-12-01") == {"weibo": 2, "copy": 1}
    assert shares("2026-12-01", "Asia/Shanghai") == {"weibo": 1}
    assert shares("2026-12-02", "Asia/Shanghai") == {"copy": 1, "weibo": 1}
    assert shares("2026-12-02") == {}
    hourly = hop_api.get(
        f"/links/{code}/stats?from=2026-12-02&to=2026-12-02&tz=Asia/Shanghai&bucket=hour"
    ).get_json()
    assert hourly["shares"] == {"copy": 1, "weibo": 1}


def test_tag_stats_sum_the_shares_of_their_links(hop, hop_api, frozen):
    hop_api.make_link(ARTICLE, tags=["spring"])
    hop_api.make_link(f"{ARTICLE}/2", tags=["spring"])
    hop.get(_path("weibo"), headers=HUMAN)
    hop.get(_path("weibo", f"{ARTICLE}/2"), headers=HUMAN)
    hop.post(_path("native", f"{ARTICLE}/2"), headers=HUMAN)
    stats = hop_api.get("/tags/spring/stats").get_json()
    assert stats["shares"] == {"weibo": 2, "native": 1}


def test_deleting_a_link_removes_its_shares(hop, hop_app, hop_api, frozen):
    link = hop_api.make_link(ARTICLE)
    kept = hop_api.make_link(f"{ARTICLE}/kept")
    hop.get(_path("weibo"), headers=HUMAN)
    hop.get(_path("qq", kept["url"]), headers=HUMAN)
    admin = AdminClient(hop_app)
    admin.login()
    confirm = admin.get(f"/admin/a/{link['code']}/delete").get_data(as_text=True)
    assert "1 share-button clicks" in confirm
    deleted = hop_api.client.delete(f"/api/v1/links/{link['code']}", headers=hop_api._headers())
    assert deleted.status_code == 204
    assert _shares(hop_app) == 1 and _shares(hop_app, "qq") == 1
    # this worker still remembers the link: the count is refused all the same
    response = hop.post(_path("copy"), headers=HUMAN)
    assert response.status_code == 204
    assert _shares(hop_app) == 1


def test_t_is_a_reserved_first_segment(hop_api):
    response = hop_api.post("/links", json={"url": ARTICLE, "code": "t"})
    assert response.status_code == 400  # too short anyway; the rule below is what matters
    from share.web.api import _routed_words

    with hop_api.app.test_request_context():
        assert "t" in _routed_words()
