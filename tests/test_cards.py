"""Share cards: sizes per layout/format/language, typography edge cases, QR decoding, thumbnails."""

import io

import pytest
import zxingcpp
from PIL import Image

from share.cards import FORMATS, LAYOUTS, CardContent, CardOptions, fonts, render_card
from share.options import OptionError

QR_TEXT = "https://share.example-news.com.cn/s/Ab3dE9x?src=card"
PILLOW_FORMAT = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


def make_content(**overrides):
    fields = {
        "site_name": "人民日报",
        "title": "国务院新闻办公室今天举行新闻发布会，介绍《2024年政府工作报告》落实情况",
        "description": "发布会上，有关负责人表示，今年以来经济运行总体平稳、稳中有进。",
        "thumbnail": photo_jpeg(),
        "lang": "zh",
        "qr_text": QR_TEXT,
        "host": "www.people.com.cn",
        "short_url": "share.example-news.com.cn/s/Ab3dE9x",
    }
    fields.update(overrides)
    return CardContent(**fields)


def encode(image, fmt, **params):
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def photo_jpeg(size=(1600, 1000)):
    return encode(Image.effect_mandelbrot(size, (-2, -1.2, 1, 1.2), 60).convert("RGB"), "JPEG")


def render(content, layout="poster", fmt="png", lang=None):
    buf = io.BytesIO()
    render_card(content, CardOptions(layout=layout, fmt=fmt, lang=lang), buf)
    buf.seek(0)
    image = Image.open(buf)
    image.load()
    return image


def region(image, box):
    return image.convert("RGB").crop((box.x, box.y, box.x + box.w, box.y + box.h))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_format_and_language_opens_at_its_size(layout, fmt, lang):
    image = render(make_content(), layout, fmt, lang)
    assert image.format == PILLOW_FORMAT[fmt]
    assert image.size == LAYOUTS[layout].size
    assert image.mode == "RGB"


def test_poster_is_portrait_and_wide_is_the_open_graph_size():
    assert LAYOUTS["wide"].size == (1200, 630)
    width, height = LAYOUTS["poster"].size
    assert width == 1080 and height > width


def test_render_writes_to_a_path(tmp_path):
    path = tmp_path / "card.jpg"
    render_card(make_content(), CardOptions(fmt="jpg"), str(path))
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == LAYOUTS["poster"].size


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize(
    "title",
    [
        pytest.param("中" * 200, id="200-cjk-chars"),
        pytest.param("Supercalifragilistic" * 8, id="latin-without-spaces"),
        pytest.param("🚀🔥 发布了！ 👨‍👩‍👧 family ❤️ 微信 😀", id="emoji-and-mixed"),
        pytest.param("   ", id="blank"),
        pytest.param("\x00\x07控制字符\u200b\ufeff", id="control-and-zero-width"),
    ],
)
def test_awkward_titles_render(layout, title):
    image = render(make_content(title=title, description=title), layout)
    assert image.size == LAYOUTS[layout].size


def test_emoji_are_dropped_not_drawn_as_tofu():
    with_emoji = render(make_content(title="发布了🚀！ 👍🏽 微信", description=None))
    without = render(make_content(title="发布了！ 微信", description=None))
    assert with_emoji.tobytes() == without.tobytes()


def test_common_cjk_and_punctuation_have_glyphs():
    text = (
        "国务院新闻办公室今天举行发布会，。、！？：；（）「」《》“”…—"
        "长按识别二维码繁體字ひらがなカタカナ한국어"
    )
    assert [ch for ch in text if not fonts.has_glyph(ch)] == []
    assert not fonts.has_glyph("🚀") and not fonts.has_glyph("\ufe0f")


def test_drawable_strips_emoji_and_folds_spaces():
    assert fonts.drawable("🚀 发布了！\n\n👍🏽 WeChat\t 微信 ❤️") == "发布了！ WeChat 微信"


