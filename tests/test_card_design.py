"""Cards an editor is proud of: real Bold titles, no empty band, byline, short URL, wordmark."""

import logging
from datetime import date, datetime

import pytest
from PIL import Image, ImageDraw, ImageFont
from test_cards import QR_TEXT, decode, make_content, region
from test_cards import render as render_image

from share.cards import LAYOUTS, fonts, render
from share.cards.forlink import plan, printed_url
from share.cards.layouts import INK
from share.cards.render import date_label, plan_stack
from share.links.service import Link

needs_bold = pytest.mark.skipif(
    not fonts.BOLD_PATH.is_file(),
    reason=f"{fonts.BOLD_PATH} absent: install Debian fonts-noto-cjk (.ci/run does)",
)
BYLINE = {"published": date(2026, 12, 3), "author": "张三"}
ONE_LINE_SUMMARY = "会议总结2026年经济工作。"
SHORT_TITLE = "习近平在中央经济工作会议上发表重要讲话"


def ink_rows(image, x0, x1, y0, y1):
    """Rows in [y0, y1) with any pixel clearly darker than the white background, x0 to x1."""
    px = image.convert("L").crop((x0, y0, x1, y1))
    return [
        y0 + y for y in range(px.height) if px.crop((0, y, px.width, y + 1)).getextrema()[0] < 215
    ]


@needs_bold
def test_the_title_is_set_in_the_bold_face_file():
    layout = LAYOUTS["poster"]
    content = make_content(title="短标题测试", description=None, **BYLINE)
    stack = plan_stack(content, layout, "zh", with_site=True)
    font = fonts.face(stack.title_style.size, "zh", stack.title_style.bold)
    assert font.path == str(fonts.BOLD_PATH)
    assert font.getname() == ("Noto Sans CJK SC", "Bold")
    card = render_image(content)
    # the stack ends at the column's foot; the title follows the meta row
    top = layout.text.y + layout.text.h - stack.height + layout.site.h + layout.meta_gap
    box = (layout.text.x, top, layout.text.x + layout.text.w, top + layout.title.line_height)
    drawn = card.convert("RGB").crop(box)

    def reference(path):
        ref = Image.new("RGB", drawn.size, (255, 255, 255))
        face = ImageFont.truetype(str(path), layout.title.size, index=fonts.FACES["zh"])
        ImageDraw.Draw(ref).text(
            (0, layout.title.line_height / 2), "短标题测试", font=face, anchor="lm", fill=INK
        )
        return ref

    assert drawn.tobytes() == reference(fonts.BOLD_PATH).tobytes()
    assert drawn.tobytes() != reference(fonts.font_path()).tobytes()


def test_without_the_bold_package_titles_fall_back_to_regular_with_a_log_line(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.setattr(fonts, "BOLD_PATH", tmp_path / "absent.ttc")
    fonts.bold_path.cache_clear()
    fonts.bold_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="share.cards"):
            face = fonts.bold_font(40, "zh")
            image = render_image(make_content())
        assert face.getname() == ("Noto Sans CJK SC", "Regular")
        assert "fonts-noto-cjk" in caplog.text
        assert decode(image) == [QR_TEXT]
    finally:
        fonts.bold_path.cache_clear()
        fonts.bold_font.cache_clear()


def test_a_one_line_summary_leaves_no_empty_band_above_the_divider():
    layout = LAYOUTS["poster"]
    card = render_image(make_content(title=SHORT_TITLE, description=ONE_LINE_SUMMARY, **BYLINE))
    column = layout.text
    rows = ink_rows(card, column.x, column.x + column.w, column.y, layout.divider_y - 2)
    band = layout.divider_y - 2 - rows[-1]
    assert band <= 60, f"{band} px of background between the summary and the divider"
    # the room went to the header image, which now reaches further down
    assert card.getpixel((540, layout.thumb.h + 60)) != (255, 255, 255)


def test_a_one_line_summary_on_the_wide_card_is_centred_in_a_larger_title():
    layout = LAYOUTS["wide"]
    content = make_content(title=SHORT_TITLE, description=ONE_LINE_SUMMARY, **BYLINE)
    stack = plan_stack(content, layout, "zh", with_site=True)
    assert stack.title_style.size > layout.title.size  # the short title is set larger
    card = render_image(content, "wide")
    column = layout.text
    rows = ink_rows(card, column.x, column.x + column.w, 0, layout.size[1])
    above, below = rows[0], layout.size[1] - 1 - rows[-1]
    assert abs(above - below) <= 24, (above, below)
    assert below <= 130, f"{below} px of background under the summary"


