""" "How WeChat will show this link": the chat card, its cuts, and the lint list.

Thumbnails are measured through the safe fetcher from a real HTTP server on
loopback (the only network tests reach); the dashboard route is read logged in.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from adminhelp import AdminClient
from conftest import close_app, make_app
from httpservers import LoopbackServer, page
from PIL import Image

from share import services
from share.fetch import FetchPolicy
from share.web.admin.strings import ZH
from share.wechat import preview as wechat
from share.wechat.preview import ImageCheck, cut, probe_image, units

LOOPBACK = FetchPolicy(allow_networks=("127.0.0.0/8",))


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_chinese_counts_twice_as_wide_as_latin():
    assert units("微信") == 2.0 and units("ab") == 1.0 and units("微a") == 1.5


def test_a_long_chinese_title_is_cut_where_two_lines_end():
    title = "国家统计局发布最新数据显示十一月份全国居民消费价格同比上涨百分之零点二"
    shown, was_cut = cut(title, wechat.TITLE_UNITS)
    assert was_cut and shown.endswith("…")
    assert units(shown) <= wechat.TITLE_UNITS
    assert title.startswith(shown[:-1])
    assert cut("短标题", wechat.TITLE_UNITS) == ("短标题", False)


def test_whitespace_runs_are_shown_as_one_space():
    assert cut("  a \n\t b  ", 10) == ("a b", False)


@pytest.fixture
def images():
    with LoopbackServer(
        {
            "/big.png": page(png(640, 360), "image/png"),
            "/small.png": page(png(200, 120), "image/png"),
            "/text.png": page("<html>not a picture</html>", "image/png"),
            "/gone.png": page("", status=404),
        }
    ) as server:
        yield server


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/big.png", ImageCheck("ok", 640, 360)),
        ("/small.png", ImageCheck("ok", 200, 120)),
        ("/text.png", ImageCheck("unreadable")),
        ("/gone.png", ImageCheck("unreachable")),
    ],
)
def test_the_thumbnail_is_measured_through_the_safe_fetcher(images, path, expected):
    assert probe_image(images.url(path), LOOPBACK) == expected


def test_a_private_address_is_never_fetched_by_the_probe(images):
    assert probe_image(images.url("/big.png"), FetchPolicy()) == ImageCheck("unreachable")
    assert images.connections == 0


def codes(card) -> list[str]:
    return [p.code for p in card["problems"]]


def test_a_complete_article_has_nothing_to_fix():
    card = wechat.preview(
        title="微信扫一扫",
        description="短摘要",
        image="https://news.example.com/a.png",
        image_check=ImageCheck("ok", 600, 600),
        fetch_error=None,
        signature_on=True,
        host_allowed=True,
    )
    assert codes(card) == []
    assert card["image"] == "https://news.example.com/a.png" and card["image_size"] == [600, 600]


def test_every_gap_is_named():
    card = wechat.preview(
        title=None,
        description="",
        image=None,
        image_check=ImageCheck("missing"),
        fetch_error="The server answered 404",
        signature_on=False,
        host_allowed=False,
    )
    assert codes(card) == [
        "page_unreachable",
        "host_not_allowed",
        "jssdk_not_configured",
        "no_image",
        "no_title",
        "no_summary",
    ]
    assert card["image"] is None


def test_a_small_image_and_long_texts_are_flagged_with_their_sizes():
    card = wechat.preview(
        title="标" * 40,
        description="摘" * 60,
        image="https://news.example.com/a.png",
        image_check=ImageCheck("ok", 640, 200),
        fetch_error=None,
        signature_on=True,
        host_allowed=True,
    )
    assert codes(card) == ["image_small", "title_long", "summary_long"]
    assert card["problems"][0].values == {"w": 640, "h": 200, "n": 300}
    assert card["title_cut"] and card["summary_cut"]


def test_every_problem_sentence_has_its_chinese():
    source = Path(wechat.__file__).read_text(encoding="utf-8")
    sentences = re.findall(r'Problem\(\s*"[a-z_]+",\s*((?:"[^"]*"\s*)+)', source)
    assert len(sentences) == 12  # every Problem(...) in the module
    for chunk in sentences:
        text = "".join(re.findall(r'"([^"]*)"', chunk))
        assert text in ZH, text


# -- the dashboard ------------------------------------------------------------------


@pytest.fixture
def admin_app(sqlite_url, tmp_path):
    app = make_app(
        sqlite_url,
        tmp_path,
        FETCH_ALLOW_NETWORKS=["127.0.0.0/8"],
        ALLOWED_HOSTS=["news.example.com"],
    )
    yield app
    close_app(app)


def test_the_json_twin_shows_the_card_and_what_to_fix(admin_app, images):
    from share.links import service as links
    from share.storage.engine import make_engine

    engine = make_engine(admin_app.config["DATABASE_URL"])
    with_image, _ = links.create(
        engine,
        "https://news.example.com/a/1",
        title="一篇有图的文章",
        description="摘要",
        image=images.url("/small.png"),
    )
    without, _ = links.create(
        engine, "https://news.example.com/a/2", title="没有图", description="摘要"
    )
    engine.dispose()
    admin = AdminClient(admin_app)
    admin.login()
    first = admin.get(f"/admin/a/{with_image.code}/wechat.json").get_json()
    assert first["title"] == "一篇有图的文章"
    assert first["image_size"] == [200, 120]
    assert [p["code"] for p in first["problems"]] == ["jssdk_not_configured", "image_small"]
    fetched = images.connections
    admin.get(f"/admin/a/{with_image.code}/wechat.json")
    assert images.connections == fetched  # measured once per link version
    second = admin.get(f"/admin/a/{without.code}/wechat.json").get_json()
    assert [p["code"] for p in second["problems"]] == ["jssdk_not_configured", "no_image"]
    assert second["image"] is None


def test_the_json_twin_needs_a_login(admin_app):
    response = admin_app.test_client().get(
        "/admin/a/abcdefg/wechat.json", headers={"Accept": "application/json"}
    )
    assert response.status_code in (302, 401)


def test_the_article_page_shows_the_card_and_the_lint(admin_app, images):
    from share.links import service as links

    engine = services.of(admin_app).engine
    with_image, _ = links.create(
        engine,
        "https://news.example.com/a/3",
        title="一篇有图的文章",
        description="摘要",
        image=images.url("/big.png"),
    )
    without, _ = links.create(engine, "https://news.example.com/a/4", title="没有图")
    admin = AdminClient(admin_app)
    admin.login()
    page = admin.get(f"/admin/a/{with_image.code}").get_data(as_text=True)
    assert 'id="wechat-preview"' in page and "一篇有图的文章" in page
    assert 'data-code="jssdk_not_configured"' in page
    assert 'data-code="image_small"' not in page and 'class="wx-thumb"' in page
    page = admin.get(f"/admin/a/{without.code}").get_data(as_text=True)
    assert 'data-code="no_image"' in page and 'data-code="no_summary"' in page
    assert "wx-generic" in page


def test_a_slow_image_host_never_holds_the_page(admin_app):
    from share.links import service as links

    release = threading.Event()

    def slow(req):
        release.wait(10)
        page(png(640, 640), "image/png")(req)

    with LoopbackServer({"/slow.png": slow}) as server:
        link, _ = links.create(
            services.of(admin_app).engine,
            "https://news.example.com/a/5",
            title="慢图",
            description="摘要",
            image=server.url("/slow.png"),
        )
        admin = AdminClient(admin_app)
        admin.login()
        first = admin.get(f"/admin/a/{link.code}").get_data(as_text=True)
        assert 'data-code="image_checking"' in first  # answered without the image
        release.set()
        body = admin.get(f"/admin/a/{link.code}/wechat.json").get_json()
        assert body["image_size"] == [640, 640]
        assert "image_checking" not in [p["code"] for p in body["problems"]]
