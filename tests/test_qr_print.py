"""Print files: ``/qr/<code>.pdf`` and ``.svg?mm=`` at an exact physical size.

PDFs are drawn by poppler (``pdftoppm``, Debian ``poppler-utils``) at 150
and 300 dpi and read by two decoders (zxing-cpp and zbar); sizes are read
from the file (the page's MediaBox) and measured on the raster (the
symbol's corners as the decoder found them); text is extracted with
``pdftotext``. The fallback is provoked by the honest broken logo of
tests/test_qr_brand.py (a QR code of another address).
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from share import services
from share.qr import code as qr
from share.qr import logo as site_logo
from share.qr import printfile
from tests.conftest import PUBLIC, missing
from tests.qrdecode import decode_image, decode_zbar, svg_raster
from tests.test_qr_brand import logo_png, qr_logo_png

PT_PER_MM = 72 / 25.4
LOOKS = {
    "plain": "",
    "logo": "logo=1",
    "frame": "frame=caption",
    "logo+frame": "logo=1&frame=caption",
}


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        missing(f"{tool} is not installed (Debian package `poppler-utils`; .ci/run installs it)")
    return path


def pdf_raster(pdf: bytes, dpi: int) -> Image.Image:
    """The page as poppler draws it at ``dpi`` (anti-aliased, as a viewer would)."""
    done = subprocess.run(
        [poppler("pdftoppm"), "-r", str(dpi), "-png", "-singlefile"],  # stdin to stdout
        input=pdf,
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(done.stdout)).convert("RGB")


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        [poppler("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def poppler_list(tool: str, pdf: bytes, tmp_path) -> list[list[str]]:
    """The rows of ``pdffonts`` or ``pdfimages -list`` (after their two header lines)."""
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    args = [poppler(tool), *(["-list"] if tool == "pdfimages" else []), str(path)]
    out = subprocess.run(args, capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def media_box_mm(pdf: bytes) -> tuple[float, float]:
    """The page's width and height in mm, read from the PDF's own MediaBox."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.\s]+)\]", pdf)
    assert len(boxes) == 1, boxes
    x0, y0, x1, y1 = (float(v) for v in boxes[0].split())
    return (x1 - x0) / PT_PER_MM, (y1 - y0) / PT_PER_MM


def light_and_dark_mm(image: Image.Image, dpi: int, n: int) -> tuple[float, float]:
    """The symbol's quiet zone and symbol (dark span) widths in mm, measured on one pixel row.

    The row crosses the top finder patterns (found by zxing-cpp), so from the
    left it meets: the frame (if any), the light quiet zone, the symbol's
    first dark module ... its last dark module, the quiet zone, the frame.
    The first value is the light-to-light width (symbol and quiet zone, what
    ``mm`` sets), the second the dark span (the symbol alone).
    """
    grey = image.convert("L")
    (found,) = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    top_left, top_right = found.position.top_left, found.position.top_right
    module = (top_right.x - top_left.x) / (n - 8)
    y = round(top_left.y + 3.5 * module)
    dark = [grey.getpixel((x, y)) < 128 for x in range(grey.width)]
    runs = [(x, x + len(list(g))) for x, g in _dark_runs(dark)]  # [start, end) of dark runs
    if dark[0]:  # framed: the first and last runs are the frame's border
        (_, light_start), *runs, (light_end, _) = runs
        light = (light_end - light_start) / dpi * 25.4
    else:  # the page is the quiet zone's outer edge (its width is checked on the MediaBox)
        light = grey.width / dpi * 25.4
    return light, (runs[-1][1] - runs[0][0]) / dpi * 25.4


def _dark_runs(dark: list[bool]):
    x = 0
    for is_dark, group in itertools.groupby(dark):
        group = list(group)
        if is_dark:
            yield x, group
        x += len(group)


@pytest.fixture
def code(api):
    """The same article as tests/test_qr_brand.py's (a fixture cannot be imported cleanly)."""
    return api.make_link("https://news.example.com/2026/12/城市", title="城市更新计划")["code"]


@pytest.fixture
def logo(app):
    return site_logo.upload(services.of(app).engine, logo_png())


