"""Untrusted thumbnails: hostile bytes give None (the card's placeholder), good ones RGB."""

import io
import zlib

import pytest
from PIL import Image

from share.cards import imagesafety
from share.cards.imagesafety import MAX_BYTES, MAX_PIXELS, open_safely


def encode(image, fmt, **params):
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def png_bomb(width, height):
    """A PNG whose header claims width×height, built by hand so it costs nothing to make."""

    def chunk(kind, data):
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)  # a few rows; enough for a header
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_accepted_formats_decode_to_rgb(fmt):
    image = open_safely(encode(Image.new("RGB", (64, 48), (200, 30, 30)), fmt))
    assert image is not None and image.mode == "RGB" and image.size == (64, 48)


def test_image_bomb_10000x10000_png_of_a_few_kb_is_refused():
    data = png_bomb(10_000, 10_000)
    assert len(data) < 20_000
    assert open_safely(data) is None


def test_pillow_made_bomb_is_refused():
    data = encode(Image.new("1", (10_000, 10_000)), "PNG", optimize=True)
    assert len(data) < 50_000
    assert open_safely(data) is None


def test_image_just_over_the_pixel_cap_is_refused_without_a_warning_escaping():
    side = int(MAX_PIXELS**0.5) + 10  # between the cap and Pillow's 2× hard error
    assert open_safely(png_bomb(side, side)) is None


def test_pixel_cap_is_lowered_process_wide():
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS < 89_478_485


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 100, id="jpeg-header-then-zeros"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, id="png-magic-garbage"),
        pytest.param(b"GIF89a" + b"\x01" * 20, id="gif-magic-garbage"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8, id="webp-magic-garbage"),
    ],
)
def test_corrupt_images_give_none(data):
    assert open_safely(data) is None


def test_truncated_jpeg_gives_none():
    data = encode(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG")
    assert open_safely(data[: len(data) // 2]) is None


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO", "PPM"])
def test_unsupported_formats_are_never_parsed(fmt):
    data = encode(Image.new("RGB", (32, 32), "red"), fmt)
    assert imagesafety.sniff(data) is None
    assert open_safely(data) is None


def test_svg_bytes_are_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    assert open_safely(svg) is None


def test_bytes_over_the_cap_are_refused_before_decoding():
    good = encode(Image.new("RGB", (16, 16)), "PNG")
    assert open_safely(good + b"\x00" * MAX_BYTES) is None


def test_cmyk_jpeg_becomes_rgb_with_the_right_colour():
    data = encode(Image.new("CMYK", (40, 40), (0, 255, 255, 0)), "JPEG", quality=95)
    image = open_safely(data)
    r, g, b = image.getpixel((20, 20))
    assert image.mode == "RGB" and r > 200 and g < 60 and b < 60


def test_palette_png_with_transparency_is_flattened_on_white():
    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 20, 40))
    decoded = open_safely(encode(image, "PNG", transparency=0))
    assert decoded.getpixel((5, 5)) == (255, 0, 0)
    assert decoded.getpixel((35, 5)) == (255, 255, 255)


def test_alpha_png_is_flattened_on_white():
    decoded = open_safely(encode(Image.new("RGBA", (10, 10), (0, 0, 255, 0)), "PNG"))
    assert decoded.getpixel((5, 5)) == (255, 255, 255)


def test_sixteen_bit_greyscale_png_decodes():
    image = Image.new("I;16", (10, 10), 40000)
    decoded = open_safely(encode(image, "PNG"))
    assert decoded.mode == "RGB" and 140 < decoded.getpixel((5, 5))[0] < 170


def exif_rotated_jpeg():
    """Stored 200×100, left half red; orientation 6 means "rotate 90° clockwise to view"."""
    image = Image.new("RGB", (200, 100), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(image, "JPEG", exif=exif, quality=95)


def test_exif_orientation_is_applied():
    decoded = open_safely(exif_rotated_jpeg())
    assert decoded.size == (100, 200)
    assert decoded.getpixel((50, 20))[0] > 200  # red on top
    assert decoded.getpixel((50, 180))[2] > 200  # blue below


def test_large_jpeg_decodes_at_reduced_scale_but_still_covers_the_target():
    data = encode(Image.effect_noise((4000, 3000), 40).convert("RGB"), "JPEG")
    decoded = open_safely(data, target=(400, 300))
    assert 400 <= decoded.width < 4000 and 300 <= decoded.height < 3000


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    assert open_safely(buf.getvalue()).getpixel((10, 10))[0] > 200
