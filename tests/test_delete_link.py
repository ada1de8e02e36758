"""Deleting a link: API and dashboard, what goes with it, and what must never come back.

Scans reach the database the real way (redirector → spool → ingester); the
ingester runs when a test flushes, so what is still in the spool at the
moment of deletion is known exactly. After a deletion the other link's
numbers are unchanged, the overview drops by exactly the deleted link's
counts, the roll-ups equal a recount of the raw rows (``tests/rollupcheck``),
no row of the link is left anywhere, and its code answers 410 for good.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from share import services
from share.db import migrate
from share.links import codes
from share.links import service as links
from share.scans import opens
from share.scans import redirect as redirect_module
from share.sharing import clicks
from share.stats import dashboard
from share.storage import deletion, rollups
from share.storage.engine import write
from share.storage.schema import links as links_table
from tests.adminhelp import CHROME, WECHAT, AdminClient
from tests.conftest import DEFAULT_INSTANT, close_app, make_app
from tests.proposing import Proposing
from tests.rollupcheck import assert_rollups_match_raw

ARTICLE = "https://news.example.com/a/deleted"
KEPT = "https://news.example.com/a/kept"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
AGENTS = (CHROME, WECHAT, IPHONE, "curl/8.0")  # curl counts as a bot


class SteppedTime:
    """Stands in for the ``time`` module inside the redirector: ``monotonic`` moves when told."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def manual_ingest(any_app, monkeypatch):
    """The app's redirector spools scans but ingests only on ``flush()``; its clock stands still."""
    redirector = services.of(any_app).redirector
    monkeypatch.setattr(redirector, "_ensure_ingesting", lambda: None)
    stepped = SteppedTime()
    monkeypatch.setattr(redirect_module, "time", stepped)
    return redirector, stepped


def _delete(api, code: str, **kw):
    return api.client.delete(f"/api/v1/links/{code}", headers=api._headers(), **kw)


def _scan(app, code: str, n: int, agent: str, when, src=None) -> int:
    outcome = services.of(app).redirector.scan(
        code,
        method="GET",
        headers={"User-Agent": agent, "Referer": "https://mp.weixin.qq.com/s/x"},
        remote_addr=f"198.51.100.{n % 7}",
        src=src,
        now=when,
    )
    return outcome.status


def _scan_both(app, codes_: list[str], rounds: int) -> None:
    """Scans of every code over the last few days, several clients, placements and visitors."""
    for n in range(rounds):
        when = DEFAULT_INSTANT - timedelta(hours=5 * n, minutes=7 * n)
        for code in codes_:
            src = ("widget", "print", None)[n % 3]
            assert _scan(app, code, n, AGENTS[n % len(AGENTS)], when, src) == 302


def _rows_of(engine, link_id: int) -> dict[str, int]:
    """Rows naming the link in every table that points at links, and its client-slot share."""
    out = {}
    with engine.connect() as conn:
        for table, column in deletion._pointing_at_links():
            out[table.name] = conn.execute(
                select(func.count()).select_from(table).where(table.c[column] == link_id)
            ).scalar_one()
    return out


# -- the API -----------------------------------------------------------------------


def test_api_delete_answers_204_then_410_and_404_for_unknown(any_api):
    code = any_api.make_link(ARTICLE)["code"]
    anonymous = any_api.client.delete(f"/api/v1/links/{code}")
    assert anonymous.status_code == 401
    assert any_api.get(f"/links/{code}").status_code == 200, "a refused delete deleted"

    done = _delete(any_api, code)
    assert done.status_code == 204 and done.get_data() == b""

    again = _delete(any_api, code)
    assert again.status_code == 410
    assert again.get_json()["error"]["code"] == "gone"
    for path in (f"/links/{code}", f"/links/{code}/stats"):
        gone = any_api.get(path)
        assert gone.status_code == 410, path
        assert "deleted" in gone.get_json()["error"]["message"]
    assert any_api.patch(f"/links/{code}", json={"disabled": False}).status_code == 410
    assert any_api.post(f"/links/{code}/refresh").status_code == 410
    listed = [link["code"] for link in any_api.get("/links").get_json()["links"]]
    assert code not in listed

    unknown = _delete(any_api, "zzzzzzz")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    for bad in ("no!", "a" * 40, "%00", "0OlI1xx"):
        response = _delete(any_api, bad)
        assert response.status_code == 404, bad
        assert response.get_json()["error"]["message"], bad


