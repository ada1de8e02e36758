"""The widget's HTTP side: /widget.js, /embed, the demo page and the popup-open beacon.

What the widget does in a browser is tested in ``tests/browser/``; here are
the bytes, headers and counts the routes promise.
"""

from __future__ import annotations

import gzip
import re
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from share import clock, services
from share.scans import opens
from share.web.widget import minify
from tests.conftest import PUBLIC, make_app

BUDGET = 9 * 1024  # 8 KB until the WeChat JS-SDK card, focus trap, bottom sheet and brand marks
GZIP = {"Accept-Encoding": "gzip"}


def served_widget(client) -> bytes:
    response = client.get("/widget.js")
    assert response.status_code == 200
    return response.data


def test_widget_fits_the_8kb_gzip_budget(client):
    body = served_widget(client)
    packed = client.get("/widget.js", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == body
    assert len(packed.data) <= BUDGET, f"widget.js is {len(packed.data)} bytes gzipped"
    assert len(gzip.compress(body, 9)) <= BUDGET


def test_widget_js_headers_allow_cross_origin_use_and_long_caching(client):
    response = client.get("/widget.js")
    assert response.mimetype == "application/javascript"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))
    assert max_age >= 3600
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("headers", [{}, GZIP])
def test_widget_js_etag_revalidates_to_304(client, headers):
    first = client.get("/widget.js", headers=headers)
    etag = first.headers["ETag"]
    again = client.get("/widget.js", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_widget_js_is_ascii_so_a_gbk_host_page_cannot_garble_it(client):
    body = served_widget(client)
    body.decode("ascii")
    assert b"\\u5206\\u4eab\\u5230\\u5fae\\u4fe1" in body  # 分享到微信


def test_widget_source_never_builds_html_or_evaluates_strings(app):
    text = (Path(app.static_folder) / "widget.js").read_text(encoding="utf-8")
    for banned in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setAttribute('style'",
        "cookie",
        "localStorage",
    ):
        assert banned not in text, banned


def test_minify_drops_comment_lines_but_keeps_urls_in_strings():
    source = "  // a comment\n  var u = 'https://x.example/a';  \n\n  var t = '分享';\n"
    assert minify(source) == b"var u = 'https://x.example/a';\nvar t = '\\u5206\\u4eab';\n"


def test_minify_is_deterministic(client):
    assert served_widget(client) == served_widget(client)
    assert (
        client.get("/widget.js", headers=GZIP).data == client.get("/widget.js", headers=GZIP).data
    )


def test_embed_page_escapes_options_and_may_be_framed(client):
    hostile = '"><script>alert(1)</script>'
    response = client.get(
        "/embed",
        query_string={
            "url": "https://news.example.com/a?x=1",
            "title": hostile,
            "lang": "zh",
            "qr_size": "200",
            "onclick": "alert(1)",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'data-title="&#34;&gt;&lt;script&gt;' in html
    assert 'data-url="https://news.example.com/a?x=1"' in html
    assert 'data-qr-size="200"' in html
    assert "onclick" not in html
    assert '<script src="/widget.js" async>' in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors *" in csp
    assert "X-Frame-Options" not in response.headers


@pytest.mark.parametrize("url", [None, "", "javascript:alert(1)", "/relative", "ftp://x.example/"])
def test_embed_refuses_anything_but_http_urls(client, url):
    query = {} if url is None else {"url": url}
    assert client.get("/embed", query_string=query).status_code == 400


def test_demo_page_shows_both_articles_snippets_and_iframes(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<div class="scanshare"') == 2
    assert html.count("<iframe src=") == 2
    assert f"&lt;script src=&#34;{PUBLIC}/widget.js&#34; async&gt;&lt;/script&gt;" in html
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_open_beacon_counts_per_day_without_cookies(client, api):
    link = api.make_link()
    for _ in range(2):
        response = client.post(f"/o/{link['code']}", headers={"Origin": "https://news.example.com"})
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Set-Cookie" not in response.headers
    assert api.get(f"/links/{link['code']}/stats").get_json()["opens"] == 2


def test_open_beacon_needs_no_csrf_token(tmp_path, sqlite_url, api):
    strict = make_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True)
    link = api.make_link()
    assert strict.test_client().post(f"/o/{link['code']}").status_code == 204


@pytest.mark.parametrize("code", ["zzzzzzz", "no", "bad code!", "a" * 40])
def test_open_beacon_for_unknown_code_is_404(client, code):
    assert client.post(f"/o/{code}").status_code == 404


def test_open_beacon_for_disabled_link_is_not_counted(client, api):
    link = api.make_link()
    api.patch(f"/links/{link['code']}", json={"disabled": True})
    assert client.post(f"/o/{link['code']}").status_code == 204
    assert api.get(f"/links/{link['code']}/stats").get_json()["opens"] == 0


def test_open_beacon_only_accepts_post(client, api):
    link = api.make_link()
    assert client.get(f"/o/{link['code']}").status_code == 405


def test_open_beacon_is_rate_limited_per_client(tmp_path, sqlite_url, api):
    limited = make_app(sqlite_url, tmp_path, SHARE_RATE_LIMIT="3 per minute").test_client()
    code = api.make_link()["code"]
    statuses = [limited.post(f"/o/{code}").status_code for _ in range(4)]
    assert statuses == [204, 204, 204, 429]
    other = limited.post(f"/o/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 204


def test_opens_fall_into_the_days_of_any_zone(any_api):
    engine = services.of(any_api.app).engine
    link = any_api.make_link()
    link_id = _link_id(any_api, link["code"])
    shanghai = timezone(timedelta(hours=8))
    early = datetime(2024, 5, 2, 1, 0, tzinfo=shanghai)  # 2024-05-01 17:00 UTC
    assert opens.record_open(engine, link["code"], early) is opens.OpenResult.COUNTED
    opens.record_open(engine, link["code"], datetime(2024, 5, 1, 23, 59))  # naive = UTC
    opens.record_open(engine, link["code"], datetime(2024, 5, 2, 0, 0, tzinfo=UTC))
    utc = clock.UTC_ZONE

    def between(first, last, tz):
        return opens.opens_in(engine, link_id, clock.day_buckets(first, last, tz))

    assert between(date(2024, 5, 1), date(2024, 5, 1), utc) == 2
    assert between(date(2024, 5, 2), date(2024, 5, 2), utc) == 1
    # in Shanghai all three fall on 2 May; in Kolkata (+5:30) 17:00 UTC is 22:30 on 1 May
    assert between(date(2024, 5, 2), date(2024, 5, 2), ZoneInfo("Asia/Shanghai")) == 3
    kolkata = ZoneInfo("Asia/Kolkata")
    assert between(date(2024, 5, 1), date(2024, 5, 1), kolkata) == 1
    assert between(date(2024, 5, 2), date(2024, 5, 2), kolkata) == 2


def test_concurrent_opens_are_all_counted(any_api, frozen):
    engine = services.of(any_api.app).engine
    code = any_api.make_link()["code"]
    errors: list[BaseException] = []

    def hammer():
        try:
            for _ in range(10):
                opens.record_open(engine, code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    today = clock.last_days(clock.UTC_ZONE, 1)
    assert opens.opens_in(engine, _link_id(any_api, code), today) == 60


def _link_id(api, code: str) -> int:
    from share.links import service as links

    return links.get(services.of(api.app).engine, code).id
