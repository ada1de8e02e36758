"""The widget in real headless Chromium, embedded cross-origin in a host page.

Each test publishes its own article page (a fresh URL, so a fresh link and
fresh counts) on the host origin; the widget talks to the live service on
the other origin. The page fixture fails any test with a console error.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect
from qrdecode import decode_image

pytestmark = pytest.mark.browser

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
    "MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI "
    "Language/zh_CN ABI/arm64"
)

WIDGET = '<div class="scanshare"></div>'
CAPTION_ZH = "打开微信，点击底部的“发现”，使用“扫一扫”即可将网页分享给微信好友。"
CAPTION_EN = 'Use WeChat to "scan" to share the web page with your WeChat friends.'
DEFAULT_SITES = [
    "wechat",
    "weibo",
    "qq",
    "qzone",
    "douban",
    "x",
    "facebook",
    "linkedin",
    "email",
    "copy",
]


def load(w, url: str, selector: str = ".scanshare"):
    w.page.goto(url)
    expect(w.page.locator(f"{selector} button[data-site=wechat]")).to_be_visible()


def open_popup(w, selector: str = ".scanshare"):
    w.page.locator(f"{selector} button[data-site=wechat]").click()
    dialog = w.page.locator(f"{selector} [role=dialog]")
    expect(dialog).to_be_visible()
    return dialog


def loaded_qr(w, dialog):
    img = dialog.locator("img")
    w.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
    )
    return img


def decode_qr(img) -> str:
    texts = decode_image(Image.open(io.BytesIO(img.screenshot())))
    assert len(texts) == 1, texts
    return texts[0]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_widget_renders_every_default_site_as_a_labelled_button(open_page, articles):
    w = open_page()
    load(w, articles.publish(WIDGET))
    sites = w.page.locator(".scanshare button[data-site]")
    names = [sites.nth(i).get_attribute("data-site") for i in range(sites.count())]
    native = w.page.evaluate("'share' in navigator")
    assert names == DEFAULT_SITES + (["native"] if native else [])
    assert (
        w.page.locator(".scanshare button[data-site=weibo]").get_attribute("aria-label") == "微博"
    )
    assert w.page.locator(".scanshare svg").count() == len(names)


def test_wechat_click_opens_dialog_with_title_and_caption_in_page_language(open_page, articles):
    w = open_page()
    load(w, articles.publish(WIDGET + '<div class="en" data-scanshare data-lang="en"></div>'))
    dialog = open_popup(w)
    expect(dialog).to_contain_text("分享到微信")
    expect(dialog).to_contain_text(CAPTION_ZH)
    label_id = dialog.get_attribute("aria-labelledby")
    assert dialog.locator(f"#{label_id}").text_content() == "分享到微信"
    dialog_en = open_popup(w, ".en")
    expect(dialog_en).to_contain_text("Share on WeChat")
    expect(dialog_en).to_contain_text(CAPTION_EN)


def test_popup_qr_decodes_to_widget_short_url_and_its_scan_counts_as_widget(
    open_page, articles, service
):
    url = articles.publish(WIDGET, title="夜跑")
    w = open_page()
    load(w, url)
    img = loaded_qr(w, open_popup(w))
    short = decode_qr(img)
    code = urlsplit(short).path.rsplit("/", 1)[1]
    assert short == f"{service.base}/s/{code}?src=widget"

    phone = open_page(user_agent=WECHAT_UA, viewport={"width": 390, "height": 800})
    phone.page.goto(short)
    assert phone.page.url == url

    stats = service.api(f"/links/{code}/stats")
    assert stats["total"] == 1
    assert stats["by_placement"] == {"widget": 1}
    assert stats["opens"] == 1


def test_qr_is_fetched_on_first_open_only_and_every_open_is_counted(open_page, articles, service):
    w = open_page()
    load(w, articles.publish(WIDGET))
    for _ in range(3):
        dialog = open_popup(w)
        loaded_qr(w, dialog)
        w.page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    assert sum("/api/v1/share?" in r for r in w.requests) == 1
    assert sum("/qr/" in r for r in w.requests) == 1
    code = w.page.evaluate(
        "() => new URL(document.querySelector('.scanshare').shadowRoot"
        ".querySelector('img').src).pathname.split('/')[2].split('.')[0]"
    )
    w.page.wait_for_function(
        f"() => performance.getEntriesByType('resource')"
        f".filter(e => e.name.includes('/o/{code}')).length === 3"
    )
    assert service.api(f"/links/{code}/stats")["opens"] == 3


def test_escape_outside_click_and_close_button_close_the_popup(open_page, articles):
    w = open_page()
    load(w, articles.publish("<h1>Article</h1><p>text</p>" + WIDGET))
    button = w.page.locator(".scanshare button[data-site=wechat]")
    dialog = open_popup(w)
    expect(button).to_have_attribute("aria-expanded", "true")
    w.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    open_popup(w)
    dialog.click()  # a click inside keeps it open
    expect(dialog).to_be_visible()
    w.page.locator("h1").click()
    expect(dialog).to_be_hidden()
    open_popup(w)
    dialog.get_by_role("button", name="关闭").click()
    expect(dialog).to_be_hidden()


def active_in_widget(w) -> dict:
    return w.page.evaluate("""() => {
        const a = document.querySelector('.scanshare').shadowRoot.activeElement;
        return a ? {site: a.dataset.site || null, label: a.getAttribute('aria-label')} : {};
    }""")


def test_keyboard_only_use_opens_with_enter_and_space_and_returns_focus(open_page, articles):
    w = open_page()
    load(w, articles.publish(WIDGET, lang="en"))
    w.page.keyboard.press("Tab")
    assert active_in_widget(w)["site"] == "wechat"
    dialog = w.page.locator(".scanshare [role=dialog]")
    w.page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    assert active_in_widget(w)["label"] == "Close"
    w.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert active_in_widget(w)["site"] == "wechat"
    w.page.keyboard.press("Space")
    expect(dialog).to_be_visible()
    w.page.keyboard.press("Enter")  # on the focused close button
    expect(dialog).to_be_hidden()
    assert active_in_widget(w)["site"] == "wechat"


PHONE_LAYOUT = """<meta name="viewport" content="width=device-width, initial-scale=1"><style>
body { margin: 0; height: 2000px; }
.scanshare { position: absolute; }
.tl { top: 0; left: 0; } .tr { top: 0; right: 0; } .mid { top: 300px; left: 150px; }
.bl { top: 600px; left: 0; } .br { top: 600px; right: 0; }
</style>"""


@pytest.mark.parametrize("corner", ["tl", "tr", "mid", "bl", "br"])
def test_on_a_360px_phone_the_popup_is_a_bottom_sheet_over_a_dimmed_page(
    open_page, articles, corner
):
    body = f'<div class="scanshare {corner}" data-sites="copy,wechat"></div>'
    w = open_page(
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    load(w, articles.publish(body, head=PHONE_LAYOUT))
    w.page.locator(".scanshare button[data-site=wechat]").tap()
    dialog = w.page.locator(".scanshare [role=dialog]")
    expect(dialog).to_be_visible()
    loaded_qr(w, dialog)
    box = dialog.bounding_box()
    assert box["x"] == 0 and box["width"] == 360
    assert abs(box["y"] + box["height"] - 640) <= 1  # on the bottom edge
    backdrop = w.page.locator(".scanshare .ssw-bd")
    expect(backdrop).to_be_visible()
    assert backdrop.bounding_box() == {"x": 0, "y": 0, "width": 360, "height": 640}
    w.page.mouse.click(180, 20)  # the dimmed page above the sheet closes it
    expect(dialog).to_be_hidden()
    expect(backdrop).to_be_hidden()
    w.page.locator(".scanshare button[data-site=wechat]").tap()
    expect(dialog).to_be_visible()
    assert any("/qr/" in r and "size=320" in r for r in w.requests), "QR not at 2x pixels"


@pytest.mark.parametrize(
    ("agent", "hint"),
    [
        (WECHAT_UA, "点击右上角 ··· 分享给朋友或朋友圈"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Mobile/15E148 QQ/8.9.90.612 V1_IPH_SQ_8.9.90_1_APP_A Pixel/1170",
            "QQ好友",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Mobile/15E148 Weibo (iPhone15,2__weibo__13.11.1__iphone__os17.0)",
            "分享到微博",
        ),
    ],
)
def test_in_app_browsers_get_the_menu_hint_instead_of_a_qr(open_page, articles, agent, hint):
    w = open_page(user_agent=agent, viewport={"width": 390, "height": 800})
    load(w, articles.publish(WIDGET))
    dialog = open_popup(w)
    expect(dialog).to_contain_text(hint)
    assert dialog.locator("img").count() == 0
    assert dialog.locator("a, .ssw-k").count() == 0, (
        "a phone's copy/save offer in an in-app browser"
    )
    box = dialog.bounding_box()
    assert box["y"] <= 16 and box["x"] + box["width"] >= 390 - 16, "hint not at the top right"
    w.page.wait_for_timeout(200)
    assert not any("/api/v1/share" in r or "/qr" in r or "/o/" in r for r in w.requests)


XSS = '<img src=x onerror="window.__xss=1">'


def test_hostile_title_and_options_stay_inert_text(open_page, articles, host_server):
    escaped = XSS.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    body = (
        f'<div class="scanshare" data-title="{escaped}" data-description="{escaped}" '
        f'data-lang="{escaped}" data-sites="wechat,weibo,{escaped}" '
        f'data-theme="{escaped}" data-qr-size="{escaped}"></div>'
    )
    w = open_page()
    load(w, articles.publish(body, title=escaped))
    assert w.page.title() == XSS
    loaded_qr(w, open_popup(w))
    with w.context.expect_page() as popup_info:
        w.page.locator(".scanshare button[data-site=weibo]").click()
    shared = popup_info.value
    shared.wait_for_load_state()
    assert "title=%3Cimg%20src%3Dx%20onerror%3D%22window.__xss%3D1%22%3E" in shared.url
    assert shared.evaluate("window.opener") is None, "share window opened without noopener"
    shared.close()
    assert w.page.evaluate("window.__xss") is None
    assert (
        w.page.evaluate(
            "document.querySelector('.scanshare').shadowRoot.querySelectorAll('img').length"
        )
        == 1
    )
    assert not any(r.endswith("/x") for r in w.requests)


@pytest.mark.parametrize("style_src", ["service", "'none'"])
def test_strict_csp_host_page_still_works_without_violations(
    open_page, articles, service, style_src
):
    styles = service.base if style_src == "service" else style_src
    csp = (
        f"default-src 'none'; script-src {service.base}; style-src {styles}; "
        f"img-src {service.base}; connect-src {service.base}"
    )
    w = open_page()
    w.page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    load(w, articles.publish(WIDGET, headers={"Content-Security-Policy": csp}))
    dialog = open_popup(w)
    img = loaded_qr(w, dialog)
    assert decode_qr(img).startswith(f"{service.base}/s/")
    styled = w.page.evaluate("""() => {
        const b = document.querySelector('.scanshare').shadowRoot.querySelector('.ssw-p');
        return getComputedStyle(b).position;
    }""")
    assert styled == "fixed", "the widget's stylesheet was blocked"
    w.page.locator(".scanshare button[data-site=copy]").click()
    assert w.page.evaluate("window.__violations") == []


def test_page_requests_nothing_before_interaction_and_only_the_service_after(
    open_page, articles, service, host_server
):
    url = articles.publish(WIDGET)
    w = open_page()
    w.context.grant_permissions(["clipboard-read", "clipboard-write"])
    load(w, url)
    w.page.wait_for_timeout(300)
    assert w.requests == [url, f"{service.base}/widget.js"]
    loaded_qr(w, open_popup(w))
    w.page.keyboard.press("Escape")
    w.page.locator(".scanshare button[data-site=copy]").click()
    expect(w.page.locator(".scanshare [role=status]")).to_have_text("已复制")
    assert {origin(r) for r in w.requests} <= {origin(url), service.base}
    assert any("/api/v1/share?" in r for r in w.requests)
    cookies = w.context.cookies()
    assert cookies == [], "the widget or service set a cookie"


def test_copy_puts_the_tracked_short_link_on_the_clipboard_and_shows_a_toast(
    open_page, articles, service
):
    url = articles.publish(WIDGET, lang="en")
    w = open_page()
    w.context.grant_permissions(["clipboard-read", "clipboard-write"])
    load(w, url)
    w.page.locator(".scanshare button[data-site=copy]").click()
    toast = w.page.locator(".scanshare [role=status]")
    expect(toast).to_have_text("Copied")
    copied = w.page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"{service.base}/s/") and copied.endswith("?src=copy")
    expect(toast).to_be_hidden(timeout=5000)


@pytest.mark.parametrize("case", ["host not allowed", "link disabled"])
def test_copy_of_an_untracked_page_puts_the_page_url_on_the_clipboard(
    open_page, articles, service, case
):
    url = articles.publish(WIDGET, lang="en", host="localhost" if case != "link disabled" else None)
    if case == "link disabled":
        code = (
            service.app.test_client().get("/api/v1/share", query_string={"url": url}).json["code"]
        )
        service.patch(f"/links/{code}", {"disabled": True})
    w = open_page()
    w.allow(r"status of 403")
    w.context.grant_permissions(["clipboard-read", "clipboard-write"])
    load(w, url)
    w.page.locator(".scanshare button[data-site=copy]").click()
    expect(w.page.locator(".scanshare [role=status]")).to_have_text("Copied")
    assert w.page.evaluate("navigator.clipboard.readText()") == url
    w.page.wait_for_timeout(200)
    assert not any("/t/copy" in r for r in w.requests), "an untracked copy was reported"


def test_host_not_allowed_gets_a_working_untracked_qr_of_the_page(open_page, articles):
    url = articles.publish(WIDGET, host="localhost")
    w = open_page()
    w.allow(r"status of 403")
    load(w, url)
    dialog = open_popup(w)
    expect(dialog).to_contain_text(CAPTION_ZH)
    assert decode_qr(loaded_qr(w, dialog)) == url
    assert not any("/o/" in r for r in w.requests), "an untracked page sent an open beacon"


def test_elements_added_later_and_init_calls_are_rendered_once(open_page, articles):
    w = open_page()
    load(w, articles.publish(WIDGET + '<section id="later"></section>'))
    w.page.evaluate("""() => {
        const d = document.createElement('div');
        d.setAttribute('data-scanshare', '');
        d.setAttribute('data-sites', 'wechat,copy');
        document.getElementById('later').appendChild(d);
        const f = document.createElement('div');
        f.id = 'framework';
        document.body.appendChild(f);
        ScanShare.init(f, {lang: 'en', sites: ['copy', 'wechat'], labels: 'text'});
        ScanShare.init(f, {lang: 'zh'});
    }""")
    expect(w.page.locator("#later button[data-site]")).to_have_count(2)
    expect(w.page.locator("#framework button[data-site]")).to_have_count(2)
    expect(w.page.locator("#framework button[data-site=copy]")).to_have_text("Copy link")


def test_widget_defines_one_global_and_no_storage(open_page, articles, service):
    w = open_page()
    bare = articles.publish("<p>no widget</p>", script=False)
    w.page.goto(bare)
    before = set(w.page.evaluate("Object.getOwnPropertyNames(window)"))
    w.page.add_script_tag(url=f"{service.base}/widget.js")
    w.page.wait_for_function("() => window.ScanShare")
    after = set(w.page.evaluate("Object.getOwnPropertyNames(window)"))
    assert after - before == {"ScanShare"}
    assert w.page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_options_select_sites_layout_labels_and_per_site_overrides(open_page, articles, stand_in):
    body = (
        '<div class="scanshare" data-sites="weibo,x,email" data-layout="column" '
        'data-labels="text" data-lang="en" data-theme="dark" data-title="Common" '
        'data-weibo-title="Only on Weibo" data-url="https://news.example.com/a?b=1"></div>'
    )
    w = open_page()
    w.page.goto(articles.publish(body))
    buttons = w.page.locator(".scanshare button[data-site]")
    expect(buttons).to_have_text(["Weibo", "X", "Email"])
    first, second = buttons.nth(0).bounding_box(), buttons.nth(1).bounding_box()
    assert second["y"] > first["y"], "column layout did not stack"
    with w.context.expect_page() as info:
        buttons.nth(0).click()
    # news.example.com is not an allowed host: the hop passes the page URL on untracked
    assert info.value.url.startswith(stand_in.url("/share/weibo?"))
    assert "title=Only%20on%20Weibo" in info.value.url
    assert "url=https%3A%2F%2Fnews.example.com%2Fa%3Fb%3D1" in info.value.url
    with w.context.expect_page() as info:
        buttons.nth(1).click()
    assert info.value.url.startswith(stand_in.url("/share/x?"))
    assert "title=Common" in info.value.url


def test_embed_iframe_variant_opens_the_popup_inside_the_frame(open_page, articles, service):
    article = "https://news.example.com/2024/night-run"
    frame = (
        f'<iframe src="{service.base}/embed?url={article}&amp;lang=en" width="360" '
        f'height="380"></iframe>'
    )
    w = open_page()
    w.allow(r"status of 403")
    w.page.goto(articles.publish(frame, script=False))
    embed = w.page.frame_locator("iframe")
    embed.locator(".scanshare button[data-site=wechat]").click()
    dialog = embed.locator(".scanshare [role=dialog]")
    expect(dialog).to_contain_text("Share on WeChat")
    expect(dialog.locator("img")).to_have_js_property("naturalWidth", 160)


# Playwright's own page helpers need MutationObserver, so it comes back once the
# page (and so the async widget) has loaded; the widget looked for it before.
OLD_BROWSER = """
const observer = window.MutationObserver;
window.MutationObserver = undefined;
addEventListener('load', () => { window.MutationObserver = observer; });
window.fetch = undefined;
Element.prototype.attachShadow = undefined;
Object.defineProperty(Document.prototype, 'currentScript', {get: () => null});
Object.defineProperty(window, 'visualViewport', {get: () => undefined});
Object.defineProperty(Navigator.prototype, 'sendBeacon', {get: () => undefined});
"""


def test_old_browser_without_modern_apis_still_gets_a_working_popup(open_page, articles):
    url = articles.publish(WIDGET + '<p id="after">text</p>')
    w = open_page()
    w.page.add_init_script(OLD_BROWSER)
    load(w, url)
    assert w.page.evaluate("document.querySelector('.scanshare').shadowRoot") is None
    dialog = open_popup(w)
    assert decode_qr(loaded_qr(w, dialog)) == url
    w.page.locator("#after").click()
    expect(dialog).to_be_hidden()
    assert w.page.locator("#after").evaluate("e => getComputedStyle(e).display") == "block"


def test_demo_page_widgets_and_iframes_work_under_its_own_csp(open_page, service):
    w = open_page()
    w.allow(r"404 .* at http://127\.0\.0\.1:\d+/favicon\.ico$")  # the service has no favicon
    w.page.goto(f"{service.base}/")
    expect(w.page.locator(".scanshare button[data-site=wechat]")).to_have_count(2)
    dialog = open_popup(w, "#en .scanshare")
    expect(dialog).to_contain_text(CAPTION_EN)
    short = decode_qr(loaded_qr(w, dialog))
    assert short.startswith(f"{service.base}/s/") and short.endswith("?src=widget")
    for frame in ("#zh iframe", "#en iframe"):
        embed = w.page.frame_locator(frame)
        expect(embed.locator(".scanshare button[data-site=wechat]")).to_be_visible()


def test_disabled_link_gets_an_untracked_qr_and_no_open_count(open_page, articles, service):
    url = articles.publish(WIDGET)
    code = service.app.test_client().get("/api/v1/share", query_string={"url": url}).json["code"]
    service.patch(f"/links/{code}", {"disabled": True})
    w = open_page()
    load(w, url)
    assert decode_qr(loaded_qr(w, open_popup(w))) == url
    assert not any("/o/" in r for r in w.requests)