def test_deleted_link_answers_410_on_short_link_qr_and_card(any_app, any_api, manual_ingest):
    _redirector, stepped = manual_ingest
    code = any_api.make_link(ARTICLE)["code"]
    client = any_app.test_client()
    assert client.get(f"/s/{code}").status_code == 302  # now remembered by this worker
    assert client.get(f"/card/{code}.png").status_code == 200
    engine = services.of(any_app).engine
    cards = services.of(any_app).card_store.directory
    cached = f"{_link_id(engine, code)}-*"
    assert list(cards.glob(cached)), "the card was not cached: nothing to see removed"
    assert _delete(any_api, code).status_code == 204
    assert not list(cards.glob(cached))
    for path in (f"/qr/{code}.png", f"/card/{code}.png"):
        assert client.get(path).status_code == 410, path
    stepped.now += 1.0  # a second later (FRESH_FOR is less): the worker asks the database again
    assert client.get(f"/s/{code}").status_code == 410
    assert (
        client.post(f"/o/{code}").status_code == 204
    )  # the beacon is told nothing, counts nothing
    services.of(any_app).redirector.flush()
    assert not any(_rows_of(engine, _link_id(engine, code)).values())


def test_the_deletion_waits_for_an_ingest_batch_under_way(any_app, any_api):
    """It takes the roll-up writers' lock, so a batch never interleaves with it."""
    code = any_api.make_link(ARTICLE)["code"]
    engine = services.of(any_app).engine
    result = {}
    with write(engine) as batch:  # what the ingester holds while it stores a batch
        rollups.serialise(batch)
        deleting = threading.Thread(
            target=lambda: result.setdefault("ok", links.delete(engine, code))
        )
        deleting.start()
        deleting.join(0.5)
        assert deleting.is_alive(), "the deletion did not wait for the batch's lock"
    deleting.join(10)
    assert result == {"ok": True}


def _link_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(links_table.c.id).where(links_table.c.code == code)).scalar_one()


# -- what goes, what stays ---------------------------------------------------------------


def test_deleting_one_of_two_links_takes_exactly_its_counts(any_app, any_api, frozen):
    gone = any_api.make_link(ARTICLE, tags=["gone", "both"])["code"]
    kept = any_api.make_link(KEPT, tags=["both"])["code"]
    engine = services.of(any_app).engine
    _scan_both(any_app, [gone, kept], 14)
    for code, times in ((gone, 3), (kept, 2)):
        for _ in range(times):
            assert opens.record_open(engine, code) is opens.OpenResult.COUNTED
        clicks.record_share(engine, _link_id(engine, code), "weibo")  # a share-button click
    clicks.flush(engine)
    services.of(any_app).redirector.flush()
    tz = ZoneInfo(any_app.config["TIMEZONE"].key)

    kept_before = any_api.get(f"/links/{kept}/stats").get_json()
    gone_stats = any_api.get(f"/links/{gone}/stats").get_json()
    before = dashboard.overview(engine, tz)
    assert gone_stats["total"] and gone_stats["bots"] and gone_stats["opens"] == 3
    gone_id = _link_id(engine, gone)
    assert all(_rows_of(engine, gone_id).values()), "the test must scan every table first"

    assert _delete(any_api, gone).status_code == 204

    assert any_api.get(f"/links/{kept}/stats").get_json() == kept_before
    after = dashboard.overview(engine, tz)
    want = before["totals"]["all"]
    got = after["totals"]["all"]
    assert got["scans"] == want["scans"] - gone_stats["total"]
    assert got["bots"] == want["bots"] - gone_stats["bots"]
    assert got["opens"] == want["opens"] - 3
    assert got["uniques"] == want["uniques"] - gone_stats["unique"]
    # the chart (all links' scans by client) lost exactly the link's clients
    chart_before = _client_totals(before)
    chart_after = _client_totals(after)
    for client, n in gone_stats["by_client"].items():
        assert chart_after.get(client, 0) == chart_before[client] - n
    assert not any(_rows_of(engine, gone_id).values())
    assert assert_rollups_match_raw(any_app.config["DATABASE_URL"]) > 0
    check = any_app.test_cli_runner().invoke(args=["rebuild-rollups", "--check"])
    assert check.exit_code == 0, check.output


