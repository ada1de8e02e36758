"""QR options and rendering, decoded with zxing-cpp (no Flask needed)."""

import io

import pytest
from PIL import Image

from share.options import OptionError, contrast_ratio
from share.qr import code as qr
from tests.qrdecode import decode_png, decode_svg

TEXT = "https://share.example.com/s/Ab3dEf7?src=qr"
LONG = "https://news.example.com/" + "%E4%B8%AD%E6%96%87" * 100 + "?id=123456"


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("kind", ["png", "svg"])
def test_every_ec_level_decodes_in_both_formats(ec, kind):
    data = qr.render(TEXT, qr.QrOptions(ec=ec), kind)
    decoded = decode_png(data) if kind == "png" else decode_svg(data)
    assert decoded == [TEXT]


@pytest.mark.parametrize("size", [64, 2048])
def test_smallest_and_largest_sizes_decode_at_exact_size(size):
    data = qr.render(TEXT, qr.QrOptions(size=size), "png")
    image = Image.open(io.BytesIO(data))
    assert image.size == (size, size)
    assert decode_png(data) == [TEXT]


def test_long_article_url_decodes():
    data = qr.render(LONG, qr.QrOptions(size=1024, ec="L"), "png")
    assert decode_png(data) == [LONG]


def test_long_url_too_big_for_small_size_names_size():
    with pytest.raises(OptionError) as info:
        qr.render(LONG, qr.QrOptions(size=64), "png")
    assert info.value.param == "size"


def test_never_micro_qr_even_for_tiny_text():
    # A full QR is at least version 1: 21 modules plus the quiet zone.
    assert len(qr.make_matrix("a", "L", margin=0)) == 21


def test_margin_zero_and_sixteen():
    for margin in (0, 16):
        assert (
            len(qr.make_matrix(TEXT, "M", margin)) == len(qr.make_matrix(TEXT, "M", 0)) + 2 * margin
        )


def test_colours_are_applied_and_decodable():
    opts = qr.QrOptions(fg=(0, 0, 128), bg=(255, 255, 224))
    data = qr.render(TEXT, opts, "png")
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.getpixel((0, 0)) == (255, 255, 224)
    assert (0, 0, 128) in {c for _, c in image.getcolors()}
    assert decode_png(data) == [TEXT]


@pytest.mark.parametrize(
    "args, param",
    [
        ({"size": "63"}, "size"),
        ({"size": "2049"}, "size"),
        ({"size": "abc"}, "size"),
        ({"size": "-5"}, "size"),
        ({"size": "1e3"}, "size"),
        ({"margin": "17"}, "margin"),
        ({"ec": "X"}, "ec"),
        ({"fg": "red"}, "fg"),
        ({"bg": "12345"}, "bg"),
        ({"fg": "777777", "bg": "888888"}, "fg"),
        ({"fg": "ffffff", "bg": "000000"}, "fg"),
        ({"src": "UPPER"}, "src"),
        ({"src": "x" * 33}, "src"),
    ],
)
def test_bad_options_name_the_parameter(args, param):
    with pytest.raises(OptionError) as info:
        qr.QrOptions.from_query(args)
    assert info.value.param == param
    assert param in str(info.value)


def test_defaults_and_case_folding():
    opts = qr.QrOptions.from_query({"ec": "h", "fg": "#112233"})
    assert (opts.size, opts.margin, opts.ec, opts.src) == (300, 4, "H", "qr")
    assert opts.fg == (0x11, 0x22, 0x33)


def test_contrast_ratio_bounds():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((10, 10, 10), (10, 10, 10)) == pytest.approx(1.0)


def test_save_writes_to_path_and_stream(tmp_path):
    path = tmp_path / "code.png"
    with open(path, "wb") as fh:
        qr.save(TEXT, qr.QrOptions(), fh, "png")
    assert decode_png(path.read_bytes()) == [TEXT]


def test_qr_image_for_cards_decodes():
    assert decode_png(_png(qr.qr_image(TEXT, box=8))) == [TEXT]


def test_etag_depends_on_text_options_and_kind():
    o = qr.QrOptions()
    tags = {
        qr.etag(TEXT, o, "png"),
        qr.etag(TEXT, o, "svg"),
        qr.etag(TEXT + "x", o, "png"),
        qr.etag(TEXT, qr.QrOptions(size=301), "png"),
    }
    assert len(tags) == 4
    assert qr.etag(TEXT, o, "png") == qr.etag(TEXT, qr.QrOptions(), "png")


def _png(image):
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()
