"""The dashboard for everyone: axe-core finds no serious or critical fault, phones do not scroll sideways.

axe-core (bundled by ``axe-playwright-python``) runs in real Chromium on every
dashboard page, in English and Chinese, at a desktop width and at 360 px, the
narrowest phone in common use. A page wider than the viewport fails too: on a
phone that is a page read by scrolling sideways line by line.
"""

from __future__ import annotations

import pytest

from tests.browser.test_dashboard import _login, dashboard  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 360}


def _faults(page) -> list[str]:
    """axe's serious and critical violations on ``page``, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _pages(dashboard):  # noqa: F811 - the fixture's value
    return [
        "/admin/",
        f"/admin/a/{dashboard.code}",
        f"/admin/a/{dashboard.hostile}",
        "/admin/keys",
        "/admin/links/new",
        "/admin/live",
        "/admin/brand",
    ]


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_the_login_page_passes_axe(open_page, dashboard, width):  # noqa: F811
    watched = open_page(locale="zh-CN", viewport={"width": WIDTHS[width], "height": 800})
    watched.allow(r"favicon\.ico")
    watched.page.goto(dashboard.base + "/admin/login")
    assert _faults(watched.page) == []
    assert _overflow(watched.page) <= 0


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_every_dashboard_page_passes_axe_and_fits(open_page, dashboard, lang, width):  # noqa: F811
    watched = _login(open_page, dashboard, viewport={"width": WIDTHS[width], "height": 800})
    page = watched.page
    if lang == "zh":
        page.click("#lang-switch")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "zh-CN"
    found = {}
    for path in _pages(dashboard):
        page.goto(dashboard.base + path)
        faults, overflow = _faults(page), _overflow(page)
        if faults or overflow > 0:
            found[path] = {"axe": faults, "overflow_px": overflow}
    assert found == {}


def test_the_skip_link_is_the_first_stop_and_lands_on_the_content(open_page, dashboard):  # noqa: F811
    page = _login(open_page, dashboard).page
    page.goto(dashboard.base + f"/admin/a/{dashboard.code}")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.is_visible()  # shown while focused (off-screen otherwise)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_breakdown_keys_read_as_names_in_each_language(open_page, dashboard):  # noqa: F811
    page = _login(open_page, dashboard).page
    page.goto(dashboard.base + f"/admin/a/{dashboard.code}")
    clients = page.locator("[data-breakdown=by_client] th").all_inner_texts()
    assert "WeChat" in clients and "wechat" not in clients
    page.click("#lang-switch")
    page.wait_for_load_state()
    clients = page.locator("[data-breakdown=by_client] th").all_inner_texts()
    assert "微信" in clients and "浏览器" in clients


def test_the_live_view_shows_a_scan_within_5_seconds(open_page, dashboard):  # noqa: F811
    from playwright.sync_api import expect

    from tests.adminhelp import WECHAT, scan
    from tests.browser.test_dashboard import NOW

    page = _login(open_page, dashboard).page
    page.goto(dashboard.base + "/admin/live")
    count = page.locator("#live-totals [data-key=scans]")
    before = int(count.inner_text())
    page.evaluate("window.notReloaded = true")
    scan(dashboard.app, dashboard.code, NOW, WECHAT, ip="203.0.113.77")
    expect(count).to_have_text(str(before + 1), timeout=5000)  # no reload: the page polls
    assert page.evaluate("window.notReloaded === true")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_embed_page_passes_axe_in_each_theme(open_page, articles, service, theme):
    article = articles.publish("<p>embedded</p>", script=False)
    watched = open_page(locale="zh-CN", color_scheme="dark" if theme == "dark" else "light")
    watched.page.goto(f"{service.base}/embed?url={article}&theme={theme}&labels=text&lang=zh")
    watched.page.wait_for_selector(".scanshare button[data-site=wechat]")
    assert _faults(watched.page) == []


def test_phone_charts_show_readable_labels_that_do_not_collide(open_page, dashboard):  # noqa: F811
    page = _login(open_page, dashboard, viewport={"width": 360, "height": 800}).page
    page.goto(dashboard.base + "/admin/")
    labels = [t for t in page.locator("svg.chart text.x").all() if t.is_visible()]
    assert len(labels) >= 3
    boxes = [t.bounding_box() for t in labels]
    for box in boxes:
        assert box["height"] >= 9  # readable, not a 5 px smudge
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left["x"] + left["width"] < right["x"]
