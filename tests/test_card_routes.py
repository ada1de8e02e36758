"""GET /card/<code>.png|.jpg|.webp: options, 404/400, ETag/304, file cache and invalidation,
and the thumbnail fetched lazily from a real loopback server."""

import io

import pytest
import zxingcpp
from httpservers import LoopbackServer, page
from PIL import Image

from share import services
from share.cards import LAYOUTS
from share.fetch import FetchPolicy


def png(colour, size=(400, 300)):
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def images():
    with LoopbackServer(
        {
            "/red.png": page(png((220, 20, 20)), content_type="image/png"),
            "/bomb.png": page(png_bomb(), content_type="image/png"),
        }
    ) as server:
        yield server


def png_bomb():
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


@pytest.fixture
def card_app(app):
    """The test app, its fetcher allowed onto loopback (where the image server runs)."""
    services.of(app).fetch_policy = FetchPolicy(allow_networks=("127.0.0.0/8",))
    return app


@pytest.fixture
def card_api(card_app, api):
    return api


def get_image(response):
    image = Image.open(io.BytesIO(response.data))
    image.load()
    return image


def thumb_colour(image, layout="poster"):
    box = LAYOUTS[layout].thumb
    crop = image.convert("RGB").crop((box.x, box.y, box.x + box.w, box.y + box.h))
    return crop.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))


def test_card_jpg_is_a_poster_whose_qr_opens_the_short_link_with_src_card(card_api):
    link = card_api.make_link(title="长按识别二维码测试标题", description="摘要")
    response = card_api.client.get(f"/card/{link['code']}.jpg")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    image = get_image(response)
    assert image.size == LAYOUTS["poster"].size
    texts = [r.text for r in zxingcpp.read_barcodes(image)]
    public = card_api.app.config["PUBLIC_URL"]
    assert texts == [f"{public}/s/{link['code']}?src=card"]


@pytest.mark.parametrize(("fmt", "mime"), [("png", "image/png"), ("webp", "image/webp")])
def test_wide_layout_in_other_formats(card_api, fmt, mime):
    code = card_api.make_link()["code"]
    response = card_api.client.get(f"/card/{code}.{fmt}?layout=wide&lang=en")
    assert response.status_code == 200 and response.mimetype == mime
    assert get_image(response).size == (1200, 630)


@pytest.mark.parametrize(
    ("query", "param"),
    [("layout=square", "layout"), ("lang=fr", "lang"), ("layout=", None)],
)
def test_bad_query_values_are_400_naming_the_parameter(card_api, query, param):
    code = card_api.make_link()["code"]
    response = card_api.client.get(f"/card/{code}.png?{query}")
    if param is None:  # empty means default
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert param in response.get_json()["error"]["message"]
    assert response.get_json()["error"]["code"] == f"invalid_{param}"


def test_unknown_code_is_404_and_unknown_format_is_404(card_api):
    assert card_api.client.get("/card/zzzzzzz.jpg").status_code == 404
    code = card_api.make_link()["code"]
    assert card_api.client.get(f"/card/{code}.gif").status_code == 404


def test_disabled_link_card_is_gone(card_api):
    code = card_api.make_link()["code"]
    card_api.patch(f"/links/{code}", json={"disabled": True})
    assert card_api.client.get(f"/card/{code}.jpg").status_code == 410


def test_etag_and_if_none_match_give_304(card_api):
    code = card_api.make_link()["code"]
    first = card_api.client.get(f"/card/{code}.jpg")
    tag = first.headers["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    again = card_api.client.get(f"/card/{code}.jpg", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    other = card_api.client.get(f"/card/{code}.jpg?layout=wide", headers={"If-None-Match": tag})
    assert other.status_code == 200


def test_cards_are_cached_as_files_and_invalidated_when_metadata_changes(card_api, card_app):
    from pathlib import Path

    code = card_api.make_link(title="第一版标题")["code"]
    cards_dir = Path(card_app.instance_path) / "cards"
    first = card_api.client.get(f"/card/{code}.png")
    files = sorted(p.name for p in cards_dir.iterdir())
    assert len(files) == 1
    assert card_api.client.get(f"/card/{code}.png").headers["ETag"] == first.headers["ETag"]
    card_api.patch(f"/links/{code}", json={"title": "第二版标题"})
    second = card_api.client.get(f"/card/{code}.png")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert sorted(p.name for p in cards_dir.iterdir()) != files
    assert len(list(cards_dir.iterdir())) == 1  # the stale version was swept


def test_thumbnail_is_fetched_once_on_first_render(card_api, images):
    code = card_api.make_link(image=images.url("/red.png"))["code"]
    assert len(images.requests) == 0  # lazily: nothing fetched until a card is asked for
    first = card_api.client.get(f"/card/{code}.png")
    r, g, b = thumb_colour(get_image(first))
    assert r > 180 and g < 60 and b < 60
    card_api.client.get(f"/card/{code}.png")
    assert [req["path"] for req in images.requests] == ["/red.png"]


def test_hostile_or_unreachable_thumbnail_gives_a_card_not_an_error(card_api, images):
    bomb = card_api.make_link(url="https://news.example.com/b", image=images.url("/bomb.png"))
    missing = card_api.make_link(url="https://news.example.com/c", image=images.url("/nope.png"))
    for link in (bomb, missing):
        response = card_api.client.get(f"/card/{link['code']}.jpg")
        assert response.status_code == 200
        assert get_image(response).size == LAYOUTS["poster"].size


@pytest.mark.parametrize(
    ("title", "lang"), [("扫码分享到微信的演示文章", "zh"), ("A demo article", "en")]
)
def test_unfetched_article_captions_follow_the_title_language(card_api, title, lang):
    """A link whose page could not be fetched has no lang; the caption follows its title."""
    link = card_api.make_link(title=title)
    assert link["lang"] is None
    default = card_api.client.get(f"/card/{link['code']}.png").data
    explicit = card_api.client.get(f"/card/{link['code']}.png?lang={lang}").data
    other = card_api.client.get(f"/card/{link['code']}.png?lang={'en' if lang == 'zh' else 'zh'}")
    assert default == explicit
    assert default != other.data
