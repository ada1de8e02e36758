"""Drawing a card onto a Pillow canvas from a :class:`Layout` (no I/O, no encoding)."""

from __future__ import annotations

import zlib

from PIL import Image, ImageDraw

from share.cards import fonts, imagesafety
from share.cards.linebreak import wrap
from share.qr import code as qr

from .layouts import CAPTIONS, GREY, INK, MUTED, PALETTE, RULE, Box, Caption, Layout, Text

WHITE = (255, 255, 255)


def site_colour(host: str) -> tuple[int, int, int]:
    """A stable colour per site (crc32, not hash(): that changes between processes)."""
    return PALETTE[zlib.crc32(host.lower().encode()) % len(PALETTE)]


def initial(site_name: str, host: str) -> str:
    """The first drawable character of the site name, else of the host, else "#"."""
    for source in (site_name, host.removeprefix("www.")):
        text = fonts.drawable(source)
        if text:
            return text[0].upper()
    return "#"


def draw_card(content, layout: Layout, lang: str) -> Image.Image:
    """The whole card as an RGB image."""
    canvas = Image.new("RGB", layout.size, WHITE)
    draw = ImageDraw.Draw(canvas)
    colour = site_colour(content.host)
    letter = initial(content.site_name, content.host)
    _thumbnail(canvas, content.thumbnail, layout.thumb, colour, letter, content.site_name, lang)
    _site(draw, layout.site, colour, letter, content.site_name or content.host, lang)
    y = _text_block(draw, content.title, layout.title, layout.text, layout.text.y, lang)
    if content.description:
        _text_block(draw, content.description, layout.summary, layout.text, y + layout.gap, lang)
    if layout.divider_y is not None:
        draw.line(
            [(layout.text.x, layout.divider_y), (layout.text.x + layout.text.w, layout.divider_y)],
            fill=RULE,
            width=2,
        )
    _qr(canvas, content.qr_text, layout.qr)
    _caption(draw, CAPTIONS.get(lang, CAPTIONS["en"]), content.host, layout, lang)
    return canvas


def _thumbnail(canvas, data, box: Box, colour, letter, site_name, lang) -> None:
    image = imagesafety.open_safely(data, target=(box.w, box.h))
    if image is None:
        canvas.paste(_placeholder(box, colour, letter, site_name, lang), (box.x, box.y))
        return
    canvas.paste(cover(image, (box.w, box.h)), (box.x, box.y))


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale ``image`` to fill ``size`` and crop the overflow evenly (CSS ``object-fit: cover``)."""
    w, h = image.size
    scale = max(size[0] / w, size[1] / h)
    crop_w, crop_h = size[0] / scale, size[1] / scale
    left, top = (w - crop_w) / 2, (h - crop_h) / 2
    return image.resize(
        size,
        Image.Resampling.BICUBIC,
        box=(left, top, left + crop_w, top + crop_h),
        reducing_gap=2.0,
    )


def _placeholder(box: Box, colour, letter: str, site_name: str, lang: str) -> Image.Image:
    """A diagonal gradient in the site's colour, its initial large and its name: never grey."""
    dark = tuple(int(c * 0.55) for c in colour)
    ramp = Image.linear_gradient("L").rotate(
        45, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=128
    )
    mask = ramp.resize((box.w, box.h), Image.Resampling.BILINEAR)
    image = Image.composite(
        Image.new("RGB", (box.w, box.h), dark), Image.new("RGB", (box.w, box.h), colour), mask
    )
    draw = ImageDraw.Draw(image)
    size = int(box.h * 0.55)
    draw.text(
        (box.w // 2, box.h // 2),
        letter,
        font=fonts.font(size, lang),
        anchor="mm",
        fill=tuple(min(255, c + 60) for c in colour),
    )
    name = fonts.drawable(site_name)
    if name:
        name_font = fonts.font(max(18, box.h // 12), lang)
        lines = wrap(name, box.w * 0.8, name_font.getlength, max_lines=1)
        draw.text(
            (box.w // 2, int(box.h * 0.86)), lines[0], font=name_font, anchor="mm", fill=WHITE
        )
    return image


def _site(draw, box: Box, colour, letter: str, name: str, lang: str) -> None:
    d = box.h
    draw.ellipse([box.x, box.y, box.x + d, box.y + d], fill=colour)
    draw.text(
        (box.x + d / 2, box.y + d / 2),
        letter,
        font=fonts.font(int(d * 0.55), lang),
        anchor="mm",
        fill=WHITE,
    )
    font = fonts.font(int(d * 0.58), lang)
    width = box.w - d - 18
    lines = wrap(fonts.drawable(name), width, font.getlength, max_lines=1)
    if lines:
        draw.text((box.x + d + 18, box.y + d / 2), lines[0], font=font, anchor="lm", fill=GREY)


def _text_block(draw, text: str, style: Text, column: Box, y: int, lang: str) -> int:
    """Draw wrapped ``text`` from ``y`` down; return the y below its last line."""
    font = fonts.font(style.size, lang)
    room = (column.y + column.h - y) // style.line_height
    lines = wrap(fonts.drawable(text), column.w, font.getlength, min(style.max_lines, room))
    stroke = 1 if style.bold else 0
    for line in lines:
        draw.text(
            (column.x, y + style.line_height / 2),
            line,
            font=font,
            anchor="lm",
            fill=style.colour,
            stroke_width=stroke,
            stroke_fill=style.colour,
        )
        y += style.line_height
    return y


def _qr(canvas: Image.Image, text: str, box: Box) -> None:
    """Whole-pixel modules, centred in ``box``; the layout keeps the quiet zone white."""
    modules = qr.qr_image(text, ec="M", box=1, margin=0)
    scale = max(1, min(box.w, box.h) // modules.width)
    image = modules.resize((modules.width * scale,) * 2, Image.Resampling.NEAREST)
    offset = ((box.w - image.width) // 2, (box.h - image.height) // 2)
    canvas.paste(image.convert("RGB"), (box.x + offset[0], box.y + offset[1]))


def _caption(draw, caption: Caption, host: str, layout: Layout, lang: str) -> None:
    box, (main_size, sub_size) = layout.caption, layout.caption_sizes
    rows = [(caption.main, main_size, INK)]
    if sub_size:
        rows += [(caption.sub, sub_size, GREY), (host.removeprefix("www."), sub_size - 4, MUTED)]
    heights = [int(size * 1.6) for _, size, _ in rows]
    y = box.y + (box.h - sum(heights)) / 2
    for (text, size, fill), height in zip(rows, heights, strict=True):
        font = fonts.font(size, lang)
        line = wrap(fonts.drawable(text), box.w, font.getlength, max_lines=1)
        x, anchor = (box.x + box.w / 2, "mm") if layout.caption_align == "center" else (box.x, "lm")
        if line:
            draw.text((x, y + height / 2), line[0], font=font, anchor=anchor, fill=fill)
        y += height
