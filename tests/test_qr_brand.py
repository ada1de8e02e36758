"""Logo and framed QR codes: every variant read by two decoders, the pad's geometry, fallbacks.

Decoders are real (zxing-cpp and zbar); SVGs are drawn by a real renderer
(cairosvg) before decoding. Nothing about decoding is mocked: the fallback
is provoked by a logo that honestly breaks the code (a QR code of another
address as the logo) or a pad larger than the rules allow.
"""

from __future__ import annotations

import io
import logging
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageDraw

from share import services
from share.config import SettingError
from share.qr import brand, compose
from share.qr import code as qr
from share.qr import logo as site_logo
from tests.conftest import PUBLIC, close_app, make_app
from tests.qrdecode import decode_image, decode_zbar, svg_raster

TEXT = f"{PUBLIC}/s/Ab3dEf7?src=qr"
DISPLAY = "share.test/s/Ab3dEf7"
RED, BLUE = (200, 30, 30), (20, 20, 160)


def logo_png(colour=RED, size=(200, 120)) -> bytes:
    """A two-colour logo: ``colour`` with a blue bar, so its pixels are easy to find."""
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle((20, 20, size[0] - 20, size[1] - 20), fill=BLUE)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def qr_logo_png() -> bytes:
    """A logo that is itself a QR code of another address: a code drawn with it must not pass."""
    buf = io.BytesIO()
    qr.qr_image("https://other.example/", "L", box=8, margin=1).save(buf, "PNG")
    return buf.getvalue()


def raster(body: bytes, kind: str) -> Image.Image:
    return Image.open(io.BytesIO(body)).convert("RGB") if kind == "png" else svg_raster(body)


def both_decoders(image: Image.Image) -> tuple[list[str], list[str]]:
    return decode_image(image), decode_zbar(image)


LOOKS = {
    "logo": brand.BrandOptions(logo=True),
    "frame": brand.BrandOptions(frame="caption"),
    "logo+frame": brand.BrandOptions(logo=True, frame="caption"),
    "logo+frame+caption": brand.BrandOptions(
        logo=True, frame="caption", caption="扫码阅读《城市更新计划》全文，了解更多细节与后续报道"
    ),
}


@pytest.mark.parametrize("size", [120, 300, 640, 1024, 2048])
@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("kind", ["png", "svg"])
@pytest.mark.parametrize("look", list(LOOKS))
def test_every_variant_decodes_with_zxing_and_zbar(look, kind, ec, size):
    logo = site_logo.check(logo_png())
    result = brand.render(
        TEXT, qr.QrOptions(size=size, ec=ec), LOOKS[look], "zh", logo, DISPLAY, kind
    )
    assert result.fallback is None  # the variant itself was served, not a plainer one
    image = raster(result.body, kind)
    assert image.width == size
    assert both_decoders(image) == ([TEXT], [TEXT])
    if LOOKS[look].logo:  # the logo really is in it
        assert RED in {c for _, c in image.getcolors(1 << 20)}


def _plan(size=300, margin=4, text=TEXT, caption=None):
    matrix = qr.make_matrix(text, "H", margin)
    image = site_logo.check(logo_png())
    return compose.plan(
        matrix,
        margin,
        size,
        (0, 0, 0),
        (255, 255, 255),
        logo=image,
        caption=caption,
        url_text=DISPLAY,
    )


