"""GET /s/<code>: counted redirects, bots apart, friendly errors, both engines."""

import time

import pytest
from sqlalchemy import select, text

from share import clock, services
from share.storage.schema import scans

WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI "
    "Language/zh_CN"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


def rows(app):
    """The stored scans, once the spool is ingested (the ingester does it within a second)."""
    services.of(app).redirector.flush()
    with services.of(app).engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(scans).order_by(scans.c.id)).mappings()]


def test_scan_redirects_once_and_records_one_row(any_app, any_api):
    link = any_api.make_link("https://news.example.com/a?x=1")
    client = any_app.test_client()
    response = client.get(
        f"/s/{link['code']}?src=print",
        headers={"User-Agent": WECHAT, "Referer": "https://ref.example.org/p?q=1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "https://news.example.com/a?x=1"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Set-Cookie" not in response.headers
    [row] = rows(any_app)
    assert (row["placement"], row["client"], row["platform"], row["is_bot"]) == (
        "print",
        "wechat",
        "ios",
        False,
    )
    assert row["referrer_host"] == "ref.example.org"
    assert len(row["visitor"]) == 32


@pytest.mark.parametrize(
    "src, placement",
    [
        (None, "link"),
        ("qr", "qr"),
        ("card", "card"),
        ("BAD", "link"),
        ("x" * 33, "link"),
        ("<script>", "link"),
    ],
)
def test_placement_from_src_with_fallback_to_link(app, api, src, placement):
    link = api.make_link()
    query = f"?src={src}" if src is not None else ""
    assert (
        app.test_client()
        .get(f"/s/{link['code']}{query}", headers={"User-Agent": CHROME})
        .status_code
        == 302
    )
    assert rows(app)[-1]["placement"] == placement


@pytest.mark.parametrize(
    "ua",
    [
        "curl/8.4.0",
        "python-requests/2.32.3",
        "facebookexternalhit/1.1",
        "",
        "Mozilla/5.0 HeadlessChrome/120.0",
    ],
)
def test_bots_redirect_but_are_flagged(app, api, ua):
    link = api.make_link()
    response = app.test_client().get(f"/s/{link['code']}", headers={"User-Agent": ua})
    assert response.status_code == 302
    assert rows(app)[-1]["is_bot"] is True


def test_head_redirects_but_is_not_a_human_scan(app, api):
    link = api.make_link()
    response = app.test_client().head(f"/s/{link['code']}", headers={"User-Agent": CHROME})
    assert response.status_code == 302
    assert rows(app)[-1]["is_bot"] is True
    stats = api.get(f"/links/{link['code']}/stats").get_json()
    assert (stats["total"], stats["bots"]) == (0, 1)


@pytest.mark.parametrize(
    "path", ["/s/zzzzzzz", "/s/abc", "/s/0O1lI00", "/s/" + "a" * 40, "/s/%00", "/s/a%2Fb"]
)
def test_unknown_codes_get_a_friendly_404_page(client, path):
    response = client.get(path, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "找不到这个链接" in response.get_data(as_text=True)
    english = client.get(path, headers={"Accept-Language": "en"})
    assert "This link does not exist" in english.get_data(as_text=True)


def test_disabled_link_is_410_and_not_recorded(app, api):
    link = api.make_link()
    api.patch(f"/links/{link['code']}", json={"disabled": True})
    response = app.test_client().get(f"/s/{link['code']}")
    assert response.status_code == 410
    assert "switched off" in response.get_data(as_text=True)
    assert rows(app) == []


def test_post_to_scan_url_is_405_not_counted(app, api):
    link = api.make_link()
    assert app.test_client().post(f"/s/{link['code']}").status_code == 405
    assert rows(app) == []


@pytest.fixture
def direct_app(sqlite_url, tmp_path):
    """The app writing each scan before its 302 (``SCAN_SPOOL=false``, and the spool's fallback)."""
    from tests.conftest import close_app, make_app

    app = make_app(sqlite_url, tmp_path, SCAN_SPOOL=False)
    yield app
    close_app(app)


def test_redirect_survives_broken_database_and_counts_the_loss(direct_app, caplog):
    from tests.conftest import Api

    app = direct_app
    link = Api(app).make_link("https://example.com/story")
    client = app.test_client()
    assert client.get(f"/s/{link['code']}").status_code == 302  # remembered
    with services.of(app).engine.begin() as conn:
        conn.execute(text("ALTER TABLE scans RENAME TO scans_gone"))
    response = client.get(f"/s/{link['code']}", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.com/story"
    assert services.of(app).redirector.lost == 1
    assert "not recorded" in caplog.text
    assert "198.51.100.9" not in caplog.text
    health = client.get("/healthz").get_json()
    assert health["lost_scans"] == 1


def test_redirect_survives_a_locked_database(sqlite_url, tmp_path):
    import sqlite3

    from tests.conftest import Api, make_app

    app = make_app(sqlite_url, tmp_path, SQLITE_BUSY_TIMEOUT=0.2, SCAN_SPOOL=False)
    link = Api(app).make_link("https://example.com/locked")
    client = app.test_client()
    assert client.get(f"/s/{link['code']}").status_code == 302
    blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        response = client.get(f"/s/{link['code']}")
        waited = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 302
    assert services.of(app).redirector.lost == 1
    assert 0.2 <= waited < 2, "the redirect waits SQLITE_BUSY_TIMEOUT for the lock, no longer"


def test_unknown_code_with_database_down_is_503_not_500(app, client):
    with services.of(app).engine.begin() as conn:
        conn.execute(text("ALTER TABLE links RENAME TO links_gone"))
    assert client.get("/s/abcdefg").status_code == 503


def test_with_the_database_broken_scans_wait_in_the_spool_and_arrive_once(app, api, caplog):
    """Nothing lost and nothing doubled: the batch is retried from the same spool position."""
    link = api.make_link("https://example.com/story")
    client = app.test_client()
    assert client.get(f"/s/{link['code']}").status_code == 302  # remembered
    engine = services.of(app).engine
    redirector = services.of(app).redirector
    redirector.flush()
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE scans RENAME TO scans_gone"))
    for n in range(3):
        response = client.get(f"/s/{link['code']}", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        assert response.status_code == 302
        assert response.headers["Location"] == "https://example.com/story"
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver says: not ingested
        redirector.flush()
    assert redirector.lost == 0
    health = client.get("/healthz").get_json()
    assert health["spool"]["records"] == 3 and health["spool"]["oldest_age_seconds"] >= 0
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE scans_gone RENAME TO scans"))
    assert redirector.flush() == 3
    assert redirector.flush() == 0
    assert len(rows(app)) == 4
    assert client.get("/healthz").get_json()["spool"]["records"] == 0


def test_a_switched_off_link_answers_410_within_a_second(app, api, frozen):
    link = api.make_link()
    client = app.test_client()
    assert client.get(f"/s/{link['code']}").status_code == 302
    api.patch(f"/links/{link['code']}", json={"disabled": True})
    started = time.monotonic()
    while client.get(f"/s/{link['code']}").status_code != 410:
        assert time.monotonic() - started < 1.0, "still redirecting a second after switch-off"
        time.sleep(0.05)
    api.patch(f"/links/{link['code']}", json={"disabled": False})
    time.sleep(1.0)
    assert client.get(f"/s/{link['code']}").status_code == 302


def test_robots_txt_disallows_scan_urls(client):
    body = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /s/" in body


def test_scan_from_documentation_address_leaves_no_trace(app, api, caplog, tmp_path):
    """The raw IP 203.0.113.77 is neither stored nor logged."""
    import logging

    caplog.set_level(logging.DEBUG)
    link = api.make_link()
    client = app.test_client()
    client.get(
        f"/s/{link['code']}",
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": CHROME},
    )
    client.get(
        f"/s/{link['code']}", headers={"User-Agent": CHROME, "X-Forwarded-For": "203.0.113.77"}
    )
    assert len(rows(app)) == 2
    engine = services.of(app).engine
    with engine.connect() as conn:
        dump = "\n".join(conn.connection.dbapi_connection.iterdump())
    assert "203.0.113.77" not in dump
    assert "203.0.113.77" not in caplog.text
    raw = engine.url.database
    with open(raw, "rb") as fh:
        assert b"203.0.113.77" not in fh.read()
    spooled = list((tmp_path / "instance" / "spool").rglob("*"))
    assert any(p.suffix == ".spool" for p in spooled)
    for path in spooled:
        if path.is_file():
            assert b"203.0.113.77" not in path.read_bytes(), path


def test_a_torn_line_is_skipped_and_its_sealed_file_tidied(app, api, tmp_path):
    """A short write (disk full) leaves half a line; the rest is ingested, the file removed."""
    import os

    from share.scans.spool import Spool, encode

    link = api.make_link()
    engine = services.of(app).engine
    spool = Spool(tmp_path / "torn")
    from share.scans.ingest import DatabaseSink, Ingester
    from share.storage.links import get_by_code

    link_id = get_by_code(engine, link["code"])["id"]
    record = {"link_id": link_id, "ts_us": 1_780_000_000_000_000, "placement": "qr",
              "client": "browser", "platform": "linux", "is_bot": False,
              "referrer_host": None, "user_agent": "x", "visitor": "0" * 32}  # fmt: skip
    spool.append(encode(record))
    spool.append(encode(record)[:-10])  # torn: no newline
    spool.close()
    path = spool.files()[0].path
    os.rename(path, path.with_name(f"1-{2**22 + 12345}.spool"))  # a writer that is gone
    ingester = Ingester(spool, DatabaseSink(engine, clock.SlotDays(app.config["TIMEZONE"])))
    assert ingester.flush() == 1
    assert ingester.skipped == 1 and spool.files() == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scans")).scalar_one() == 1