def decode(image):
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_qr_decodes_at_full_half_and_quarter_size_and_after_jpeg_75(layout, lang):
    card = render(make_content(), layout, "png", lang).convert("RGB")
    assert decode(card) == [QR_TEXT], "full size"
    for factor in (2, 4):
        small = card.resize((card.width // factor, card.height // factor), Image.Resampling.LANCZOS)
        assert decode(small) == [QR_TEXT], f"1/{factor} size"
    jpeg = Image.open(io.BytesIO(encode(card, "JPEG", quality=75)))
    assert decode(jpeg) == [QR_TEXT], "JPEG q75"


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_qr_decodes_on_the_default_jpeg_output(layout):
    assert decode(render(make_content(), layout, "jpg")) == [QR_TEXT]


BOMB = encode(Image.new("1", (10_000, 10_000)), "PNG", optimize=True)
HOSTILE = {
    "bomb": BOMB,
    "corrupt": photo_jpeg()[:3000],
    "bmp": encode(Image.new("RGB", (50, 50), "red"), "BMP"),
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>',
    "random": bytes(range(256)) * 10,
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_thumbnails_render_the_placeholder(layout, name):
    box = LAYOUTS[layout].thumb
    hostile = render(make_content(thumbnail=HOSTILE[name]), layout)
    placeholder = render(make_content(thumbnail=None), layout)
    assert region(hostile, box).tobytes() == region(placeholder, box).tobytes()


def test_placeholder_is_designed_not_a_flat_grey_box():
    box = LAYOUTS["poster"].thumb
    thumb = region(render(make_content(thumbnail=None)), box)
    colours = thumb.getcolors(maxcolors=1_000_000)
    assert len(colours) > 50  # a gradient and lettering, not one fill
    r, g, b = thumb.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert max(r, g, b) - min(r, g, b) > 40  # coloured, not grey


def test_placeholder_colour_is_stable_per_site_and_differs_between_sites():
    box = LAYOUTS["wide"].thumb
    first = region(render(make_content(thumbnail=None), "wide"), box).getpixel((5, 5))
    again = region(render(make_content(thumbnail=None), "wide"), box).getpixel((5, 5))
    other = make_content(thumbnail=None, host="bbc.co.uk", site_name="BBC")
    assert first == again
    assert region(render(other, "wide"), box).getpixel((5, 5)) != first


def mean_colour(image):
    return image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))


def test_cmyk_jpeg_thumbnail_is_shown_in_its_colour():
    cmyk = encode(Image.new("CMYK", (300, 200), (0, 255, 255, 0)), "JPEG")
    r, g, b = mean_colour(region(render(make_content(thumbnail=cmyk)), LAYOUTS["poster"].thumb))
    assert r > 200 and g < 60 and b < 60


def test_palette_png_with_transparency_is_shown_on_white():
    image = Image.new("P", (300, 200), 0)
    image.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    image.paste(1, (100, 0, 200, 200))
    data = encode(image, "PNG", transparency=0)
    thumb = region(render(make_content(thumbnail=data)), LAYOUTS["poster"].thumb)
    assert thumb.getpixel((20, 300)) == (255, 255, 255)
    assert thumb.getpixel((540, 300))[2] > 200


def test_exif_rotated_jpeg_is_shown_upright():
    image = Image.new("RGB", (400, 300), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 200, 300))  # stored: red left; viewed: red on top
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(image, "JPEG", exif=exif, quality=95)
    thumb = region(render(make_content(thumbnail=data)), LAYOUTS["poster"].thumb)
    assert thumb.getpixel((540, 20))[0] > 200
    assert thumb.getpixel((540, 580))[2] > 200


def test_captions_follow_the_language():
    box = LAYOUTS["poster"].caption
    zh = region(render(make_content(), lang="zh"), box)
    en = region(render(make_content(), lang="en"), box)
    article_default = region(render(make_content(lang="en")), box)
    assert zh.tobytes() != en.tobytes()
    assert article_default.tobytes() == en.tobytes()


def test_options_from_query_defaults_and_values():
    assert CardOptions.from_query({}, "jpg") == CardOptions("poster", "jpg", None)
    assert CardOptions.from_query({"layout": "wide", "lang": "en"}, "png") == CardOptions(
        "wide", "png", "en"
    )


@pytest.mark.parametrize(
    ("args", "fmt", "param"),
    [
        ({"layout": "square"}, "png", "layout"),
        ({"lang": "fr"}, "png", "lang"),
        ({}, "gif", "format"),
    ],
)
def test_bad_options_name_the_parameter(args, fmt, param):
    with pytest.raises(OptionError) as info:
        CardOptions.from_query(args, fmt)
    assert info.value.param == param


def test_article_language_with_region_picks_its_caption():
    assert CardOptions().language("zh-CN") == "zh"
    assert CardOptions(lang="en").language("zh-CN") == "en"
    assert CardOptions().language("fr") == "en"
    assert CardOptions().language(None) == "en"


def test_card_store_etag_follows_a_file_rewritten_by_another_worker(tmp_path):
    from share.cards.store import CardStore, etag

    mine, other = CardStore(tmp_path), CardStore(tmp_path)
    name = CardStore.name(7, 1, "1", "poster", "zh", QR_TEXT, "jpg")
    assert mine.etag(name) is None
    assert mine.put(name, b"first render") == etag(b"first render")
    other.put(name, b"a different render")
    assert mine.etag(name) == etag(b"a different render")
    assert mine.get(name) == (b"a different render", etag(b"a different render"))


def test_card_store_sweeps_only_the_same_links_older_versions(tmp_path):
    from share.cards.store import CardStore

    store = CardStore(tmp_path)
    old = CardStore.name(7, 1, "1", "poster", "zh", QR_TEXT, "jpg")
    other_link = CardStore.name(70, 1, "1", "poster", "zh", QR_TEXT, "jpg")
    store.put(old, b"v1")
    store.put(other_link, b"v1 of link 70")
    new = CardStore.name(7, 2, "1", "wide", "en", QR_TEXT, "png")
    store.put(new, b"v2")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([new, other_link])
