"""The article's byline (publish time, author) read from real page markup, stored, kept out of
the link JSON, and printed on the card."""

import io
from datetime import UTC, datetime

import pytest
import zxingcpp
from conftest import close_app, make_app
from httpservers import LoopbackServer, page
from PIL import Image

from share import services
from share.metadata import extract
from share.metadata.byline import parse_time

URL = "https://news.example.com/2026/12/story.html"


def meta(html):
    return extract(html.encode("utf-8"), URL, "text/html; charset=utf-8")


def test_open_graph_time_and_meta_author():
    found = meta(
        '<head><meta property="article:published_time" content="2026-12-03T09:30:00+08:00">'
        '<meta name="author" content=" 张三 "><title>t</title></head>'
    )
    assert found.published_at == datetime(2026, 12, 3, 1, 30, tzinfo=UTC)
    assert found.author == "张三"


def test_article_author_is_used_only_when_it_is_a_name():
    url_author = meta('<meta property="article:author" content="https://facebook.com/jane">')
    assert url_author.author is None
    assert meta('<meta property="article:author" content="Jane Doe">').author == "Jane Doe"


def test_json_ld_graph_with_author_objects():
    html = """<script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "Example"},
      {"@type": "NewsArticle", "datePublished": "2026-11-30T23:10:00Z",
       "author": [{"@type": "Person", "name": "李四"}, {"@type": "Person", "name": "王五"}]}
    ]}</script>"""
    found = meta(html)
    assert found.published_at == datetime(2026, 11, 30, 23, 10, tzinfo=UTC)
    assert found.author == "李四、王五"


def test_json_ld_list_string_author_and_broken_json_is_skipped():
    html = """<script type="application/ld+json">{not json</script>
    <script type="application/ld+json; charset=utf-8">[{"@type": "Article",
      "datePublished": "2026-12-01", "author": "Jane Doe"}]</script>"""
    found = meta(html)
    assert found.author == "Jane Doe"
    assert found.published_at == datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_meta_tags_win_over_json_ld():
    html = """<meta property="article:published_time" content="2026-12-02T08:00:00Z">
    <meta name="author" content="Meta Name"><script type="application/ld+json">
    {"datePublished": "2020-01-01T00:00:00Z", "author": {"name": "LD Name"}}</script>"""
    found = meta(html)
    assert found.published_at.day == 2 and found.author == "Meta Name"


def test_pages_without_a_byline_have_none():
    found = meta("<title>plain</title><p>text</p>")
    assert found.published_at is None and found.author is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-03T09:30:00+08:00", datetime(2026, 12, 3, 1, 30, tzinfo=UTC)),
        ("2026-12-03T09:30:00.123Z", datetime(2026, 12, 3, 9, 30, 0, 123000, tzinfo=UTC)),
        ("2026-12-03 22:15:00", datetime(2026, 12, 3, 12, tzinfo=UTC)),  # no offset: the day
        ("2026-12-03", datetime(2026, 12, 3, 12, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", None),  # a template's zero date
        ("yesterday", None),
        ("", None),
        (None, None),
        (1733200000, None),
    ],
)
def test_parse_time(raw, expected):
    assert parse_time(raw) == expected


def test_a_long_author_is_capped():
    assert len(meta(f'<meta name="author" content="{"长" * 500}">').author) <= 100


ARTICLE = """<html lang="zh-CN"><head><meta property="og:title" content="文章标题">
<meta property="og:site_name" content="示例新闻">
<meta property="article:published_time" content="2026-12-03T17:30:00Z">
<meta name="author" content="张三"></head><body></body></html>"""


@pytest.fixture
def app(sqlite_url, tmp_path):
    """Fetches on registration and may reach loopback; display zone Asia/Shanghai."""
    app = make_app(
        sqlite_url,
        tmp_path,
        FETCH_ON_CREATE=True,
        FETCH_ALLOW_NETWORKS="127.0.0.0/8",
        FETCH_TIMEOUT=3,
        TIMEZONE="Asia/Shanghai",
    )
    yield app
    close_app(app)


def test_byline_is_stored_printed_on_the_card_and_not_in_the_link_json(api):
    from share.cards import CardOptions, forlink
    from share.links import service as links

    with LoopbackServer({"/a": page(ARTICLE)}) as server:
        created = api.make_link(server.url("/a"))
    assert "author" not in created and "published_at" not in created
    engine = services.of(api.app).engine
    stored = links.get(engine, created["code"])
    assert stored.author == "张三"
    assert stored.published_at == datetime(2026, 12, 3, 17, 30)  # naive UTC
    planned = forlink.plan(stored, CardOptions(), "http://share.test", api.app.config["TIMEZONE"])
    assert planned.published.isoformat() == "2026-12-04"  # 01:30 the next day in Shanghai
    response = api.client.get(f"/card/{created['code']}.png")
    assert response.status_code == 200
    image = Image.open(io.BytesIO(response.data))
    texts = [r.text for r in zxingcpp.read_barcodes(image)]
    assert texts == [f"http://share.test/s/{created['code']}?src=card"]
    fetched = api.get(f"/links/{created['code']}").get_json()
    assert "author" not in fetched and "published_at" not in fetched