def test_long_text_still_fits_and_is_cut_with_an_ellipsis():
    for name, layout in LAYOUTS.items():
        content = make_content(title="中" * 200, description="文" * 400, **BYLINE)
        stack = plan_stack(content, layout, "zh", with_site=True)
        assert stack.height <= layout.text.h, name
        assert stack.title[-1].endswith("…") and stack.summary[-1].endswith("…")


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_host_is_not_in_the_caption_and_the_short_url_is_under_the_qr(layout):
    box, url_box = LAYOUTS[layout].caption, LAYOUTS[layout].url
    one = render_image(make_content(host="www.people.com.cn"), layout)
    other = render_image(make_content(host="example.org"), layout)
    assert region(one, box).tobytes() == region(other, box).tobytes()
    no_url = render_image(make_content(short_url=""), layout)
    with_url = render_image(make_content(short_url="share.example.com/s/Ab3dE9x"), layout)
    assert (
        ink_rows(no_url, url_box.x, url_box.x + url_box.w, url_box.y, url_box.y + url_box.h) == []
    )
    assert ink_rows(with_url, url_box.x, url_box.x + url_box.w, url_box.y, url_box.y + url_box.h)
    qr = LAYOUTS[layout].qr
    assert url_box.y >= qr.y + qr.h - 8  # under the QR, clear of its quiet zone
    assert decode(with_url) == [QR_TEXT]


def test_without_an_image_the_site_name_is_printed_once_as_a_wordmark():
    layout = LAYOUTS["poster"]
    header = layout.thumb
    a = render_image(make_content(thumbnail=None, site_name="人民日报"))
    b = render_image(make_content(thumbnail=None, site_name="新华社"))
    # the header differs (the wordmark), everything below it is identical
    assert region(a, header).tobytes() != region(b, header).tobytes()
    below = (0, header.h + 1, layout.size[0], layout.size[1])
    assert a.crop(below).tobytes() == b.crop(below).tobytes()
    # the wordmark is set large: its white letters span far more than a lone initial
    crop = region(a, header).convert("L")
    white_cols = [
        x for x in range(crop.width) if crop.crop((x, 0, x + 1, crop.height)).getextrema()[1] > 240
    ]
    assert white_cols and white_cols[-1] - white_cols[0] > header.w * 0.3


def test_with_an_image_the_meta_row_carries_site_date_and_author():
    plain = make_content(description=None)
    assert render.meta_text(plain, "zh", with_site=True) == "人民日报"
    dated = make_content(description=None, **BYLINE)
    assert render.meta_text(dated, "zh", with_site=True) == "人民日报 · 2026年12月3日 · 张三"
    assert render.meta_text(dated, "zh", with_site=False) == "2026年12月3日 · 张三"
    assert render.meta_text(plain, "zh", with_site=False) == ""
    assert render_image(plain).tobytes() != render_image(dated).tobytes()


def test_date_labels():
    assert date_label(date(2026, 1, 9), "zh") == "2026年1月9日"
    assert date_label(date(2026, 1, 9), "en") == "9 Jan 2026"


def link(**fields):
    values = {
        "id": 7,
        "code": "Ab3dE9x",
        "url": "https://www.people.com.cn/a/1.html",
        "title": SHORT_TITLE,
        "description": None,
        "image": None,
        "site_name": "人民日报",
        "lang": "zh",
        "fetch_error": None,
        "meta_version": 1,
        "disabled": False,
        "created_at": datetime(2026, 12, 1),
    }
    values.update(fields)
    return Link(**values)


def test_the_printed_date_is_the_day_in_the_display_zone_and_keys_the_cache():
    from share import clock
    from share.cards import CardOptions

    late = link(published_at=datetime(2026, 12, 3, 17, 30), author="张三")
    public = "https://share.example.com"
    shanghai = plan(late, CardOptions(), public, clock.zone("Asia/Shanghai"))
    utc = plan(late, CardOptions(), public, clock.zone("UTC"))
    assert shanghai.published == date(2026, 12, 4) and utc.published == date(2026, 12, 3)
    assert shanghai.name != utc.name
    assert shanghai.short_url == "share.example.com/s/Ab3dE9x"
    assert plan(link(), CardOptions(), public).published is None


def test_printed_url_drops_the_scheme():
    assert printed_url("https://s.example.com/s/Ab3") == "s.example.com/s/Ab3"
    assert printed_url("http://localhost:5000/s/x") == "localhost:5000/s/x"


@pytest.mark.parametrize(
    ("w", "h", "height"), [(1200, 675, 680), (1200, 675, 742), (800, 800, 900)]
)
def test_cover_fills_a_grown_header_whatever_the_rounding(w, h, height):
    # these sizes once made the crop box start a hair above the image (a float rounding)
    out = render.cover(Image.new("RGB", (w, h), (200, 30, 30)), (1080, height))
    assert out.size == (1080, height) and out.getpixel((0, 0)) == (200, 30, 30)


def test_every_poster_header_height_renders_with_a_real_photo():
    for n in (1, 4, 9, 16, 25, 40):
        content = make_content(title="标题" * n, description=("摘要" * n) if n % 2 else None)
        image = render_image(content)
        assert image.size == LAYOUTS["poster"].size
