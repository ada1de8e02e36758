"""Drawing a card onto a Pillow canvas from a :class:`Layout` (no I/O, no encoding).

The card is planned before it is drawn: the text is broken into lines first,
so the stack under the header (meta row, title, summary) has a known height
and the layout can close up around it (see :class:`Layout`'s ``slack``)
instead of leaving an empty band under a short summary.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw

from share.cards import fonts, imagesafety
from share.cards.linebreak import wrap
from share.qr import code as qr

from .layouts import CAPTIONS, GREY, INK, MUTED, PALETTE, RULE, Box, Caption, Layout, Text

WHITE = (255, 255, 255)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SEPARATOR = " · "
URL_MIN_SIZE = 14  # the short URL shrinks to fit its box down to this size


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


def date_label(day: date, lang: str) -> str:
    """``2026年12月3日`` or ``3 Dec 2026``: no locale database, the same on every host."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def meta_text(content, lang: str, with_site: bool) -> str:
    """The meta row: site name (unless the header already shows it), date, author."""
    parts = [content.site_name] if with_site else []
    if content.published is not None:
        parts.append(date_label(content.published, lang))
    if content.author:
        parts.append(content.author)
    return SEPARATOR.join(p for p in (fonts.drawable(p or "") for p in parts) if p)


@dataclass(frozen=True)
class Stack:
    """The text under the header, already broken into lines, and where it starts."""

    meta: str
    title: list[str]
    title_style: Text
    summary: list[str]
    height: int


def plan_stack(content, layout: Layout, lang: str, with_site: bool) -> Stack:
    """Break title and summary into lines: the largest title style that fits, then the summary."""
    meta = meta_text(content, lang, with_site)
    meta_h = layout.site.h + layout.meta_gap if meta else 0
    title_text = fonts.drawable(content.title)
    summary_text = fonts.drawable(content.description or "")
    column = layout.text
    for style in (*layout.title_sizes, layout.title):
        font = fonts.face(style.size, lang, style.bold)
        room = (column.h - meta_h) // style.line_height
        title = wrap(title_text, column.w, font.getlength, min(style.max_lines, room))
        used = meta_h + len(title) * style.line_height
        summary: list[str] = []
        if summary_text:
            summ = layout.summary
            room = (column.h - used - layout.gap) // summ.line_height
            if room > 0:
                summ_font = fonts.face(summ.size, lang, summ.bold)
                summary = wrap(
                    summary_text, column.w, summ_font.getlength, min(summ.max_lines, room)
                )
        height = used + (layout.gap + len(summary) * layout.summary.line_height if summary else 0)
        larger = style is not layout.title
        if larger and (_cut(title) or (summary_text and (not summary or _cut(summary)))):
            continue  # a larger title only when nothing has to be cut for it
        return Stack(meta, title, style, summary, height)
    raise AssertionError("unreachable: the last style is always taken")


def _cut(lines: list[str]) -> bool:
    return bool(lines) and lines[-1].endswith("…")


