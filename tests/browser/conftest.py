"""Browser fixtures: real headless Chromium, the real service, a host page on another origin.

The service runs for real (werkzeug, a thread, a temp SQLite file) on one
loopback port; article pages that embed the widget are served by a second
server on another port, so the widget is cross-origin exactly as on a
publisher's site. Every share network is a third loopback server, the
stand-in, through ``SHARE_TARGET_URLS``: no test reaches a real network. Every page fixture fails its test on a console error or an
uncaught exception unless the test says which message it expects.
"""

from __future__ import annotations

import json
import os
import re
import threading
from itertools import count
from pathlib import Path

import pytest
from httpservers import LoopbackServer, page
from werkzeug.serving import make_server

from share import create_app, services
from share.access.apikeys import create as create_key
from share.db import migrate
from tests.chromium import CHROMIUM, launch_chromium

pytestmark = pytest.mark.browser

#: The widget's navigate targets; each lands on ``/share/<target>`` of the stand-in.
NAVIGATE_TARGETS = ("weibo", "qq", "qzone", "douban", "x", "facebook", "linkedin", "email")


class LiveService:
    """The Flask app served by werkzeug on 127.0.0.1:<ephemeral> in a thread."""

    def __init__(self, tmp: Path, allowed_host: str, target_urls: dict[str, str], **config):
        url = f"sqlite:///{tmp / 'browser.sqlite3'}"
        migrate(url)
        self._app = None
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "browser-tests",
                "PUBLIC_URL": self.base,
                "INSTANCE_PATH": str(tmp / "instance"),
                "ALLOWED_HOSTS": allowed_host,
                "FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
                "SHARE_RATE_LIMIT": "100000 per minute",
                "SHARE_TARGET_URLS": json.dumps(target_urls),
                **config,
            }
        )
        self.engine = services.of(self.app).engine
        self.key = create_key(self.engine, "browser tests")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _wsgi(self, environ, start_response):
        return self.app(environ, start_response)

    def patch(self, path: str, body: dict) -> None:
        """PATCH an API path with the key."""
        response = self.app.test_client().patch(
            "/api/v1" + path, json=body, headers={"Authorization": f"Bearer {self.key}"}
        )
        assert response.status_code == 200, response.get_json()

    def api(self, path: str):
        """GET an API path with the key; the JSON answer."""
        response = self.app.test_client().get(
            "/api/v1" + path, headers={"Authorization": f"Bearer {self.key}"}
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("SHARE_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def host_server():
    # Browsers ask every origin for a favicon; answer it so the 404 is not a console error.
    with LoopbackServer({"/favicon.ico": page(b"", content_type="image/x-icon")}) as server:
        yield server


@pytest.fixture(scope="session")
def stand_in():
    """The share networks' stand-in: ``/share/<target>`` answers a page for each target."""
    routes = {f"/share/{t}": page(f"<title>{t} stand-in</title>") for t in NAVIGATE_TARGETS}
    routes["/favicon.ico"] = page(b"", content_type="image/x-icon")
    with LoopbackServer(routes) as server:
        yield server


@pytest.fixture(scope="session")
def service(tmp_path_factory, stand_in):
    fields = "url={url}&title={title}&description={description}&image={image}"
    target_urls = {t: stand_in.url(f"/share/{t}?{fields}") for t in NAVIGATE_TARGETS}
    live = LiveService(tmp_path_factory.mktemp("service"), "127.0.0.1", target_urls)
    live.thread.start()
    yield live
    live.server.shutdown()
    live.engine.dispose()


_pages = count(1)


class Articles:
    """Publishes host pages that embed the widget; each gets a fresh path (a fresh link)."""

    def __init__(self, server: LoopbackServer, service: LiveService):
        self.server, self.service = server, service

    def publish(
        self,
        body: str,
        *,
        title: str = "Sample article",
        lang: str = "zh-CN",
        head: str = "",
        headers: dict | None = None,
        host: str | None = None,
        script: bool = True,
    ) -> str:
        path = f"/article/{next(_pages)}"
        tag = f'<script src="{self.service.base}/widget.js" async></script>' if script else ""
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title>{head}</head><body>{body}{tag}</body></html>"
        )
        self.server.route(path, page(html, headers=headers))
        return self.server.url(path, host=host)


@pytest.fixture
def articles(host_server, service):
    return Articles(host_server, service)


class Watched:
    """A page whose console errors, uncaught exceptions and requests are recorded."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.allowed: list[re.Pattern] = []
        self.page.on(
            "console",
            lambda m: (
                m.type == "error" and self.errors.append(f"{m.text} at {m.location.get('url')}")
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def allow(self, pattern: str) -> None:
        """Expect console errors matching ``pattern`` (e.g. the devtools line for a 403)."""
        self.allowed.append(re.compile(pattern))

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def open_page(chromium):
    """``open_page(**context_options)`` → a :class:`Watched` page; fails on console errors."""
    watched: list[Watched] = []

    def make(**options) -> Watched:
        options.setdefault("viewport", {"width": 1024, "height": 768})
        w = Watched(chromium.new_context(**options))
        watched.append(w)
        return w

    yield make
    for w in watched:
        w.context.close()
    for w in watched:
        assert w.unexpected_errors() == [], "console errors on the page"
