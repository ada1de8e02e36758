"""The WeChat JS-SDK signature service, against a stand-in WeChat API on loopback.

The stand-in is a real HTTP server that checks every parameter of the two
calls, counts them, and answers WeChat's error codes on demand. Time is
injected (a counter the test moves), never read from the wall clock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from conftest import close_app, make_app
from gunicorn_server import gunicorn
from httpservers import LoopbackServer

from share.config import SettingError
from share.db import migrate
from share.errors import InputError
from share.wechat import tickets
from share.wechat.signature import page_url, sign
from share.wechat.tickets import Credentials, TicketSource, WeChatApi, WeChatUnavailable

APP_ID = "wx0123456789abcdef"
SECRET = "s3cr3t-never-logged-0123456789ab"
PAGE = "https://news.example.com/a/1?from=timeline"


class FakeWeChat:
    """WeChat's token and ticket calls: checked, counted, and failing on demand."""

    def __init__(self):
        self.token_calls = 0
        self.ticket_calls = 0
        self.bad_requests: list[str] = []
        self.token_error: dict | None = None
        self.ticket_errors: list[dict] = []  # answered in turn before a good ticket
        self.lifetime = 7200
        self.delay = 0.0  # seconds each token answer takes (widens any refresh race)
        self._lock = threading.Lock()
        self.server = LoopbackServer(
            {"/cgi-bin/token": self._token, "/cgi-bin/ticket/getticket": self._ticket}
        )

    def _answer(self, req, payload: dict) -> None:
        body = json.dumps(payload).encode()
        req.send_response(200)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def _token(self, req):
        query = parse_qs(urlsplit(req.path).query)
        with self._lock:
            self.token_calls += 1
            n = self.token_calls
        expected = {"grant_type": ["client_credential"], "appid": [APP_ID], "secret": [SECRET]}
        if req.command != "GET" or query != expected:
            self.bad_requests.append(req.path)
            return self._answer(req, {"errcode": 40013, "errmsg": "invalid appid"})
        if self.token_error is not None:
            return self._answer(req, self.token_error)
        time.sleep(self.delay)
        self._answer(req, {"access_token": f"TOKEN-{n}", "expires_in": self.lifetime})

    def _ticket(self, req):
        query = parse_qs(urlsplit(req.path).query)
        with self._lock:
            self.ticket_calls += 1
            n = self.ticket_calls
            error = self.ticket_errors.pop(0) if self.ticket_errors else None
        if (
            req.command != "GET"
            or query.get("type") != ["jsapi"]
            or set(query)
            != {
                "access_token",
                "type",
            }
        ):
            self.bad_requests.append(req.path)
            return self._answer(req, {"errcode": 40097, "errmsg": "invalid args"})
        if error is not None:
            return self._answer(req, error)
        if query["access_token"] != [f"TOKEN-{self.token_calls}"]:  # only the newest is valid
            return self._answer(req, {"errcode": 40001, "errmsg": "invalid credential"})
        self._answer(
            req,
            {"errcode": 0, "errmsg": "ok", "ticket": f"TICKET-{n}", "expires_in": self.lifetime},
        )

    @property
    def api(self) -> str:
        return self.server.url("").rstrip("/")


@pytest.fixture
def wechat():
    fake = FakeWeChat()
    with fake.server:
        yield fake


