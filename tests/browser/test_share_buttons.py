"""Counted share buttons and the phone-aware WeChat button, in real headless Chromium.

Every share network is the loopback stand-in (``SHARE_TARGET_URLS``, see
``conftest.py``), so a test follows a button through ``/t/<target>`` to where
the reader lands and reads back the short link it carries. Pages that count
use a real browser's user agent: headless Chromium's own counts as a bot.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect
from qrdecode import decode_image

from tests.browser.conftest import NAVIGATE_TARGETS
from tests.browser.test_widget import WECHAT_UA, WIDGET, load, open_popup, origin

pytestmark = pytest.mark.browser

DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ANDROID_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
# iPadOS asks for desktop pages: a Mac's user agent, told apart by its touch screen.
MAC_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)
PHONE = {
    "user_agent": IPHONE_UA,
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
CLIPBOARD = ["clipboard-read", "clipboard-write"]
# navigator.share where headless Chromium has none: records what would be shared.
FAKE_SHARE = "navigator.share = d => { window.__shared = d; return Promise.resolve(); };"


def code_of(short: str) -> str:
    return urlsplit(short).path.rsplit("/", 1)[1]


def shared_link(landed: str) -> str:
    """The ``url`` a stand-in share page was given."""
    return parse_qs(urlsplit(landed).query)["url"][0]


def wait_for_beacon(w, path: str, count: int = 1) -> None:
    """Until ``count`` beacons to ``path`` have been answered (so counted)."""
    w.page.wait_for_function(
        "([p, n]) => performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes(p)).length === n",
        arg=[path, count],
    )


def clipboard(w) -> str:
    return w.page.evaluate("navigator.clipboard.readText()")


def scan(open_page, short: str, article: str) -> None:
    """Follow the short link from a phone, as a reader of the shared post would."""
    phone = open_page(user_agent=WECHAT_UA, viewport={"width": 390, "height": 800})
    phone.page.goto(short)
    assert phone.page.url == article


NEW_WINDOW_TARGETS = [t for t in NAVIGATE_TARGETS if t != "email"]


@pytest.mark.parametrize("target", NEW_WINDOW_TARGETS)
def test_share_button_lands_on_the_network_with_the_short_link_and_both_ends_are_counted(
    open_page, articles, service, stand_in, target
):
    url = articles.publish(
        f'<div class="scanshare" data-sites="wechat,{target}"></div>', title="夜跑"
    )
    w = open_page(user_agent=DESKTOP_UA)
    load(w, url)
    with w.context.expect_page() as info:
        w.page.locator(f".scanshare button[data-site={target}]").click()
    landed = info.value
    landed.wait_for_load_state()
    assert landed.url.startswith(stand_in.url(f"/share/{target}?"))
    assert parse_qs(urlsplit(landed.url).query)["title"] == ["夜跑"]
    assert landed.evaluate("window.opener") is None, "share window opened without noopener"
    short = shared_link(landed.url)
    code = code_of(short)
    assert short == f"{service.base}/s/{code}?src={target}"
    assert not any("/api/v1/share" in r for r in w.requests), "a fetch before the navigation"
    assert service.api(f"/links/{code}/stats")["shares"] == {target: 1}

    scan(open_page, short, url)
    stats = service.api(f"/links/{code}/stats")
    assert stats["by_placement"] == {target: 1}
    assert stats["total"] == 1


def test_email_button_takes_the_page_itself_through_the_hop(open_page, articles, service, stand_in):
    url = articles.publish('<div class="scanshare" data-sites="wechat,email"></div>', lang="en")
    w = open_page(user_agent=DESKTOP_UA)
    load(w, url)
    w.page.locator(".scanshare button[data-site=email]").click()
    w.page.wait_for_url(stand_in.url("/share/email") + "?**")
    short = shared_link(w.page.url)
    assert short.endswith("?src=email")
    assert service.api(f"/links/{code_of(short)}/stats")["shares"] == {"email": 1}


def test_copy_clicked_before_the_lookup_answers_still_copies_the_short_link(
    open_page, articles, service
):
    url = articles.publish(WIDGET, lang="en")
    w = open_page(user_agent=DESKTOP_UA)
    w.context.grant_permissions(CLIPBOARD, origin=origin(url))
    w.page.add_init_script(
        "window.__writes = 0; const write = Clipboard.prototype.write;"
        "Clipboard.prototype.write = function (items) { window.__writes++;"
        " return write.call(this, items); };"
    )
    held = []
    w.context.route("**/api/v1/share?*", lambda route: held.append(route))
    load(w, url)
    w.page.locator(".scanshare button[data-site=copy]").click()
    w.page.wait_for_timeout(200)
    assert len(held) == 1, "the lookup did not start on the reader's intent"
    assert w.page.evaluate("window.__writes") == 1, "no promised clipboard item inside the click"
    held[0].continue_()
    expect(w.page.locator(".scanshare [role=status]")).to_have_text("Copied")
    short = clipboard(w)
    assert short.startswith(f"{service.base}/s/") and short.endswith("?src=copy")
    wait_for_beacon(w, "/t/copy?")
    assert service.api(f"/links/{code_of(short)}/stats")["shares"] == {"copy": 1}


def test_hover_starts_the_lookup_so_copy_and_native_share_use_the_ready_link(
    open_page, articles, service
):
    url = articles.publish(WIDGET, lang="en")
    w = open_page(user_agent=DESKTOP_UA)
    w.context.grant_permissions(CLIPBOARD, origin=origin(url))
    w.page.add_init_script(FAKE_SHARE)
    load(w, url)
    w.page.wait_for_timeout(300)
    assert not any("/api/v1/share" in r for r in w.requests), "a lookup on page load"
    with w.page.expect_response("**/api/v1/share?*") as answered:
        w.page.locator(".scanshare button[data-site=native]").hover()
    answered.value.finished()
    w.page.wait_for_timeout(100)  # the widget reads the JSON body a few tasks later
    w.page.locator(".scanshare button[data-site=native]").click()
    shared = w.page.evaluate("window.__shared")
    assert shared["url"].startswith(f"{service.base}/s/") and shared["url"].endswith("?src=native")
    assert shared["title"] == "Sample article"
    w.page.locator(".scanshare button[data-site=copy]").click()
    expect(w.page.locator(".scanshare [role=status]")).to_have_text("Copied")
    assert clipboard(w) == shared["url"].replace("?src=native", "?src=copy")
    wait_for_beacon(w, "/t/native?")
    wait_for_beacon(w, "/t/copy?")
    stats = service.api(f"/links/{code_of(shared['url'])}/stats")
    assert stats["shares"] == {"copy": 1, "native": 1}
    assert sum("/api/v1/share" in r for r in w.requests) == 1


def phone_popup(w):
    w.page.locator(".scanshare button[data-site=wechat]").tap()
    dialog = w.page.locator(".scanshare [role=dialog]")
    expect(dialog).to_be_visible()
    return dialog


def test_wechat_on_an_iphone_offers_copy_and_a_qr_image_to_save_not_a_qr_to_scan(
    open_page, articles, service
):
    url = articles.publish(WIDGET)
    w = open_page(**PHONE)
    w.context.grant_permissions(CLIPBOARD, origin=origin(url))
    load(w, url)
    dialog = phone_popup(w)
    expect(dialog).to_contain_text("复制链接，粘贴到微信聊天中发送")
    expect(dialog).to_contain_text("相册")
    assert dialog.locator(".ssw-q, img").count() == 0, "a QR to scan on the phone's own screen"
    label_id = dialog.get_attribute("aria-labelledby")
    assert dialog.locator(f"#{label_id}").text_content() == "分享到微信"
    assert (
        w.page.evaluate(
            "document.querySelector('.scanshare').shadowRoot.activeElement.getAttribute('aria-label')"
        )
        == "关闭"
    )

    save = dialog.get_by_role("link", name="保存二维码图片")
    expect(save).to_have_attribute("download", "qr.png")
    w.page.wait_for_function("a => a.href.includes('/qr/')", arg=save.element_handle())
    href = save.get_attribute("href")
    assert "src=album" in href and href.startswith(f"{service.base}/qr/")
    image = w.page.request.get(href)
    assert image.headers["content-type"] == "image/png"
    short = decode_image(Image.open(io.BytesIO(image.body())))[0]
    assert short.endswith("?src=album")
    code = code_of(short)

    dialog.get_by_role("button", name="复制链接").tap()
    expect(w.page.locator(".scanshare [role=status]")).to_have_text("已复制")
    assert clipboard(w) == f"{service.base}/s/{code}?src=copy"
    wait_for_beacon(w, "/t/copy?")
    stats = service.api(f"/links/{code}/stats")
    assert stats["shares"] == {"copy": 1}
    assert stats["opens"] == 1

    w.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_phone_popup_in_english_with_native_share_and_its_count(open_page, articles, service):
    url = articles.publish(WIDGET, lang="en")
    w = open_page(**{**PHONE, "user_agent": ANDROID_UA})
    w.page.add_init_script(FAKE_SHARE)
    load(w, url)
    dialog = phone_popup(w)
    expect(dialog).to_contain_text("Copy the link and paste it in a WeChat chat")
    expect(dialog.get_by_role("button", name="Copy link")).to_be_visible()
    expect(dialog.get_by_role("link", name="Save QR image")).to_be_visible()
    w.page.wait_for_function(
        "() => document.querySelector('.scanshare').shadowRoot"
        ".querySelector('[role=dialog] a').href.includes('/qr/')"
    )
    dialog.get_by_role("button", name="More…").tap()
    shared = w.page.evaluate("window.__shared")
    assert shared["url"].endswith("?src=native")
    wait_for_beacon(w, "/t/native?")
    assert service.api(f"/links/{code_of(shared['url'])}/stats")["shares"] == {"native": 1}


IPAD_TOUCH = "Object.defineProperty(Navigator.prototype, 'maxTouchPoints', {get: () => 5});"


@pytest.mark.parametrize(
    ("agent", "touch", "phone"),
    [(MAC_UA, True, True), (MAC_UA, False, False), (DESKTOP_UA, False, False)],
    ids=["ipados", "mac", "desktop"],
)
def test_ipados_counts_as_a_handheld_and_desktops_keep_the_qr_popup(
    open_page, articles, agent, touch, phone
):
    w = open_page(user_agent=agent)
    if touch:
        w.page.add_init_script(IPAD_TOUCH)
    load(w, articles.publish(WIDGET))
    dialog = open_popup(w)
    expect(dialog.locator(".ssw-q")).to_have_count(0 if phone else 1)
    expect(dialog.get_by_role("button", name="复制链接")).to_have_count(1 if phone else 0)


def test_untracked_page_on_a_phone_saves_an_untracked_qr_and_copies_the_page_url(
    open_page, articles
):
    url = articles.publish(WIDGET, host="localhost")
    w = open_page(**PHONE)
    w.allow(r"status of 403")
    w.context.grant_permissions(CLIPBOARD, origin=origin(url))
    load(w, url)
    dialog = phone_popup(w)
    w.page.wait_for_function(
        "() => document.querySelector('.scanshare').shadowRoot"
        ".querySelector('[role=dialog] a').href.includes('/qr.png?url=')"
    )
    dialog.get_by_role("button", name="复制链接").tap()
    expect(w.page.locator(".scanshare [role=status]")).to_have_text("已复制")
    assert clipboard(w) == url
    assert not any("/t/" in r or "/o/" in r for r in w.requests)
