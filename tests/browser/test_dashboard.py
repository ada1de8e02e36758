"""The dashboard in real headless Chromium: login, charts, ranges, language, CSV, hostile metadata.

The service runs with ``TIMEZONE=UTC`` so the CSV's daily rows can be
compared one for one with the public stats API (which counts UTC days). Its
clock is frozen at 16:01 UTC, an hour that once split local and UTC days.
"""

from __future__ import annotations

import csv
import threading
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.serving import make_server

from share import clock, create_app, services
from share.access import admins
from share.access.apikeys import create as create_key
from share.db import migrate
from share.links import service as links
from share.storage.links import update_by_code
from tests.adminhelp import CHROME, PASSWORD, WECHAT, scan

pytestmark = pytest.mark.browser
NOW = datetime(2026, 6, 10, 16, 1, tzinfo=UTC)


class Dashboard:
    def __init__(self, tmp):
        url = f"sqlite:///{tmp / 'dashboard.sqlite3'}"
        migrate(url)
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "dashboard-browser", "PUBLIC_URL": self.base,
             "INSTANCE_PATH": str(tmp / "instance"), "TIMEZONE": "UTC"}
        )  # fmt: skip
        self.engine = services.of(self.app).engine
        self.key = create_key(self.engine, "browser")
        admins.create(self.engine, "editor", PASSWORD)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _wsgi(self, environ, start_response):
        return self.app(environ, start_response)

    def stats(self, code, query=""):
        response = self.app.test_client().get(
            f"/api/v1/links/{code}/stats{query}", headers={"Authorization": f"Bearer {self.key}"}
        )
        return response.get_json()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    with clock.frozen(NOW):
        yield from _dashboard(tmp_path_factory)


def _dashboard(tmp_path_factory):
    live = Dashboard(tmp_path_factory.mktemp("dashboard"))
    live.thread.start()
    link, _ = links.create(live.engine, "https://news.example.com/night-run", title="Night run")
    now = NOW.replace(minute=0, second=0, microsecond=0)
    for days, ua, ip in [(0, WECHAT, "1"), (1, WECHAT, "2"), (1, CHROME, "3"), (3, WECHAT, "4"),
                         (3, "curl/8.0", "5"), (5, CHROME, "6"), (20, WECHAT, "7")]:  # fmt: skip
        scan(live.app, link.code, now - timedelta(days=days, hours=1), ua, ip=f"198.51.100.{ip}")
    hostile, _ = links.create(
        live.engine, "https://news.example.com/hostile", title="<script>alert(1)</script>"
    )
    update_by_code(live.engine, hostile.code, {"image": "javascript:alert(1)"})
    live.code, live.hostile = link.code, hostile.code
    yield live
    live.server.shutdown()
    live.engine.dispose()


def _login(open_page, dashboard, **options):
    watched = open_page(accept_downloads=True, locale="en-US", **options)
    watched.allow(r"favicon\.ico")
    page = watched.page
    page.goto(dashboard.base + "/admin/")
    assert "/admin/login" in page.url
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_url(dashboard.base + "/admin/")
    return watched


def test_login_overview_article_range_language_and_csv(open_page, dashboard, tmp_path):
    watched = _login(open_page, dashboard)
    page = watched.page
    bars = page.locator("svg.chart rect.bar")
    assert bars.count() > 0
    box = page.locator("svg.chart").bounding_box()
    assert box["width"] > 200 and box["height"] > 50
    assert page.locator("#totals tr[data-row=scans] td[data-period=all]").inner_text() == "6"

    page.click(f"a[href='/admin/a/{dashboard.code}']")
    page.wait_for_url(f"**/admin/a/{dashboard.code}")
    assert page.locator("#article-title").inner_text() == "Night run"
    page.click("a[data-range='7d']")
    page.wait_for_url("**range=7d")
    assert page.locator("a[data-range='7d']").get_attribute("aria-current") == "page"
    assert page.locator("#article-totals td[data-key=total]").inner_text() == "5"
    assert page.locator("#article-totals td[data-key=bots]").inner_text() == "1"

    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "真人扫码" in page.content()
    assert "range=7d" in page.url  # the switch came back to the same view

    with page.expect_download() as info:
        page.click("#export-series")
    path = tmp_path / "series.csv"
    info.value.save_as(path)
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    today = NOW.date()
    stats = dashboard.stats(dashboard.code, f"?from={today - timedelta(days=6)}&to={today}")
    assert [(r[0], int(r[1]), int(r[2])) for r in rows[1:]] == [
        (p["t"], p["scans"], p["unique"]) for p in stats["series"]
    ]
    assert sum(int(r[1]) for r in rows[1:]) == stats["total"] == 5


def test_hostile_title_and_image_render_inert(open_page, dashboard):
    watched = _login(open_page, dashboard)
    page = watched.page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{dashboard.base}/admin/a/{dashboard.hostile}")
    assert page.locator("#article-title").inner_text() == "<script>alert(1)</script>"
    assert page.locator("img[src^='javascript']").count() == 0
    page.goto(f"{dashboard.base}/admin/?sort=created")
    assert page.get_by_text("<script>alert(1)</script>").count() == 1
    page.wait_for_timeout(200)
    assert dialogs == []


def test_copy_button_and_bulk_import_progress(open_page, dashboard):
    watched = _login(open_page, dashboard)
    page = watched.page
    page.goto(dashboard.base + "/admin/links/new")
    urls = [f"https://news.example.com/bulk/{n}" for n in range(45)] + ["not a url"]
    page.fill("#bulk-urls", "\n".join(urls))
    page.click("#bulk-submit")
    page.locator("#bulk-status", has_text="46 / 46").wait_for()
    assert page.locator("#bulk-progress").get_attribute("max") == "46"
    assert page.locator("#bulk-results tbody tr").count() == 46
    assert page.locator("#bulk-results tr.refused").count() == 1
    assert "45 created" in page.locator("#bulk-status").inner_text()
