"""Metadata fallbacks and charsets on small hand-written pages; fetch_article end to end."""

import ipaddress

import pytest
from httpservers import LoopbackServer, page, redirect

from share import services
from share.fetch import FetchPolicy
from share.metadata import ArticleMeta, extract, fetch_article
from share.metadata.charset import decode, header_charset, lookup, prescan

URL = "https://news.example.com/2024/05/story.html"
ALLOW = FetchPolicy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),), deadline=5.0)


def meta(html, url=URL, content_type="text/html; charset=utf-8"):
    return extract(html.encode("utf-8") if isinstance(html, str) else html, url, content_type)


def test_title_precedence_og_then_twitter_then_title_then_h1():
    head = '<meta property="og:title" content="OG"><meta name="twitter:title" content="TW">'
    assert meta(f"<head>{head}<title>T</title></head><h1>H</h1>").title == "OG"
    assert meta('<meta name="twitter:title" content="TW"><title>T</title>').title == "TW"
    assert meta("<title>T</title><body><h1>H</h1></body>").title == "T"
    assert meta("<body><h1> H  one </h1><h1>two</h1></body>").title == "H one"


def test_title_cut_to_h1_when_title_is_h1_plus_site_suffix():
    assert meta("<title>头条新闻_科技_腾讯网</title><h1>头条新闻</h1>").title == "头条新闻"
    assert meta("<title>Other - Site</title><h1>Headline</h1>").title == "Other - Site"


def test_site_name_stripped_from_og_title_only_when_it_is_a_prefix_or_suffix():
    site = '<meta property="og:site_name" content="Daily">'
    assert meta(f'{site}<meta property="og:title" content="Daily | Big news">').title == "Big news"
    assert meta(f'{site}<meta property="og:title" content="Big news — Daily">').title == "Big news"
    assert meta(f'{site}<meta property="og:title" content="The Daily Show">').title == (
        "The Daily Show"
    )


def test_description_precedence_and_paragraph_fallback():
    assert (
        meta(
            '<meta name="twitter:description" content="tw"><meta name="description" '
            'content="plain">'
        ).description
        == "tw"
    )
    assert meta('<meta name="Description" content="plain">').description == "plain"
    long_p = "A paragraph that is long enough to stand in for a summary of the whole article. " * 2
    html = f"<body><p>Short.</p><p>{long_p}</p></body>"
    assert meta(html).description == long_p.strip()
    assert meta(
        "<body><p>这是一段足够长的中文段落，用来代替文章的摘要，测试中文段落的长度阈值。</p></body>"
    ).description


def test_image_precedence_and_relative_urls_resolved():
    tags = {
        "secure": '<meta property="og:image:secure_url" content="https://cdn.example.com/s.jpg">',
        "og": '<meta property="og:image" content="/img/og.jpg">',
        "tw": '<meta name="twitter:image" content="tw.jpg">',
        "src": '<link rel="image_src" href="../src.jpg">',
    }
    assert meta("".join(tags.values())).image == "https://cdn.example.com/s.jpg"
    assert meta(tags["og"] + tags["tw"]).image == "https://news.example.com/img/og.jpg"
    assert meta(tags["tw"] + tags["src"]).image == "https://news.example.com/2024/05/tw.jpg"
    assert meta(tags["src"]).image == "https://news.example.com/2024/src.jpg"
    assert meta('<base href="https://static.example.org/a/">' + tags["tw"]).image == (
        "https://static.example.org/a/tw.jpg"
    )


def test_first_large_image_skips_tiny_tracking_and_placeholders():
    body = """<body>
      <img src="/pixel.gif" width="1" height="1">
      <img src="/static/logo.png">
      <img src="/img/qrcode.png">
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      <img src="/spacer.gif" data-src="/photos/lazy-real.jpg">
      <img src="/photos/second.jpg" width="800">
    </body>"""
    assert meta(body).image == "https://news.example.com/photos/lazy-real.jpg"


def test_first_large_image_prefers_article_body_and_srcset():
    body = """<body><aside><img src="/side/promo.jpg"></aside>
      <article><img src="/a/small.jpg" width="40">
      <img srcset="/a/p-480.jpg 480w, /a/p-1080.jpg 1080w" src="/a/p-480.jpg"></article></body>"""
    assert meta(body).image == "https://news.example.com/a/p-1080.jpg"


def test_entities_whitespace_and_caps():
    title = "&amp;quot;Big&amp;quot; &lt;news&gt;\n\t with   spaces"
    m = meta(
        f'<meta property="og:title" content="{title}"><meta name="description" '
        f'content="{"字" * 1500}"><meta property="og:image" content="/{"x" * 3000}.jpg">'
    )
    assert m.title == '"Big" <news> with spaces'
    assert len(m.description) == 1000 and m.description.endswith("…")
    assert m.image is None  # an over-long URL is dropped, never truncated into a broken one
    assert len(meta(f"<title>{'t' * 500}</title>").title) == 300


