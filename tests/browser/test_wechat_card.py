"""Inside WeChat, the widget configures WeChat's JS-SDK so a forwarded page shows its own card.

A stand-in WeChat API (real HTTP on loopback) issues the token and ticket; a
stub ``wx`` object, served by the test through ``SHARE_WECHAT_JSSDK_URL`` in
place of WeChat's script, records what the widget hands it. Outside WeChat,
or where the service has no account configured, nothing is requested.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from httpservers import LoopbackServer, page
from playwright.sync_api import expect

from share.wechat.signature import sign
from tests.adminhelp import CHROME, WECHAT
from tests.browser.conftest import Articles, LiveService
from tests.test_wechat_signature import APP_ID, SECRET, FakeWeChat

pytestmark = pytest.mark.browser

#: Records every call the widget makes, as WeChat's own wx object would receive them.
STUB = """
window.__wx = {calls: []};
window.wx = {
  config: function (c) { window.__wx.calls.push(['config', c]); },
  ready: function (f) { window.__wx.calls.push(['ready']); f(); },
  updateAppMessageShareData: function (d) { window.__wx.calls.push(['friend', d]); },
  updateTimelineShareData: function (d) { window.__wx.calls.push(['moments', d]); }
};
"""


@pytest.fixture(scope="module")
def wechat_api():
    fake = FakeWeChat()
    with fake.server:
        yield fake


@pytest.fixture(scope="module")
def stub_server():
    with LoopbackServer({"/jweixin.js": page(STUB, "application/javascript")}) as server:
        yield server


@pytest.fixture(scope="module")
def wechat_service(tmp_path_factory, wechat_api, stub_server):
    live = LiveService(
        tmp_path_factory.mktemp("wechat"),
        "127.0.0.1",
        {},
        WECHAT_APP_ID=APP_ID,
        WECHAT_APP_SECRET=SECRET,
        WECHAT_API=wechat_api.api,
        WECHAT_JSSDK_URL=stub_server.url("/jweixin.js"),
    )
    live.thread.start()
    yield live
    live.server.shutdown()
    live.engine.dispose()


def _calls(watched) -> dict:
    watched.page.wait_for_function("window.__wx && window.__wx.calls.length >= 4", timeout=10_000)
    return {c[0]: c[1] if len(c) > 1 else None for c in watched.page.evaluate("window.__wx.calls")}


def test_in_wechat_the_widget_signs_the_page_and_shares_the_tracked_link(
    open_page, host_server, wechat_service, wechat_api
):
    articles = Articles(host_server, wechat_service)
    article = articles.publish(
        '<div class="scanshare" data-description="A summary" '
        'data-image="https://news.example.com/cover.png"></div>',
        title="Night run",
    )
    watched = open_page(user_agent=WECHAT)
    watched.page.goto(article + "#comments")
    calls = _calls(watched)
    config = calls["config"]
    assert config["appId"] == APP_ID and config["debug"] is False
    assert set(config["jsApiList"]) == {"updateAppMessageShareData", "updateTimelineShareData"}
    assert config["signature"] == sign("TICKET-1", config["nonceStr"], config["timestamp"], article)
    link = wechat_service.api("/links?limit=1")["links"][0]
    assert link["url"] == article
    friend, moments = calls["friend"], calls["moments"]
    assert friend["link"] == link["short_url"] + "?src=wechat" == moments["link"]
    assert friend["title"] == "Night run" and friend["desc"] == "A summary"
    assert friend["imgUrl"] == "https://news.example.com/cover.png"
    assert (wechat_api.token_calls, wechat_api.ticket_calls) == (1, 1)


def test_outside_wechat_nothing_is_asked_for(open_page, host_server, wechat_service):
    articles = Articles(host_server, wechat_service)
    article = articles.publish('<div class="scanshare"></div>')
    watched = open_page(user_agent=CHROME)
    watched.page.goto(article)
    expect(watched.page.locator(".scanshare button[data-site=wechat]")).to_be_visible()
    watched.page.wait_for_timeout(500)
    paths = [urlsplit(u).path for u in watched.requests]
    assert "/api/v1/wechat/signature" not in paths and "/wechat-jssdk.js" not in paths
    assert watched.page.evaluate("typeof window.wx") == "undefined"


def test_a_service_without_an_account_loads_no_sdk(open_page, articles):
    article = articles.publish('<div class="scanshare"></div>')
    watched = open_page(user_agent=WECHAT)
    watched.page.goto(article)
    expect(watched.page.locator(".scanshare button[data-site=wechat]")).to_be_visible()
    watched.page.wait_for_timeout(500)
    paths = [urlsplit(u).path for u in watched.requests]
    assert "/api/v1/wechat/signature" not in paths  # the built script knows: no account here
    assert "/wechat-jssdk.js" not in paths
    assert watched.page.evaluate("typeof window.wx") == "undefined"
