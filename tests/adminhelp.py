"""Test helpers for the dashboard: an admin account and a client that logs in and posts forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from share import services
from share.access import admins

PASSWORD = "correct horse battery"
WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47"
    ".2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class AdminClient:
    """``admin.login()``, ``admin.get(path)``, ``admin.post(path, data)`` with the CSRF token."""

    def __init__(self, app, username: str = "editor", password: str = PASSWORD, create=True):
        self.app = app
        self.username, self.password = username, password
        if create:
            admins.create(services.of(app).engine, username, password)
        self.client = app.test_client()

    def token(self) -> str:
        page = self.client.get("/admin/login")
        return _TOKEN.search(page.get_data(as_text=True)).group(1)

    def login(self, password: str | None = None, next: str | None = None, **kw):
        data = {
            "csrf_token": self.token(),
            "username": self.username,
            "password": self.password if password is None else password,
        }
        if next is not None:
            data["next"] = next
        return self.client.post("/admin/login", data=data, **kw)

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.client.post(path, data={"csrf_token": self.token(), **(data or {})}, **kw)


def scan(app, code, when: datetime, ua=CHROME, ip="198.51.100.1", src=None, referer=None):
    """One real scan through the redirector, at ``when`` (aware UTC)."""
    headers = {"User-Agent": ua}
    if referer:
        headers["Referer"] = referer
    outcome = services.of(app).redirector.scan(
        code, method="GET", headers=headers, remote_addr=ip, src=src, now=when.astimezone(UTC)
    )
    assert outcome.status == 302
    services.of(app).redirector.flush()  # what the ingester does within a second