def test_site_name_lang_and_canonical():
    m = meta(
        '<html lang="zh-CN"><meta name="application-name" content="App">'
        '<link rel="canonical" href="/canon"></html>'
    )
    assert (m.site_name, m.lang, m.canonical_url) == ("App", "zh", "https://news.example.com/canon")
    m = meta('<meta property="og:locale" content="zh_TW"><meta property="og:url" content="/og">')
    assert (m.site_name, m.lang, m.canonical_url) == (
        "news.example.com",
        "zh",
        "https://news.example.com/og",
    )
    assert meta("<title>完全是中文的标题，没有声明语言</title>").lang == "zh"
    assert meta("<title>Plain English headline here</title>").lang == "en"


def test_wechat_article_variables():
    html = """<html><head><meta property="og:title" content="generic"></head><body><script>
      var msg_title = '公众号文章标题 \\x26amp; 更多'.html(false);
      var msg_desc = htmlDecode("这是摘要&quot;引号&quot;");
      var msg_cdn_url = "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg";
    </script></body></html>"""
    m = meta(html, url="https://mp.weixin.qq.com/s/AbCdEf")
    assert m.title == "公众号文章标题 & 更多"
    assert m.description == '这是摘要"引号"'
    assert m.image == "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg"
    assert meta(html, url="https://elsewhere.example/").title == "generic"


def test_gbk_page_without_declared_charset_is_decoded():
    html = "<html><head><title>中国制造的领军者</title></head><body><p>内容</p></body></html>"
    m = extract(html.encode("gbk"), URL, "text/html")  # what requests would call ISO-8859-1
    assert m.title == "中国制造的领军者"


def test_declared_charset_that_does_not_fit_the_bytes_is_overruled():
    html = (
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>腾讯网</title>'
    )
    assert extract(html.encode("utf-8"), URL, "text/html").title == "腾讯网"


def test_charset_order_bom_header_meta():
    body = '<meta charset="big5"><title>台灣</title>'.encode("big5")
    assert decode(body, "text/html")[1] == "big5hkscs"
    assert decode(b"\xef\xbb\xbf" + "<title>é</title>".encode(), "text/html; charset=big5") == (
        "<title>é</title>",
        "utf-8",
    )
    gbk = "<title>标题</title>".encode("gbk")
    assert decode(gbk, "text/html; charset=GB2312") == ("<title>标题</title>", "gb18030")
    assert header_charset("text/html") is None
    assert header_charset('text/html; charset="utf-8"') == "utf-8"
    assert lookup("GBK") == lookup("gb2312") == "gb18030"
    assert lookup("latin1") == lookup("ISO-8859-1") == "windows-1252"
    assert lookup("bogus") is None
    assert prescan(b'<meta charset="UTF-16LE">') == "utf-8"


def test_garbage_and_empty_documents_do_not_raise():
    for content in (
        b"",
        b"\x00\x00",
        b"<",
        b"\xff\xfe\x00",
        b'<?xml version="1.0" encoding="utf-8"?><a/>',
    ):
        assert isinstance(extract(content, URL, None), ArticleMeta)


def test_fetch_article_over_loopback_with_redirect_and_relative_image():
    html = """<html lang="en"><head><title>Loopback story</title>
      <meta property="og:image" content="/cover.jpg"></head><body></body></html>"""
    with LoopbackServer({"/story": page(html), "/old": redirect("/story", 301)}) as server:
        m = fetch_article(server.url("/old"), ALLOW)
    assert m.fetch_error is None
    assert m.title == "Loopback story"
    assert m.image == server.url("/cover.jpg")  # resolved against the final URL
    assert m.lang == "en"


def test_fetch_article_never_raises_and_records_reason():
    with LoopbackServer({"/": page("secret")}) as server:
        refused = fetch_article(server.url("/"), FetchPolicy(allowed_ports=(server.port,)))
        missing = fetch_article(server.url("/missing"), ALLOW)
        assert server.connections == 1  # only the allowed fetch connected
    assert refused.fetch_error == "blocked_address" and refused.title is None
    assert missing.fetch_error == "bad_status"
    assert fetch_article("not a url", ALLOW).fetch_error == "bad_url"
    assert fetch_article("ftp://example.com/", ALLOW).fetch_error == "bad_scheme"


def test_fetch_article_of_an_image_url_uses_it_as_the_image():
    with LoopbackServer({"/p.png": page(b"\x89PNG\r\n\x1a\n", content_type="image/png")}) as server:
        m = fetch_article(server.url("/p.png"), ALLOW)
    assert m.image == server.url("/p.png") and m.fetch_error is None


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=ISO-8859-1"])
def test_utf8_chinese_survives_missing_or_latin1_header(content_type):
    """requests' ISO-8859-1 default (and servlet containers' stamped one) never makes mojibake."""
    assert extract("<title>中文标题</title>".encode(), URL, content_type).title == "中文标题"


