"""The share popup, polished: a modal that keeps focus, an arrow at its button, phrases kept
whole, touch-sized buttons, an alt text that says what the QR opens, and axe on the demo page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import _faults
from tests.browser.test_widget import load, loaded_qr, open_popup

pytestmark = pytest.mark.browser

PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def _focused(w) -> str:
    return w.page.evaluate("""() => {
        const a = document.querySelector('.scanshare').shadowRoot.activeElement;
        return a ? (a.getAttribute('aria-label') || a.textContent) : '';
    }""")


def test_tab_cycles_inside_the_open_dialog_and_escape_returns_to_the_button(open_page, articles):
    w = open_page(user_agent=PHONE_UA, viewport={"width": 390, "height": 844}, has_touch=True)
    load(w, articles.publish('<div class="scanshare"></div>', lang="en"))
    dialog = open_popup(w)
    assert dialog.get_attribute("aria-modal") == "true"
    controls = dialog.locator("button, a[href]")
    expect(controls).to_have_count(3)  # close, copy, save (the save link once its href is set)
    seen = [_focused(w)]
    for _ in range(6):
        w.page.keyboard.press("Tab")
        seen.append(_focused(w))
    assert seen[:4] == ["Close", "Copy link", "Save QR image", "Close"]
    w.page.keyboard.press("Shift+Tab")
    assert _focused(w) == "Save QR image"
    w.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _focused(w) == "WeChat"


def test_the_arrow_points_at_the_button(open_page, articles):
    w = open_page(viewport={"width": 1024, "height": 768})
    load(w, articles.publish('<p style="height:40px"></p><div class="scanshare"></div>'))
    dialog = open_popup(w)
    loaded_qr(w, dialog)
    button = w.page.locator(".scanshare button[data-site=wechat]").bounding_box()
    arrow = w.page.locator(".scanshare .ssw-r").bounding_box()
    box = dialog.bounding_box()
    assert abs((arrow["x"] + arrow["width"] / 2) - (button["x"] + button["width"] / 2)) <= 2
    assert box["y"] > button["y"] + button["height"]  # below the button
    assert arrow["y"] < box["y"] < arrow["y"] + arrow["height"]  # straddles the top edge


def test_the_qr_alt_text_names_the_short_link(open_page, articles, service):
    w = open_page()
    article = articles.publish('<div class="scanshare"></div>', lang="en")
    load(w, article)
    img = loaded_qr(w, open_popup(w))
    link = service.api("/links?limit=1")["links"][0]
    assert link["url"] == article
    assert (
        img.get_attribute("alt")
        == f"QR code to share on WeChat, linking to {link['short_url']}?src=widget"
    )


def test_buttons_are_touch_sized_and_the_title_stays_on_one_line(open_page, articles):
    w = open_page()
    load(w, articles.publish('<div class="scanshare" data-qr-size="120"></div>', lang="en"))
    for box in [b.bounding_box() for b in w.page.locator(".scanshare .ssw-bar button").all()]:
        assert box["width"] >= 44 and box["height"] >= 44
    dialog = open_popup(w)
    title = dialog.locator(".ssw-h")
    rects = title.evaluate("e => e.getClientRects().length")
    line = title.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 22")
    assert rects == 1 and title.bounding_box()["height"] <= line * 1.2


def test_the_chinese_caption_breaks_only_between_phrases(open_page, articles):
    w = open_page()
    load(w, articles.publish('<div class="scanshare" data-qr-size="120"></div>'))
    dialog = open_popup(w)
    phrases = dialog.locator(".ssw-c .ssw-n")
    assert phrases.count() >= 3
    for i in range(phrases.count()):
        assert phrases.nth(i).evaluate("e => e.getClientRects().length") == 1
    text = dialog.locator(".ssw-c").inner_text().replace("\n", "")
    assert text == "打开微信，点击底部的“发现”，使用“扫一扫”即可将网页分享给微信好友。"


@pytest.mark.parametrize("state", ["closed", "open"])
def test_the_demo_page_passes_axe(open_page, service, state):
    w = open_page(locale="zh-CN")
    w.allow(r"favicon\.ico")
    w.page.goto(service.base + "/")
    widget = w.page.locator(".scanshare").first
    expect(widget.locator("button[data-site=wechat]")).to_be_visible()
    if state == "open":
        widget.locator("button[data-site=wechat]").click()
        expect(widget.locator("[role=dialog]")).to_be_visible()
    assert _faults(w.page) == []