def _centre(p: compose.Plan, row: int, col: int) -> tuple[int, int]:
    return (p.origin[0] + col * p.box + p.box // 2, p.origin[1] + row * p.box + p.box // 2)


@pytest.mark.parametrize("size", [120, 300, 1024])
@pytest.mark.parametrize("caption", [None, "Scan to read"])
@pytest.mark.parametrize("src", ["qr", "flyer-2026"])  # versions 4 and 5
def test_logo_pad_is_whole_modules_within_20_percent_and_every_function_pattern_is_intact(
    size, caption, src
):
    text = f"{PUBLIC}/s/Ab3dEf7?src={src}"
    margin = 4
    p = _plan(size, margin, text, caption)
    image = compose.draw_png(p)
    n = len(p.matrix)
    symbol = n - 2 * margin
    x, y, side = p.pad
    assert (x - p.origin[0]) % p.box == 0 and (y - p.origin[1]) % p.box == 0
    assert side % p.box == 0
    pad_modules = side // p.box
    assert pad_modules**2 <= 0.20 * symbol**2
    centre = p.origin[0] + n * p.box / 2
    assert x + side / 2 == centre  # centred
    taken = compose.function_modules(symbol)
    assert {(r, c) for r in range(7) for c in range(7)} <= taken  # finder counted
    for r in range(n):
        for c in range(n):
            inside = margin <= r < n - margin and margin <= c < n - margin
            if inside and (r - margin, c - margin) not in taken:
                continue
            # finder, separator, timing, alignment, format modules and the quiet zone
            want = (0, 0, 0) if p.matrix[r][c] else (255, 255, 255)
            assert image.getpixel(_centre(p, r, c)) == want, (r, c)


def test_the_three_finder_patterns_keep_their_pixels_in_a_served_logo_png(client, api):
    code = api.make_link("https://news.example.com/finder")["code"]
    site_logo.upload(services.of(client.application).engine, logo_png())
    served = Image.open(io.BytesIO(client.get(f"/qr/{code}.png?logo=1&size=330").data))
    served = served.convert("RGB")
    plain = Image.open(io.BytesIO(client.get(f"/qr/{code}.png?ec=H&size=330").data))
    plain = plain.convert("RGB")
    n = len(qr.make_matrix(f"{PUBLIC}/s/{code}?src=qr", "H", 4))
    box, off = 330 // n, (330 - (330 // n) * n) // 2
    corners = [(0, 0), (0, n - 12), (n - 12, 0)]  # 4 quiet + 8 finder/separator modules
    for r0, c0 in corners:
        area = (off + c0 * box, off + r0 * box, off + (c0 + 12) * box, off + (r0 + 12) * box)
        assert served.crop(area).tobytes() == plain.crop(area).tobytes()
    assert RED in {c for _, c in served.getcolors(1 << 20)}


def test_svg_has_the_geometry_of_the_decoded_png():
    look = LOOKS["logo+frame"]
    logo = site_logo.check(logo_png())
    opts = qr.QrOptions(size=400)
    png = raster(brand.render(TEXT, opts, look, "en", logo, DISPLAY, "png").body, "png")
    svg = raster(brand.render(TEXT, opts, look, "en", logo, DISPLAY, "svg").body, "svg")
    assert png.size == svg.size
    p = _plan(400, 4, TEXT, "Scan to read")
    for r in range(len(p.matrix)):
        for c in range(len(p.matrix)):
            xy = _centre(p, r, c)
            assert png.getpixel(xy) == svg.getpixel(xy), (r, c)


def test_svg_text_is_escaped_text_elements_with_a_font_stack():
    caption = '<script>alert("x")</script> & 扫码'
    look = brand.BrandOptions(frame="caption", caption=caption)
    body = brand.render(TEXT, qr.QrOptions(), look, "zh", None, DISPLAY, "svg").body
    root = ET.fromstring(body)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert not list(root.iter(f"{ns}script"))
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts[-1] == DISPLAY
    assert len(texts) == 3  # two caption lines (broken at the space) and the URL
    assert " ".join(texts[:-1]) == caption
    assert "Noto Sans CJK SC" in root.find(f"{ns}text").get("font-family")


def test_default_caption_follows_lang_and_long_cjk_caption_breaks_into_two_lines():
    zh = _plan(300, 4, TEXT, brand.CAPTIONS["zh"])
    assert [line.text for line in zh.lines] == ["扫码阅读全文", DISPLAY]
    long = "扫码阅读《城市更新计划》全文，了解更多细节与后续报道以及其他相关内容和专家的解读"
    assert len(long) == 40
    p = _plan(300, 4, TEXT, long)
    caption_lines = [line.text for line in p.lines[:-1]]
    assert len(caption_lines) == 2
    assert not caption_lines[1].startswith(("，", "》", "。"))  # the card's line breaker
    assert not caption_lines[0].endswith("《")


@pytest.fixture
def code(api):
    return api.make_link("https://news.example.com/2026/12/城市", title="城市更新计划")["code"]


@pytest.fixture
def logo(app):
    return site_logo.upload(services.of(app).engine, logo_png())


def test_the_default_caption_is_in_the_links_language_unless_lang_says(client, code, api):
    zh = client.get(f"/qr/{code}.svg?frame=caption").data.decode()
    assert ">扫码阅读全文</text>" in zh and "share.test/s/" + code + "</text>" in zh
    assert ">Scan to read</text>" in client.get(f"/qr/{code}.svg?frame=caption&lang=en").text
    english = api.make_link("https://news.example.com/en", title="City renewal plan")["code"]
    assert ">Scan to read</text>" in client.get(f"/qr/{english}.svg?frame=caption").text


@pytest.mark.parametrize("query", ["logo=1", "frame=caption", "logo=1&frame=caption&lang=en"])
@pytest.mark.parametrize("kind", ["png", "svg"])
def test_routes_serve_decodable_branded_codes(client, code, logo, query, kind):
    response = client.get(f"/qr/{code}.{kind}?{query}&size=360")
    assert response.status_code == 200
    assert "X-QR-Fallback" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=600"
    image = raster(response.data, kind)
    want = f"{PUBLIC}/s/{code}?src=qr"
    assert both_decoders(image) == ([want], [want])


def test_logo_without_a_site_logo_is_the_code_without_one_and_says_so(client, code):
    response = client.get(f"/qr/{code}.png?logo=1")
    assert response.status_code == 200
    assert response.headers["X-QR-Fallback"] == "no-logo"
    assert decode_image(raster(response.data, "png")) == [f"{PUBLIC}/s/{code}?src=qr"]


def test_a_logo_that_breaks_decoding_falls_back_to_the_plain_code_logged(app, client, code, caplog):
    site_logo.upload(services.of(app).engine, qr_logo_png())
    with caplog.at_level(logging.WARNING, logger="share.qr.brand"):
        first = client.get(f"/qr/{code}.png?logo=1")
    assert first.headers["X-QR-Fallback"] == "logo-unreadable"
    assert any("logo-unreadable" in r.getMessage() for r in caplog.records)
    want = f"{PUBLIC}/s/{code}?src=qr"
    assert both_decoders(raster(first.data, "png")) == ([want], [want])
    plain = client.get(f"/qr/{code}.png").data
    assert first.data == plain  # the plain code at the asked ec
    cached = client.get(f"/qr/{code}.png?logo=1")  # from the cache: still says so
    assert cached.headers["X-QR-Fallback"] == "logo-unreadable" and cached.data == plain


def test_with_a_frame_a_broken_logo_falls_back_to_the_frame_alone(app, client, code):
    site_logo.upload(services.of(app).engine, qr_logo_png())
    response = client.get(f"/qr/{code}.svg?logo=1&frame=caption")
    assert response.headers["X-QR-Fallback"] == "logo-unreadable"
    assert b"<text" in response.data and b"<image" not in response.data
    assert decode_image(raster(response.data, "svg")) == [f"{PUBLIC}/s/{code}?src=qr"]


def test_a_pad_larger_than_the_rules_fails_its_own_decode_check():
    logo = site_logo.check(logo_png((0, 0, 0)))
    opts = qr.QrOptions()
    ok = brand.render(TEXT, opts, LOOKS["logo"], "zh", logo, DISPLAY, "png")
    too_big = brand.render(TEXT, opts, LOOKS["logo"], "zh", logo, DISPLAY, "png", pad_area=0.45)
    assert ok.fallback is None
    assert too_big.fallback == "logo-unreadable"
    assert decode_image(raster(too_big.body, "png")) == [TEXT]


def test_a_long_short_url_has_no_room_for_a_logo(client, code, logo):
    src = "spring-flyer-2026-campaign-x"  # version 7: an alignment pattern at the centre
    response = client.get(f"/qr/{code}.png?logo=1&src={src}")
    assert response.headers["X-QR-Fallback"] == "logo-no-room"
    assert decode_image(raster(response.data, "png")) == [f"{PUBLIC}/s/{code}?src={src}"]


def test_a_new_logo_changes_the_etag_and_never_serves_the_cached_old_one(app, client, code):
    engine = services.of(app).engine
    site_logo.upload(engine, logo_png(RED))
    first = client.get(f"/qr/{code}.png?logo=1&frame=caption")
    assert RED in {c for _, c in raster(first.data, "png").getcolors(1 << 20)}
    green = (30, 160, 60)
    site_logo.upload(engine, logo_png(green))
    stale = client.get(
        f"/qr/{code}.png?logo=1&frame=caption", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert stale.status_code == 200 and stale.headers["ETag"] != first.headers["ETag"]
    colours = {c for _, c in raster(stale.data, "png").getcolors(1 << 20)}
    assert green in colours and RED not in colours
    site_logo.remove(engine)
    removed = client.get(f"/qr/{code}.png?logo=1&frame=caption")
    assert removed.headers["X-QR-Fallback"] == "no-logo"
    assert green not in {c for _, c in raster(removed.data, "png").getcolors(1 << 20)}
    same = client.get(
        f"/qr/{code}.png?logo=1&frame=caption", headers={"If-None-Match": removed.headers["ETag"]}
    )
    assert same.status_code == 304


def test_another_instance_on_the_same_database_serves_the_new_logo(app, client, code, tmp_path):
    other = make_app(app.config["DATABASE_URL"], tmp_path / "other")
    try:
        before = other.test_client().get(f"/qr/{code}.png?logo=1")  # fills its cache
        assert before.headers["X-QR-Fallback"] == "no-logo"
        site_logo.upload(services.of(app).engine, logo_png())  # uploaded through "app"
        after = other.test_client().get(f"/qr/{code}.png?logo=1")
        assert "X-QR-Fallback" not in after.headers
        assert RED in {c for _, c in raster(after.data, "png").getcolors(1 << 20)}
    finally:
        close_app(other)


@pytest.mark.parametrize(
    "query, param",
    [
        ("logo=2", "logo"),
        ("logo=yes", "logo"),
        ("frame=x", "frame"),
        ("frame=caption&caption=" + "字" * 41, "caption"),
        ("frame=caption&caption=a%00b", "caption"),
        ("frame=caption&caption=a%0Ab", "caption"),
        ("frame=caption&caption=%F0%9F%9A%80", "caption"),  # nothing the font draws
        ("caption=hello", "caption"),  # without a frame
        ("frame=caption&lang=fr", "lang"),
        ("logo=1&size=63", "size"),
    ],
)
@pytest.mark.parametrize("kind", ["png", "svg"])
def test_bad_values_are_400_naming_the_parameter(client, code, query, param, kind):
    response = client.get(f"/qr/{code}.{kind}?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == f"invalid_{param}"
    assert f"`{param}`" in response.get_json()["error"]["message"]


def test_forty_characters_are_accepted(client, code):
    response = client.get(f"/qr/{code}.png?frame=caption&caption=" + "字" * 40)
    assert response.status_code == 200 and "X-QR-Fallback" not in response.headers


def test_the_logo_file_setting_is_checked_at_start_up(sqlite_url, tmp_path):
    missing = tmp_path / "nope.png"
    with pytest.raises(SettingError, match="SHARE_QR_LOGO"):
        make_app(sqlite_url, tmp_path, QR_LOGO=str(missing))
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(SettingError, match="SVG logos are not accepted"):
        make_app(sqlite_url, tmp_path, QR_LOGO=str(svg))
    from tests.test_imagesafety import png_bomb

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(10_000, 10_000))
    with pytest.raises(SettingError, match="cannot be read safely"):
        make_app(sqlite_url, tmp_path, QR_LOGO=str(bomb))


def test_the_logo_file_is_used_and_an_upload_beats_it(sqlite_url, tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(logo_png(BLUE))
    app = make_app(sqlite_url, tmp_path, QR_LOGO=str(path))
    try:
        client = app.test_client()
        code = api_link(app)
        colours = lambda r: {c for _, c in raster(r.data, "png").getcolors(1 << 20)}  # noqa: E731
        from_file = client.get(f"/qr/{code}.png?logo=1")
        assert "X-QR-Fallback" not in from_file.headers
        assert BLUE in colours(from_file) and RED not in colours(from_file)
        site_logo.upload(services.of(app).engine, logo_png(RED))
        assert RED in colours(client.get(f"/qr/{code}.png?logo=1"))
    finally:
        close_app(app)


def api_link(app) -> str:
    from tests.conftest import Api

    return Api(app).make_link("https://news.example.com/file-logo")["code"]