def draw_card(content, layout: Layout, lang: str) -> Image.Image:
    """The whole card as an RGB image."""
    canvas = Image.new("RGB", layout.size, WHITE)
    draw = ImageDraw.Draw(canvas)
    colour = site_colour(content.host)
    header = layout.thumb
    # Decoded for the tallest header it may fill, so a grown header is not an upscaled draft.
    target = (header.w, max(header.h, layout.header_max))
    image = imagesafety.open_safely(content.thumbnail, target=target)
    stack = plan_stack(content, layout, lang, with_site=image is not None)
    column = layout.text
    if layout.slack == "header":
        # The header grows down to meet the stack, which ends at the column's foot.
        margin = column.y - (header.y + header.h)
        top = column.y + column.h - stack.height
        header_h = max(header.h, min(layout.header_max, top - margin - header.y))
        header = Box(header.x, header.y, header.w, header_h)
        top = header.y + header.h + margin
    else:
        top = column.y + (column.h - stack.height) // 2
    if image is None:
        name = content.site_name or content.host.removeprefix("www.")
        canvas.paste(wordmark_header(header, colour, name, lang), (header.x, header.y))
    else:
        canvas.paste(cover(image, (header.w, header.h)), (header.x, header.y))
    y = top
    if stack.meta:
        letter = initial(content.site_name, content.host) if image is not None else None
        _meta_row(draw, Box(column.x, y, column.w, layout.site.h), colour, letter, stack.meta, lang)
        y += layout.site.h + layout.meta_gap
    y = _lines(draw, stack.title, stack.title_style, column.x, y, lang)
    if stack.summary:
        _lines(draw, stack.summary, layout.summary, column.x, y + layout.gap, lang)
    if layout.divider_y is not None:
        draw.line(
            [(column.x, layout.divider_y), (column.x + column.w, layout.divider_y)],
            fill=RULE,
            width=2,
        )
    _qr(canvas, content.qr_text, layout.qr)
    _caption(draw, CAPTIONS.get(lang, CAPTIONS["en"]), layout, lang)
    _short_url(draw, content.short_url, layout, lang)
    return canvas


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale ``image`` to fill ``size`` and crop the overflow evenly (CSS ``object-fit: cover``)."""
    w, h = image.size
    scale = max(size[0] / w, size[1] / h)
    crop_w, crop_h = size[0] / scale, size[1] / scale
    # max(0, …): float rounding can make crop_h a hair above h, and a box may not start above 0
    left, top = max(0.0, (w - crop_w) / 2), max(0.0, (h - crop_h) / 2)
    return image.resize(
        size,
        Image.Resampling.BICUBIC,
        box=(left, top, left + crop_w, top + crop_h),
        reducing_gap=2.0,
    )


def wordmark_header(box: Box, colour, site_name: str, lang: str) -> Image.Image:
    """The header of an article without an image: the site's name set large in bold.

    A diagonal gradient in the site's colour, the name in white Bold as big as
    fits 80 % of the width on one line (two lines for long names), with a
    short rule under it: a designed masthead, never a grey box or a lone letter.
    """
    dark = tuple(int(c * 0.55) for c in colour)
    ramp = Image.linear_gradient("L").rotate(
        45, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=128
    )
    mask = ramp.resize((box.w, box.h), Image.Resampling.BILINEAR)
    image = Image.composite(
        Image.new("RGB", (box.w, box.h), dark), Image.new("RGB", (box.w, box.h), colour), mask
    )
    name = fonts.drawable(site_name)
    if not name:
        return image
    draw = ImageDraw.Draw(image)
    width = box.w * 0.8
    size = fit_size(name, width, min(int(box.h * 0.22), 150), max(12, box.h // 10), lang, True)
    font = fonts.bold_font(size, lang)
    lines = wrap(name, width, font.getlength, max_lines=2)
    line_h = int(size * 1.25)
    y = (box.h - line_h * len(lines)) / 2
    for line in lines:
        draw.text((box.w / 2, y + line_h / 2), line, font=font, anchor="mm", fill=WHITE)
        y += line_h
    rule_w = max(24, box.w // 12)
    rule_y = int(y + size * 0.35)
    draw.rectangle(
        [(box.w - rule_w) // 2, rule_y, (box.w + rule_w) // 2, rule_y + max(2, size // 14)],
        fill=tuple(min(255, c + 90) for c in colour),
    )
    return image


def fit_size(text: str, width: float, largest: int, smallest: int, lang: str, bold: bool) -> int:
    """The largest size (in steps of 2 px, so few fonts get loaded) at which ``text`` fits."""
    size = largest - largest % 2
    length = fonts.face(size, lang, bold).getlength(text)
    if length > width:  # glyph widths scale with the size: one estimate, then check
        size = max(smallest, int(size * width / length) // 2 * 2)
        while size > smallest and fonts.face(size, lang, bold).getlength(text) > width:
            size -= 2
    return max(size, smallest)


def _meta_row(draw, box: Box, colour, letter: str | None, text: str, lang: str) -> None:
    """Site dot and "site · date · author"; without a letter (wordmark header) just the text."""
    d = box.h
    x = box.x
    if letter is not None:
        draw.ellipse([box.x, box.y, box.x + d, box.y + d], fill=colour)
        draw.text(
            (box.x + d / 2, box.y + d / 2),
            letter,
            font=fonts.font(int(d * 0.55), lang),
            anchor="mm",
            fill=WHITE,
        )
        x += d + 18
    font = fonts.font(int(d * 0.58), lang)
    lines = wrap(text, box.x + box.w - x, font.getlength, max_lines=1)
    if lines:
        draw.text((x, box.y + d / 2), lines[0], font=font, anchor="lm", fill=GREY)


def _lines(draw, lines: list[str], style: Text, x: int, y: int, lang: str) -> int:
    """Draw ``lines`` from ``y`` down in ``style``; return the y below the last one."""
    font = fonts.face(style.size, lang, style.bold)
    for line in lines:
        draw.text((x, y + style.line_height / 2), line, font=font, anchor="lm", fill=style.colour)
        y += style.line_height
    return y


def _qr(canvas: Image.Image, text: str, box: Box) -> None:
    """Whole-pixel modules, centred in ``box``; the layout keeps the quiet zone white."""
    modules = qr.qr_image(text, ec="M", box=1, margin=0)
    scale = max(1, min(box.w, box.h) // modules.width)
    image = modules.resize((modules.width * scale,) * 2, Image.Resampling.NEAREST)
    offset = ((box.w - image.width) // 2, (box.h - image.height) // 2)
    canvas.paste(image.convert("RGB"), (box.x + offset[0], box.y + offset[1]))


def _caption(draw, caption: Caption, layout: Layout, lang: str) -> None:
    box, (main_size, sub_size) = layout.caption, layout.caption_sizes
    rows = [(caption.main, main_size, INK)]
    if sub_size:
        rows.append((caption.sub, sub_size, GREY))
    heights = [int(size * 1.6) for _, size, _ in rows]
    y = box.y + (box.h - sum(heights)) / 2
    for (text, size, fill), height in zip(rows, heights, strict=True):
        font = fonts.font(size, lang)
        line = wrap(fonts.drawable(text), box.w, font.getlength, max_lines=1)
        x, anchor = (box.x + box.w / 2, "mm") if layout.caption_align == "center" else (box.x, "lm")
        if line:
            draw.text((x, y + height / 2), line[0], font=font, anchor=anchor, fill=fill)
        y += height


def _short_url(draw, text: str, layout: Layout, lang: str) -> None:
    """The short URL under the QR, for people who type it: shrunk to fit, never wrapped."""
    box = layout.url
    if not text:
        return
    size = fit_size(text, box.w, box.h, URL_MIN_SIZE, lang, False)
    font = fonts.font(size, lang)
    line = wrap(text, box.w, font.getlength, max_lines=1)
    if not line:
        return
    if layout.url_align == "right":
        x, anchor = box.x + box.w, "rm"
    else:
        x, anchor = box.x + box.w / 2, "mm"
    draw.text((x, box.y + box.h / 2), line[0], font=font, anchor=anchor, fill=MUTED)
