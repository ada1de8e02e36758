"""The live view: the last 30 minutes by minute, from recent raw rows only, on both engines.

The clock is frozen (never the wall clock); instants sit on UTC and local
day boundaries, in zones with whole, half and three-quarter hour offsets.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from adminhelp import CHROME, WECHAT, AdminClient, scan
from conftest import ZONES
from sqlalchemy import text

from share import clock, services
from share.links import service as links
from share.stats.live import MINUTES, live

BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

#: A UTC midnight, and a Shanghai midnight (16:00 UTC): the window spans two days in each.
MOMENTS = {
    "utc-midnight": datetime(2026, 12, 1, 0, 10, 30, tzinfo=UTC),
    "shanghai-midnight": datetime(2026, 12, 1, 16, 5, 0, tzinfo=UTC),
}


@pytest.fixture(params=list(MOMENTS), ids=list(MOMENTS))
def now(request):
    with clock.frozen(MOMENTS[request.param]):
        yield MOMENTS[request.param]


def _links(app):
    engine = services.of(app).engine
    a, _ = links.create(engine, "https://news.example.com/a", title="Article A")
    b, _ = links.create(engine, "https://news.example.com/b", title="Article B")
    return a, b


def test_scans_fall_into_their_minutes_and_old_ones_drop_out(any_app, now):
    a, b = _links(any_app)
    scan(any_app, a.code, now, WECHAT, ip="198.51.100.1")  # the current minute
    scan(any_app, a.code, now - timedelta(minutes=1), CHROME, ip="198.51.100.2")
    scan(any_app, b.code, now - timedelta(minutes=1), CHROME, ip="198.51.100.3")
    scan(any_app, a.code, now - timedelta(minutes=MINUTES - 1), CHROME, ip="198.51.100.4")
    scan(any_app, a.code, now - timedelta(minutes=2), BOT, ip="198.51.100.5")
    scan(any_app, b.code, now - timedelta(minutes=MINUTES, seconds=31), CHROME, ip="198.51.100.6")
    data = live(services.of(any_app).engine, clock.zone("UTC"), now)
    per = [m["scans"] for m in data["minutes"]]
    assert len(per) == MINUTES
    assert per[-1] == 1 and per[-2] == 2 and per[0] == 1 and sum(per) == 4
    assert [m["bots"] for m in data["minutes"]][-3] == 1
    assert (data["scans"], data["bots"]) == (4, 1)
    assert [(t["code"], t["scans"]) for t in data["top"]] == [(a.code, 3), (b.code, 1)]
    assert data["minutes"][-1]["t"] == now.strftime("%H:%M")


@pytest.mark.parametrize("zone", ZONES)
def test_minute_labels_are_local_times(app, now, zone):
    tz = clock.zone(zone)
    data = live(services.of(app).engine, tz, now)
    expected = [
        clock.local(now.replace(second=0) - timedelta(minutes=MINUTES - 1 - i), tz).strftime(
            "%H:%M"
        )
        for i in range(MINUTES)
    ]
    assert [m["t"] for m in data["minutes"]] == expected
    assert data["tz"] == zone


def test_the_query_reads_through_the_time_index(any_app):
    engine = services.of(any_app).engine
    since = datetime(2026, 12, 1, 0, 0)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = conn.execute(
                text("EXPLAIN QUERY PLAN SELECT count(*) FROM scans WHERE ts >= :s"), {"s": since}
            ).all()
        else:
            conn.execute(text("SET enable_seqscan = off"))
            plan = conn.execute(
                text("EXPLAIN SELECT count(*) FROM scans WHERE ts >= :s"), {"s": since}
            ).all()
    assert "ix_scans_ts" in " ".join(str(row) for row in plan)


def test_the_page_and_its_json_need_a_login_and_show_the_numbers(any_app):
    with clock.frozen(MOMENTS["shanghai-midnight"]) as fixed:
        a, _ = _links(any_app)
        scan(any_app, a.code, fixed.now(), WECHAT)
        anonymous = any_app.test_client()
        assert anonymous.get("/admin/live.json").status_code in (302, 401)
        admin = AdminClient(any_app)
        admin.login()
        body = admin.get("/admin/live.json").get_json()
        assert body["scans"] == 1 and body["top"][0]["title"] == "Article A"
        page = admin.get("/admin/live").get_data(as_text=True)
        assert 'id="live"' in page and 'data-key="scans">1<' in page
        part = admin.get("/admin/live?part=1").get_data(as_text=True)
        assert part.lstrip().startswith('<section class="card" id="live-part">')
        assert "<html" not in part


def test_a_deleted_link_leaves_the_top_list(app, frozen):
    from share.storage.deletion import delete_link

    a, b = _links(app)
    scan(app, a.code, frozen.now(), WECHAT)
    scan(app, b.code, frozen.now(), WECHAT)
    delete_link(services.of(app).engine, a.code, frozen.now())
    data = live(services.of(app).engine, clock.zone("UTC"))
    assert [t["code"] for t in data["top"]] == [b.code]