def test_latin1_header_still_decodes_real_latin1():
    assert (
        extract("<title>café</title>".encode("latin-1"), URL, "text/html; charset=iso-8859-1").title
        == "café"
    )


# --- Wired into link registration, refresh and PATCH ---------------------------------------

ARTICLE = """<html lang="zh-CN"><head><meta property="og:title" content="文章标题">
<meta property="og:description" content="文章摘要"><meta property="og:image" content="/cover.jpg">
<meta property="og:site_name" content="示例新闻"></head><body></body></html>"""


@pytest.fixture
def app(sqlite_url, tmp_path):
    """This module's app fetches on registration, and may reach loopback."""
    from share import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "test-secret",
            "PUBLIC_URL": "http://share.test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "FETCH_ON_CREATE": True,
            "FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
            "FETCH_TIMEOUT": 3,
        }
    )
    yield app
    services.of(app).engine.dispose()


def test_link_creation_fetches_metadata(api):
    with LoopbackServer({"/a": page(ARTICLE)}) as server:
        link = api.make_link(server.url("/a"))
    assert (link["title"], link["description"], link["site_name"], link["lang"]) == (
        "文章标题",
        "文章摘要",
        "示例新闻",
        "zh",
    )
    assert link["image"] == server.url("/cover.jpg")


def test_refused_fetch_never_fails_registration_and_records_reason(api):
    from share.links import service as links

    engine = services.of(api.app).engine
    response = api.post("/links", json={"url": "http://10.1.2.3/intranet"})
    assert response.status_code == 201
    stored = links.get(engine, response.get_json()["code"])
    assert stored.fetch_error == "blocked_address" and stored.title is None


def test_refresh_fetches_again_and_patch_overrides_win(api):
    from share.links import service as links

    engine = services.of(api.app).engine
    with LoopbackServer({"/a": page("<title>first</title>")}) as server:
        code = api.make_link(server.url("/a"))["code"]
        server.route("/a", page("<title>second</title>"))
        refreshed = api.post(f"/links/{code}/refresh")
        assert refreshed.status_code == 200 and refreshed.get_json()["title"] == "second"
        api.patch(f"/links/{code}", json={"title": "editor's title"})
        server.route("/a", page("<title>third</title>"))
        assert api.post(f"/links/{code}/refresh").get_json()["title"] == "editor's title"
    assert links.get(engine, code).meta_version >= 3  # cached cards invalidated each time
    # the server is gone: a failed refresh keeps the earlier fetched values
    assert api.post(f"/links/{code}/refresh").status_code == 200
    stored = links.get(engine, code)
    assert stored.fetch_error == "connect_error"
    assert api.patch(f"/links/{code}", json={"title": None}).get_json()["title"] == "third"
    assert api.post("/links/zzzzzzz/refresh").status_code == 404


def test_cli_refresh_link(api):
    runner = api.app.test_cli_runner()
    with LoopbackServer({"/a": page("<title>one</title>")}) as server:
        code = api.make_link(server.url("/a"))["code"]
        server.route("/a", page("<title>two</title>"))
        result = runner.invoke(args=["refresh-link", code])
    assert result.exit_code == 0 and "title: two" in result.output
    missing = runner.invoke(args=["refresh-link", "nosuchcode"])
    assert missing.exit_code != 0 and "No link" in missing.output


def test_public_share_answers_before_a_slow_page_is_fetched(app, client):
    """The widget's first click must not wait for the publisher's page."""
    import threading
    import time

    from share.links import service as links

    release = threading.Event()
    slow = page(ARTICLE)

    def handler(req):
        release.wait(5)
        slow(req)

    with LoopbackServer({"/slow": handler}) as server:
        app.config["ALLOWED_HOSTS"] = ["127.0.0.1"]
        started = time.monotonic()
        response = client.get(f"/api/v1/share?url={server.url('/slow')}")
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert response.get_json()["title"] is None
        assert elapsed < 2
        release.set()
        engine = services.of(app).engine
        code = response.get_json()["code"]
        deadline = time.monotonic() + 5
        while links.get(engine, code).title is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert links.get(engine, code).title == "文章标题"


def test_unclosed_xml_declaration_cannot_stall_the_parser():
    """Regression: "<?xml " + spaces sent lxml's str check into quadratic time."""
    import time

    started = time.monotonic()
    result = meta(b"<?xml " + b" " * 2_000_000)
    assert time.monotonic() - started < 2
    assert result.title is None


def test_background_fetches_are_bounded_and_run():
    """The share route's fetch queue never grows past its limit; queued jobs run."""
    import threading

    from share.metadata.background import BackgroundFetches

    release, done = threading.Event(), []
    fetches = BackgroundFetches(workers=1, limit=3)
    accepted = [
        fetches.submit(lambda: release.wait(5) and done.append(1), f"j{i}") for i in range(5)
    ]
    assert accepted == [True, True, True, False, False]
    release.set()
    fetches._pool.shutdown(wait=True)
    assert done == [1, 1, 1]