def _client_totals(overview: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for bucket in overview["chart"]["series"]:
        for client, n in bucket["clients"].items():
            out[client] = out.get(client, 0) + n
    return out


def test_the_tombstone_keeps_nothing_of_the_article(any_app, any_api):
    link = any_api.make_link(ARTICLE, title="A secret title", description="Who said what")
    assert _delete(any_api, link["code"]).status_code == 204
    with services.of(any_app).engine.connect() as conn:
        row = (
            conn.execute(select(links_table).where(links_table.c.code == link["code"]))
            .mappings()
            .one()
        )
    assert row["deleted_at"] is not None and row["disabled"]
    assert row["url"] is None and row["title_override"] is None
    assert row["description_override"] is None


def test_spooled_scans_of_a_deleted_link_are_dropped_and_the_batch_kept(
    any_app, any_api, manual_ingest, frozen
):
    redirector, stepped = manual_ingest
    gone = any_api.make_link(ARTICLE)["code"]
    kept = any_api.make_link(KEPT)["code"]
    _scan_both(any_app, [gone, kept], 3)
    redirector.flush()
    first = any_api.get(f"/links/{kept}/stats").get_json()
    # more scans of both wait in the spool, interleaved in one batch
    _scan_both(any_app, [gone, kept], 4)
    assert redirector.backlog().records == 8

    assert _delete(any_api, gone).status_code == 204
    # the redirector still remembers the code as live (within FRESH_FOR): it redirects once
    # more and spools the scan, which the ingester must drop too
    assert _scan(any_app, gone, 9, CHROME, DEFAULT_INSTANT) == 302
    assert redirector.flush() == 4, "the kept link's 4 scans, none of the deleted one's 5"
    stats = any_api.get(f"/links/{kept}/stats").get_json()
    assert stats["total"] + stats["bots"] == first["total"] + first["bots"] + 4
    engine = services.of(any_app).engine
    assert not any(_rows_of(engine, _link_id(engine, gone)).values())
    assert redirector.backlog().records == 0

    stepped.now += 1.0  # a second later (FRESH_FOR is less): every worker has asked again
    assert _scan(any_app, gone, 9, CHROME, DEFAULT_INSTANT) == 410
    assert redirector.backlog().records == 0
    assert_rollups_match_raw(any_app.config["DATABASE_URL"])


def test_the_direct_write_path_refuses_a_deleted_link(any_app, any_api, tmp_path, frozen):
    direct = make_app(any_app.config["DATABASE_URL"], tmp_path / "direct", SCAN_SPOOL=False)
    try:
        code = any_api.make_link(ARTICLE)["code"]
        assert _scan(direct, code, 1, CHROME, DEFAULT_INSTANT) == 302  # remembered as live
        assert _delete(any_api, code).status_code == 204
        assert _scan(direct, code, 2, CHROME, DEFAULT_INSTANT) == 410
        engine = services.of(direct).engine
        assert not any(_rows_of(engine, _link_id(engine, code)).values())
    finally:
        close_app(direct)


# -- the code ------------------------------------------------------------------------------


def test_a_deleted_code_is_never_drawn_again(any_app, any_api, monkeypatch):
    old = any_api.make_link(ARTICLE)["code"]
    assert _delete(any_api, old).status_code == 204
    proposing = Proposing(old)
    monkeypatch.setattr(codes, "secrets", proposing)

    again = any_api.post("/links", json={"url": ARTICLE})
    assert again.status_code == 201, "the same URL shared again is a new link"
    new = again.get_json()["code"]
    assert proposing.calls == 2 * codes.LENGTH, "the generator proposed the deleted code first"
    assert new != old and codes.looks_like_code(new)
    assert any_api.get(f"/links/{old}").status_code == 410
    assert any_api.get(f"/links/{new}").get_json()["url"] == ARTICLE


def test_racing_deletes_delete_once(any_app, any_api):
    code = any_api.make_link(ARTICLE)["code"]
    engine = services.of(any_app).engine
    assert links.delete(engine, code) is True
    assert links.delete(engine, code) is False
    assert links.delete(engine, "not a code") is False


# -- the dashboard --------------------------------------------------------------------------


def test_dashboard_delete_needs_login_confirmation_and_csrf(any_app, any_api, frozen):
    code = any_api.make_link(ARTICLE, title="Tea harvest")["code"]
    _scan_both(any_app, [code], 5)
    services.of(any_app).redirector.flush()
    stats = any_api.get(f"/links/{code}/stats").get_json()
    confirm = f"/admin/a/{code}/delete"

    stranger = any_app.test_client()
    assert stranger.get(confirm).status_code == 302
    assert "/admin/login" in stranger.get(confirm).headers["Location"]
    assert stranger.post(confirm, data={"confirmed": "1"}).status_code in (302, 400)

    admin = AdminClient(any_app)
    admin.login()
    article = admin.get(f"/admin/a/{code}").get_data(as_text=True)
    assert f'href="{confirm}"' in article

    page = admin.get(confirm, headers={"Accept-Language": "en"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{stats['total']} human scans" in body and f"{stats['bots']} bot" in body
    assert "Tea harvest" in body and 'name="confirmed" value="1"' in body
    assert any_api.get(f"/links/{code}").status_code == 200, "showing the page deleted"

    no_token = admin.client.post(confirm, data={"confirmed": "1"})
    assert no_token.status_code == 400
    unconfirmed = admin.post(confirm)
    assert unconfirmed.status_code == 200 and "human scans" in unconfirmed.get_data(as_text=True)
    assert any_api.get(f"/links/{code}").status_code == 200

    done = admin.post(confirm, {"confirmed": "1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/")
    overview = admin.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Link deleted: Tea harvest" in overview
    assert any_api.get(f"/links/{code}").status_code == 410
    listed = admin.get("/admin/overview.json").get_json()["top"]
    assert listed["count"] == 0 and listed["articles"] == []
    assert admin.get(f"/admin/a/{code}").status_code == 410
    assert admin.get(f"/admin/a/{code}/scans.csv").status_code == 410
    assert admin.get(confirm).status_code == 410


def test_dashboard_confirmation_speaks_chinese(app, api):
    code = api.make_link(ARTICLE)["code"]
    admin = AdminClient(app)
    admin.login()
    admin.post("/admin/lang", {"lang": "zh", "next": "/admin/"})
    body = admin.get(f"/admin/a/{code}/delete").get_data(as_text=True)
    assert "永久删除此链接" in body and "0 次真人扫码" in body and "删除链接" in body


# -- the migration --------------------------------------------------------------------------


def test_migration_0008_keeps_every_row_that_points_at_links(tmp_path):
    """On SQLite it rebuilds ``links``; that must not cascade into scans, opens or roll-ups."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate(url, "0005")
    engine = create_engine(url, poolclass=NullPool)
    at = DEFAULT_INSTANT.replace(tzinfo=None)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO links (code, url, meta_version, disabled, created_at, updated_at)"
                    " VALUES ('old2345', :url, 1, 0, :t, :t)"
                ),
                {"url": ARTICLE, "t": at},
            )
            conn.execute(
                text(
                    "INSERT INTO scans (link_id, ts, hour, placement, client, platform, is_bot, "
                    "user_agent, visitor) SELECT id, :t, 0, 'qr', 'wechat', 'ios', 0, 'ua', 'v' "
                    "FROM links"
                ),
                {"t": at},
            )
            conn.execute(text("INSERT INTO widget_open_slots SELECT id, 7, 2 FROM links"))
            conn.execute(text("INSERT INTO rollup_visitors SELECT id, 'v', 7 FROM links"))
        migrate(url)
        with engine.connect() as conn:
            for table in ("scans", "widget_open_slots", "rollup_visitors"):
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1  # noqa: S608
            row = conn.execute(text("SELECT url, deleted_at FROM links")).one()
            assert row == (ARTICLE, None)
            conn.execute(text("INSERT INTO links (code, created_at, updated_at, meta_version, "
                              "disabled) VALUES ('new2345', :t, :t, 1, 1)"), {"t": at})  # fmt: skip
    finally:
        engine.dispose()