class Clock:
    """Epoch seconds the test moves by hand."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.t = start

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["sqlite", "postgres"])
def db_engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
        migrate(url)
    else:
        url = request.getfixturevalue("postgres_url")
    from share.storage.engine import make_engine

    engine = make_engine(url)
    yield engine
    engine.dispose()


def source(engine, fake: FakeWeChat, now: Clock, **kw) -> TicketSource:
    api = WeChatApi(Credentials(APP_ID, SECRET, fake.api))
    return TicketSource(engine, api, now=now, **kw)


# -- the signature itself --------------------------------------------------------


def test_the_signature_matches_wechats_published_example():
    ticket = (
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    )
    url = page_url("http://mp.weixin.qq.com?params=value")
    assert sign(ticket, "Wm3WZYTPz0wzccnW", 1414587457, url) == (
        "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    )


def test_the_page_url_loses_its_fragment_and_nothing_else():
    assert page_url("https://a.example.com/x?b=1&a=2#top") == "https://a.example.com/x?b=1&a=2"
    assert (
        page_url("https://a.example.com/%E4%B8%AD?q=%20") == "https://a.example.com/%E4%B8%AD?q=%20"
    )


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "ftp://a.example.com/",
        "javascript:alert(1)",
        "https:///nohost",
        "https://a.example.com/ x",
        "https://a.example.com/\x00",
        "https://[::1/",
        "h" * 3000,
    ],
)
def test_a_bad_page_url_is_refused_with_a_reason(raw):
    with pytest.raises(InputError) as err:
        page_url(raw)
    assert err.value.code == "invalid_url" and str(err.value)


# -- the ticket cache ------------------------------------------------------------


def test_one_token_and_one_ticket_serve_until_the_refresh_time(db_engine, wechat):
    now = Clock()
    first = source(db_engine, wechat, now)
    assert first.ticket() == "TICKET-1"
    now.t += 7200 - tickets.REFRESH_EARLY - 1
    second = source(db_engine, wechat, now)  # another worker: reads the shared cache
    assert second.ticket() == "TICKET-1"
    assert (wechat.token_calls, wechat.ticket_calls) == (1, 1)
    now.t += 2  # inside the last minutes: refreshed early, once
    assert first.ticket() == "TICKET-2"
    assert second.ticket() == "TICKET-2"
    assert (wechat.token_calls, wechat.ticket_calls) == (2, 2)
    assert wechat.bad_requests == []


def test_workers_racing_past_the_expiry_refresh_once(db_engine, wechat):
    now = Clock()
    workers = [source(db_engine, wechat, now) for _ in range(6)]
    assert workers[0].ticket() == "TICKET-1"
    now.t += 7200 + 1  # expired outright: every worker needs the new one
    with ThreadPoolExecutor(12) as pool:
        seen = list(pool.map(lambda i: workers[i % 6].ticket(), range(48)))
    assert set(seen) == {"TICKET-2"}
    assert (wechat.token_calls, wechat.ticket_calls) == (2, 2)


def test_a_rejected_token_is_replaced_once(db_engine, wechat):
    now = Clock()
    wechat.ticket_errors = [{"errcode": 42001, "errmsg": "access_token expired"}]
    assert source(db_engine, wechat, now).ticket() == "TICKET-2"
    assert wechat.token_calls == 2  # the first token, then one new one after 42001


def test_wechat_errors_become_a_sentence_without_the_secret(db_engine, wechat, caplog):
    now = Clock()
    wechat.token_error = {"errcode": 40125, "errmsg": "invalid appsecret"}
    src = source(db_engine, wechat, now)
    with caplog.at_level(logging.DEBUG), pytest.raises(WeChatUnavailable) as err:
        src.ticket()
    assert "40125" in str(err.value)
    assert SECRET not in str(err.value) and SECRET not in caplog.text
    # backs off: the next request within BACK_OFF does not ask WeChat again
    with pytest.raises(WeChatUnavailable):
        src.ticket()
    assert wechat.token_calls == 1
    wechat.token_error = None
    now.t += tickets.BACK_OFF
    assert src.ticket() == "TICKET-1"


def test_an_unreachable_api_names_no_url_and_no_secret(db_engine, caplog):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        api = f"http://127.0.0.1:{probe.getsockname()[1]}"
    src = TicketSource(db_engine, WeChatApi(Credentials(APP_ID, SECRET, api)), now=Clock())
    with caplog.at_level(logging.DEBUG), pytest.raises(WeChatUnavailable) as err:
        src.ticket()
    assert "ConnectionError" in str(err.value)
    assert SECRET not in str(err.value) and SECRET not in caplog.text
    assert SECRET not in repr(src.api.credentials)


def test_a_refresh_that_fails_keeps_the_still_valid_ticket(db_engine, wechat):
    now = Clock()
    src = source(db_engine, wechat, now)
    assert src.ticket() == "TICKET-1"
    now.t += 7200 - 60  # in the early-refresh window, still valid
    wechat.token_error = {"errcode": -1, "errmsg": "system error"}
    assert src.ticket() == "TICKET-1"
    now.t += 61  # now expired, and WeChat still failing (after the back-off)
    now.t += tickets.BACK_OFF
    with pytest.raises(WeChatUnavailable):
        src.ticket()


def test_a_stuck_refresher_makes_others_give_up_with_a_503_sentence(db_engine, wechat):
    from share.storage import wechat as store

    now = Clock()
    assert store.take_lease(db_engine, f"refresh_lease:{APP_ID}", "someone", now(), 30)
    waits = []
    src = source(db_engine, wechat, now, sleep=waits.append)
    with pytest.raises(WeChatUnavailable, match="Another process"):
        src.ticket()
    assert wechat.token_calls == 0 and waits  # it waited instead of refreshing too
    now.t += 31  # the lease lapses: the next request refreshes
    assert src.ticket() == "TICKET-1"


# -- the route ---------------------------------------------------------------------


@pytest.fixture
def wechat_app(any_app, wechat, tmp_path):
    """``any_app``'s database, served by an app with WeChat configured."""
    app = make_app(
        any_app.config["DATABASE_URL"],
        tmp_path / "w",
        WECHAT_APP_ID=APP_ID,
        WECHAT_APP_SECRET=SECRET,
        WECHAT_API=wechat.api,
        ALLOWED_HOSTS=["news.example.com"],
    )
    yield app
    close_app(app)


