"""Headers every answer carries: nosniff, Retry-After only when waiting, Secure cookies over https, the icon."""

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from share import services
from share.links import service as links
from tests.conftest import close_app, make_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def limited_app(sqlite_url, tmp_path):
    app = make_app(
        sqlite_url,
        tmp_path,
        ALLOWED_HOSTS=["example.com"],
        FETCH_ON_CREATE=False,
        SHARE_RATE_LIMIT="3 per minute",
        RATELIMIT_KEY_PREFIX=f"h{tmp_path.name[-12:]}",
    )
    yield app
    close_app(app)


def test_every_kind_of_answer_says_nosniff(limited_app):
    link, _ = links.create(services.of(limited_app).engine, "https://example.com/a")
    web = limited_app.test_client()
    answers = {
        "api json": web.get("/api/v1/openapi.json"),
        "api error": web.get("/api/v1/links/zzzzzzz"),
        "page 404": web.get("/no/such/page", headers={"Accept": "text/html"}),
        "405": web.post("/healthz"),
        "redirect": web.get(f"/s/{link.code}"),
        "unknown code": web.get("/s/zzzzzzz"),
        "widget": web.get("/widget.js"),
        "static": web.get("/static/widget.css"),
        "favicon": web.get("/favicon.ico"),
        "login page": web.get("/admin/login"),
        "health": web.get("/healthz"),
    }
    assert answers["redirect"].status_code == 302  # the lean path, not Flask's
    for name, answer in answers.items():
        answer.close()
        assert answer.headers.get("X-Content-Type-Options") == "nosniff", name


def test_retry_after_only_on_the_answer_that_asks_to_wait(limited_app):
    web = limited_app.test_client()
    ok = [web.get("/api/v1/share?url=https://example.com/p") for _ in range(3)]
    assert [r.status_code for r in ok] == [200] * 3
    for answer in ok:
        assert "X-RateLimit-Limit" in answer.headers  # the limiter did see these
        assert "Retry-After" not in answer.headers
    refused = web.get("/api/v1/share?url=https://example.com/p")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["error"]["code"] == "rate_limited"


def _session_cookie(answer) -> str:
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "the login page set no session cookie"
    return cookies[0]


@pytest.mark.parametrize(
    ("proxies", "scheme", "forwarded", "secure"),
    [
        (0, "http", None, False),
        (0, "https", None, True),  # TLS straight to the app
        (0, "http", "https", False),  # a client's own X-Forwarded-Proto is not trusted
        (1, "http", "https", True),  # the trusted proxy says the reader came over https
        (1, "http", "http", False),
    ],
)
def test_the_session_cookie_is_secure_whenever_the_request_came_over_https(
    sqlite_url, tmp_path, proxies, scheme, forwarded, secure
):
    app = make_app(sqlite_url, tmp_path, PROXY_COUNT=proxies, PUBLIC_URL=None)
    try:
        headers = {"X-Forwarded-Proto": forwarded, "X-Forwarded-For": "198.51.100.3"}
        answer = app.test_client().get(
            "/admin/login",
            base_url=f"{scheme}://localhost",
            headers={k: v for k, v in headers.items() if v},
        )
        assert answer.status_code == 200
        cookie = _session_cookie(answer)
        assert ("; Secure" in cookie) is secure, cookie
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        close_app(app)


def test_an_https_public_url_makes_every_session_cookie_secure(sqlite_url, tmp_path):
    app = make_app(sqlite_url, tmp_path, PUBLIC_URL="https://s.example")
    try:
        answer = app.test_client().get("/admin/login", base_url="http://localhost")
        assert "; Secure" in _session_cookie(answer)
    finally:
        close_app(app)


def test_the_favicon_is_the_brand_mark(app):
    web = app.test_client()
    answer = web.get("/favicon.ico")
    data = answer.get_data()
    answer.close()
    assert answer.status_code == 200
    assert answer.mimetype == "image/x-icon"
    icon = Image.open(io.BytesIO(data))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])
    svg = ET.parse(ROOT / "static" / "favicon.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    png = Image.open(ROOT / "static" / "favicon.png")
    assert png.size == (180, 180)
    # the mark is the brand's green with white modules, not an empty square
    colours = {c for _, c in png.convert("RGB").getcolors(1 << 16)}
    assert (11, 122, 85) in colours and (255, 255, 255) in colours
    for page in ("/admin/login", "/no/such/page"):
        html = web.get(page, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'rel="icon" href="/favicon.ico"' in html, page
        assert "favicon.svg" in html, page
