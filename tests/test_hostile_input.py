"""No input gets a 500: every route, hostile path values, queries and bodies.

The rules come from ``app.url_map``, so a route added later is swept too.
Requests are sent as an anonymous visitor, with an API key, and as a
logged-in admin (with a valid CSRF token, so forms get past the guard and
their own validation is exercised).
"""

import re

import pytest

from tests.adminhelp import AdminClient

HOSTILE = ["<script>alert(1)</script>", "%00", "../../etc/passwd", "x" * 3000, "ｓｃａｎ", "'\";--"]
QUERIES = [
    "",
    "?url=javascript:alert(1)&size=-1&from=2026-02-30&bucket=%00&limit=1e9&cursor=%ff",
    "?url=http://127.0.0.1/&next=//evil.com&lang=xx&layout=%3Cx%3E&page=-3&q=%27%22",
    "?" + "a=1&" * 500,
    "?url=http://[12345::1]/&to=9999-12-31&from=9999-12-31&range=custom&ec=H",
    "?url=https://a.com/" + "x" * 1400 + "&ec=H",
]
BODIES = [
    {"data": b"\xff\xfe garbage", "content_type": "application/json"},
    # JSON that once decoded into a 500: recursion, lone surrogates, NUL (PostgreSQL)
    {"data": b"[" * 100_000 + b"]" * 100_000, "content_type": "application/json"},
    {
        "data": b'{"url": "https://a.com/\\ud800", "title": "x\\u0000y", "urls": "\\udfff"}',
        "content_type": "application/json",
    },
    {
        "data": b"url=https%3A%2F%2Fa.com%2F%00&title=%ED%A0%80%00&urls=a%00b",
        "content_type": "application/x-www-form-urlencoded",
    },
    {"json": {"url": ["x"], "title": {"a": 1}, "disabled": "maybe", "next": "https://evil.com"}},
    {
        "data": {
            "url": "javascript:alert(1)",
            "title": "<img src=x onerror=alert(1)>",
            "urls": "\n".join(["file:///etc/passwd"] * 5),
            "username": "x" * 500,
        }
    },
]


def _paths(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for value in HOSTILE:
            path = re.sub(r"<[^>]+>", value.replace("/", "%2F"), rule.rule)
            yield rule, path


@pytest.fixture
def admin(app):
    user = AdminClient(app)
    assert user.login().status_code in (302, 303)
    return user


def _check(response, what, seen):
    assert response.status_code < 500, f"{what} -> {response.status_code}"
    seen.add(response.status_code)


@pytest.mark.parametrize("who", ["anonymous", "api", "admin"])
def test_no_route_answers_500_to_hostile_input(app, api, admin, who):
    client = {"anonymous": app.test_client(), "api": api.client, "admin": admin.client}[who]
    headers = {"Authorization": f"Bearer {api.key}"} if who == "api" else {}
    token = admin.token() if who == "admin" else None
    seen: set[int] = set()
    for rule, path in _paths(app):
        for query in QUERIES:
            if "GET" in rule.methods:
                _check(
                    client.get(path + query, headers=headers), f"GET {path[:80]}{query[:40]}", seen
                )
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}:
            for body in BODIES:
                body = dict(body)
                if token and isinstance(body.get("data"), dict):
                    body["data"] = {**body["data"], "csrf_token": token}
                response = client.open(path, method=method, headers=headers, **body)
                _check(response, f"{method} {path[:80]} {str(body)[:60]}", seen)
    # the sweep reached real handlers, not only the 404 page
    assert {200, 400} <= seen, seen