def test_the_route_answers_what_wx_config_needs(wechat_app, wechat):
    response = wechat_app.test_client().get(
        "/api/v1/wechat/signature", query_string={"url": PAGE + "#comments"}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"appId", "timestamp", "nonceStr", "signature"}
    assert body["appId"] == APP_ID
    assert body["signature"] == sign("TICKET-1", body["nonceStr"], body["timestamp"], PAGE)
    expected = hashlib.sha1(
        f"jsapi_ticket=TICKET-1&noncestr={body['nonceStr']}&timestamp={body['timestamp']}"
        f"&url={PAGE}".encode()
    ).hexdigest()
    assert body["signature"] == expected
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-store"
    assert SECRET not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({}, 400, "invalid_url"),
        ({"url": "javascript:alert(1)"}, 400, "invalid_url"),
        ({"url": "https://evil.example.net/a"}, 403, "host_not_allowed"),
        ({"url": "https://news.example.com/" + "a" * 5000}, 400, "invalid_url"),
    ],
)
def test_the_route_refuses_bad_pages_with_a_message(wechat_app, query, status, code):
    response = wechat_app.test_client().get("/api/v1/wechat/signature", query_string=query)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_the_route_is_a_404_when_no_account_is_configured(client):
    response = client.get("/api/v1/wechat/signature", query_string={"url": PAGE})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "wechat_not_configured"


def test_wechat_refusing_is_a_503_with_a_sentence_and_no_secret(wechat_app, wechat, caplog):
    wechat.token_error = {"errcode": 40164, "errmsg": "invalid ip 1.2.3.4, not in whitelist"}
    with caplog.at_level(logging.DEBUG):
        response = wechat_app.test_client().get(
            "/api/v1/wechat/signature", query_string={"url": PAGE}
        )
    assert response.status_code == 503
    assert "40164" in response.get_json()["error"]["message"]
    assert SECRET not in response.get_data(as_text=True) and SECRET not in caplog.text


def test_the_sdk_route_redirects_only_when_an_account_is_configured(wechat_app, client):
    answer = wechat_app.test_client().get("/wechat-jssdk.js")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
    assert client.get("/wechat-jssdk.js").status_code == 404


def test_one_setting_without_the_other_stops_start_up(sqlite_url, tmp_path):
    with pytest.raises(SettingError, match="SHARE_WECHAT_APP_SECRET"):
        make_app(sqlite_url, tmp_path, WECHAT_APP_ID=APP_ID)


# -- four gunicorn workers -------------------------------------------------------------


def test_four_workers_under_concurrent_requests_fetch_the_token_once(wechat, tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate(url)
    env = {
        "SHARE_DATABASE_URL": url,
        "SHARE_SECRET_KEY": "test-secret",
        "SHARE_INSTANCE_PATH": str(tmp_path / "instance"),
        "SHARE_ALLOWED_HOSTS": "news.example.com",
        "SHARE_WECHAT_APP_ID": APP_ID,
        "SHARE_WECHAT_APP_SECRET": SECRET,
        "SHARE_WECHAT_API": wechat.api,
        "SHARE_SHARE_RATE_LIMIT": "10000 per minute",
    }
    log = tmp_path / "gunicorn.log"
    wechat.delay = 0.3  # every worker's first request arrives while the token is on its way
    with gunicorn(env, workers=4, log_path=log) as (base, _):

        def one(_):
            return requests.get(f"{base}/api/v1/wechat/signature", params={"url": PAGE}, timeout=15)

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(one, range(64)))
    assert [a.status_code for a in answers] == [200] * 64
    assert (wechat.token_calls, wechat.ticket_calls) == (1, 1)
    for answer in answers:
        body = answer.json()
        assert body["signature"] == sign("TICKET-1", body["nonceStr"], body["timestamp"], PAGE)
    assert SECRET not in log.read_text()