@pytest.mark.parametrize("mm", [20, 40, 100, 200])
@pytest.mark.parametrize("look", list(LOOKS))
def test_every_print_variant_decodes_with_zxing_and_zbar_at_150_and_300_dpi(
    client, code, logo, look, mm
):
    response = client.get(f"/qr/{code}.pdf?mm={mm}&{LOOKS[look]}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "X-QR-Fallback" not in response.headers
    want = f"{PUBLIC}/s/{code}?src=print"
    width, height = media_box_mm(response.data)
    if "frame" not in look:  # the page is the symbol with its quiet zone, exactly
        assert abs(width - mm) <= 0.01 and abs(height - mm) <= 0.01
    else:  # the frame's border around it and the caption band below
        assert mm < width < mm * 1.1 and height > width
    n = len(qr.make_matrix(want, "H" if "logo" in look else "M", 4))
    for dpi in (150, 300):
        image = pdf_raster(response.data, dpi)
        assert decode_image(image) == [want], dpi
        assert decode_zbar(image) == [want], dpi
        assert abs(image.width / dpi * 25.4 - width) < 25.4 / dpi + 0.01
    # mm is the symbol with its quiet zone; the symbol alone is mm × (n - 8) / n
    light, symbol = light_and_dark_mm(image, 300, n)
    pixel = 25.4 / 300
    if "frame" in look:
        assert abs(light - mm) <= 2 * pixel, (light, mm)
    assert abs(symbol - mm * (n - 8) / n) <= 2 * pixel, (symbol, mm)


def test_pdf_text_is_real_text_in_an_embedded_font_subset(client, code, tmp_path):
    response = client.get(f"/qr/{code}.pdf?frame=caption")
    text = pdf_text(response.data)
    assert "扫码阅读全文" in text
    assert f"share.test/s/{code}" in text
    (font,) = poppler_list("pdffonts", response.data, tmp_path)
    name, emb, sub, uni = font[0], font[-5], font[-4], font[-3]
    assert re.fullmatch(r"[A-Z]{6}\+NotoSansCJK\w*", name), font
    assert (emb, sub, uni) == ("yes", "yes", "yes"), font
    assert len(response.data) < 40_000  # a subset, not the 19 MB collection


def test_a_custom_caption_is_extractable_too(client, code):
    caption = "扫码阅读《城市更新计划》全文"
    text = pdf_text(client.get(f"/qr/{code}.pdf?frame=caption&caption={caption}").data)
    assert caption in text.replace("\n", "")
    english = pdf_text(client.get(f"/qr/{code}.pdf?frame=caption&lang=en").data)
    assert "Scan to read" in english


def test_modules_are_vector_and_the_logo_is_one_image_at_300_dpi(client, code, logo, tmp_path):
    plain = client.get(f"/qr/{code}.pdf?mm=40")
    assert poppler_list("pdfimages", plain.data, tmp_path) == []  # no bitmap of the code
    assert _inflated_has_rects(plain.data)  # the modules are rectangles of a path
    branded = client.get(f"/qr/{code}.pdf?mm=40&logo=1")
    (image,) = poppler_list("pdfimages", branded.data, tmp_path)
    x_ppi, y_ppi = int(image[-4]), int(image[-3])
    assert x_ppi >= 300 and y_ppi >= 300, image


def _inflated_has_rects(pdf: bytes) -> bool:
    import zlib

    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            if b" re " in zlib.decompress(stream):
                return True
        except zlib.error:
            continue
    return False


def test_pdf_placement_is_print_unless_src_says(client, code):
    image = pdf_raster(client.get(f"/qr/{code}.pdf").data, 300)
    assert decode_image(image) == [f"{PUBLIC}/s/{code}?src=print"]
    flyer = pdf_raster(client.get(f"/qr/{code}.pdf?src=flyer").data, 300)
    assert decode_image(flyer) == [f"{PUBLIC}/s/{code}?src=flyer"]
    assert media_box_mm(client.get(f"/qr/{code}.pdf").data) == pytest.approx((40, 40), abs=0.01)


def test_pdf_caching_etag_304_and_the_same_bytes_every_time(app, client, code, logo):
    from share.qr.cache import ByteLRU

    for query, cache_control in [
        ("mm=40", "public, max-age=31536000, immutable"),
        ("mm=40&logo=1&frame=caption", "public, max-age=600"),
    ]:
        first = client.get(f"/qr/{code}.pdf?{query}")
        assert first.headers["Cache-Control"] == cache_control
        assert first.headers["Content-Disposition"] == f'inline; filename="qr-{code}-40mm.pdf"'
        etag = first.headers["ETag"]
        assert etag.startswith('"')
        again = client.get(f"/qr/{code}.pdf?{query}", headers={"If-None-Match": etag})
        assert again.status_code == 304
        wider = query.replace("mm=40", "mm=41")
        other = client.get(f"/qr/{code}.pdf?{wider}", headers={"If-None-Match": etag})
        assert other.status_code == 200 and other.headers["ETag"] != etag
        services.of(app).qr_cache = ByteLRU(1 << 20)  # a fresh render: byte for byte the same
        assert client.get(f"/qr/{code}.pdf?{query}").data == first.data


@pytest.mark.parametrize("mm", [20, 40, 100.5, 200])
@pytest.mark.parametrize("look", list(LOOKS))
def test_svg_width_is_the_asked_mm_and_matches_the_pdf_page(client, code, logo, look, mm):
    svg = client.get(f"/qr/{code}.svg?mm={mm}&src=print&{LOOKS[look]}")
    assert svg.status_code == 200
    root = ET.fromstring(svg.data)
    width, height = (float(root.get(a).removesuffix("mm")) for a in ("width", "height"))
    assert root.get("width").endswith("mm")
    page = media_box_mm(client.get(f"/qr/{code}.pdf?mm={mm}&{LOOKS[look]}").data)
    assert width == pytest.approx(page[0], abs=0.01)
    assert height == pytest.approx(page[1], abs=0.01)
    if "frame" not in look:
        assert width == mm
    assert decode_image(svg_raster(svg.data)) == [f"{PUBLIC}/s/{code}?src=print"]
    # `mm` alone does not change the placement of an SVG
    alone = client.get(f"/qr/{code}.svg?mm={mm}&{LOOKS[look]}")
    assert decode_image(svg_raster(alone.data)) == [f"{PUBLIC}/s/{code}?src=qr"]


def test_plain_svg_in_mm_keeps_its_viewbox(client, code):
    plain = ET.fromstring(client.get(f"/qr/{code}.svg").data)
    in_mm = ET.fromstring(client.get(f"/qr/{code}.svg?mm=25.4").data)
    assert in_mm.get("viewBox") == plain.get("viewBox")
    assert (in_mm.get("width"), in_mm.get("height")) == ("25.4mm", "25.4mm")


@pytest.mark.parametrize(
    "kind, query",
    [
        ("pdf", "mm=5"),
        ("pdf", "mm=9.99"),
        ("pdf", "mm=1001"),
        ("pdf", "mm=abc"),
        ("pdf", "mm=1e9"),
        ("pdf", "mm=%00"),
        ("pdf", "mm=40%00"),
        ("pdf", "mm=-40"),
        ("pdf", "mm=40.123"),
        ("pdf", "mm=nan"),
        ("svg", "mm=5"),
        ("svg", "mm=1e9"),
        ("svg", "mm=inf"),
        ("png", "mm=40"),  # a raster has pixels, not millimetres
        ("pdf", "mm=abc&logo=1&frame=caption"),
    ],
)
def test_bad_mm_is_400_naming_the_parameter(client, code, kind, query):
    response = client.get(f"/qr/{code}.{kind}?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_mm"
    assert "`mm`" in error["message"]


@pytest.mark.parametrize("query, param", [("logo=2", "logo"), ("frame=x", "frame"), ("ec=Z", "ec")])
def test_other_bad_values_on_pdf_are_400_too(client, code, query, param):
    response = client.get(f"/qr/{code}.pdf?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == f"invalid_{param}"


def test_unknown_code_pdf_is_404(client):
    assert client.get("/qr/zzzzzzz.pdf").status_code == 404


@pytest.mark.parametrize("look", ["logo=1", "logo=1&frame=caption"])
def test_a_logo_that_breaks_decoding_falls_back_in_the_pdf(app, client, code, look):
    site_logo.upload(services.of(app).engine, qr_logo_png())
    response = client.get(f"/qr/{code}.pdf?{look}")
    assert response.status_code == 200
    assert response.headers["X-QR-Fallback"] == "logo-unreadable"
    assert response.headers["Cache-Control"] == "public, max-age=600"
    image = pdf_raster(response.data, 300)
    want = f"{PUBLIC}/s/{code}?src=print"
    assert decode_image(image) == [want] and decode_zbar(image) == [want]
    framed = "frame" in look
    assert ("扫码阅读全文" in pdf_text(response.data)) == framed
    if not framed:  # the plain print file at the asked ec: exactly mm wide
        assert media_box_mm(response.data) == pytest.approx((40, 40), abs=0.01)


def test_no_logo_set_still_serves_a_print_file_and_says_so(client, code):
    response = client.get(f"/qr/{code}.pdf?logo=1&mm=30")
    assert response.headers["X-QR-Fallback"] == "no-logo"
    assert media_box_mm(response.data) == pytest.approx((30, 30), abs=0.01)


@pytest.mark.parametrize("framed", [False, True])
@pytest.mark.parametrize("n", range(21, 186, 4))  # sides of versions 1-40, quiet zone 0-4
def test_exact_size_leaves_no_pixel_beside_the_module_grid(n, framed):
    for size in (64, 300, 333, 1000, 2048):
        width = printfile.exact_size(n, framed, size)
        border = max(2, round(width / 64)) if framed else 0
        inner = width - 2 * border
        assert inner % n == 0 and inner >= n
        if size >= 2 * n + 8:  # room enough: at or just below the asked size
            assert size - n - 8 < width <= size
