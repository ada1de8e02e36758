"""Card rendering benchmark: ScanShare's renderer against the same pipeline in bare Pillow.

Run: .venv/bin/python bench/bench_cards.py [--encoders]

Cold render = one card drawn and encoded from scratch (fonts already loaded,
as in a running server). The baseline draws the same canvas with the same
fonts, thumbnail decode/crop/paste, QR paste and encoder settings, but wraps
text naively (fill until the next character overflows) with no kinsoku, no
widow rebalancing, no glyph filtering, Regular titles, a fixed 600 px header
(ours grows to meet a short text, so it resamples more photo) and no designed
placeholder. The ratio is what the typography costs. Target: <= 1.2x for the
JPEG poster.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFilter, ImageOps  # noqa: E402

from share import services
from share.cards import FORMATS, LAYOUTS, CardContent, CardOptions, fonts, render_card  # noqa: E402
from share.qr import code as qr  # noqa: E402

N = 20
ZH = "国务院新闻办公室今天举行新闻发布会介绍经济运行情况与高质量发展成效"
EN = "the quick brown fox jumps over a lazy dog while editors share articles on WeChat"


def photo(seed: int) -> bytes:
    """A photo-like JPEG (smooth fractal plus noise) of a typical article-image size."""
    rng = random.Random(seed)
    size = rng.choice([(1200, 675), (1600, 900), (1024, 768), (800, 800)])
    image = Image.effect_mandelbrot(size, (-2.2 + rng.random(), -1.2, 1, 1.2), 80)
    grain = Image.effect_noise(size, 12).filter(ImageFilter.GaussianBlur(1.5))
    image = Image.merge("RGB", (image, grain, image.rotate(180)))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def contents() -> list[CardContent]:
    """20 cards of varied text: Chinese and English, short and long titles and summaries."""
    rng = random.Random(7)
    cards = []
    for i in range(N):
        zh = i % 2 == 0
        words = ZH if zh else EN
        title_len = rng.randint(10, 60 if zh else 140)
        desc_len = rng.randint(0, 200)
        title = (words * 5)[rng.randint(0, 20) :][:title_len]
        desc = (words * 10)[rng.randint(0, 20) :][:desc_len] or None
        if zh:
            title = title[:8] + "，" + title[8:] + "。"
        cards.append(
            CardContent(
                site_name="人民日报" if zh else "The Daily Example",
                title=title,
                description=desc,
                thumbnail=photo(i),
                lang="zh" if zh else "en",
                qr_text=f"https://share.example.com/s/c{i:05d}?src=card",
                host="people.com.cn" if zh else "example.com",
                short_url=f"share.example.com/s/c{i:05d}",
                published=date(2026, 12, 3) if i % 3 else None,
                author=("张三" if zh else "Jane Doe") if i % 4 else None,
            )
        )
    return cards


def naive_wrap(text: str, font, width: int, max_lines: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if font.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    return lines[:max_lines]


def baseline(content: CardContent, layout_name: str, fmt_name: str, out) -> None:
    """The same card with bare Pillow calls (see module docstring)."""
    layout, fmt = LAYOUTS[layout_name], FORMATS[fmt_name]
    canvas = Image.new("RGB", layout.size, "white")
    draw = ImageDraw.Draw(canvas)
    box = layout.thumb
    with Image.open(io.BytesIO(content.thumbnail)) as thumb:
        canvas.paste(ImageOps.fit(thumb.convert("RGB"), (box.w, box.h)), (box.x, box.y))
    site = fonts.font(int(layout.site.h * 0.58))
    draw.text(
        (layout.site.x + layout.site.h + 18, layout.site.y),
        content.site_name,
        font=site,
        fill="grey",
    )
    y = layout.text.y
    for text, style in ((content.title, layout.title), (content.description, layout.summary)):
        if text:
            font = fonts.font(style.size)
            for line in naive_wrap(text, font, layout.text.w, style.max_lines):
                draw.text((layout.text.x, y), line, font=font, fill=style.colour)
                y += style.line_height
    modules = qr.qr_image(content.qr_text, ec="M", box=1, margin=0)
    scale = layout.qr.w // modules.width
    code = modules.resize((modules.width * scale,) * 2, Image.Resampling.NEAREST)
    canvas.paste(code.convert("RGB"), (layout.qr.x, layout.qr.y))
    draw.text(
        (layout.caption.x, layout.caption.y),
        "长按识别二维码",
        font=fonts.font(layout.caption_sizes[0]),
        fill="black",
    )
    canvas.save(out, format=fmt.pillow, **fmt.save)


def timed(fn, content) -> tuple[float, int]:
    buf = io.BytesIO()
    start = time.perf_counter()
    fn(content, buf)
    return (time.perf_counter() - start) * 1000, buf.tell()


def compare(ours, base, cards, rounds: int = 3) -> tuple[float, float, int]:
    """Medians for both pipelines, interleaved card by card so load from other
    processes on the machine hits both alike."""
    ours_ms, base_ms, size = [], [], 0
    for _ in range(rounds):
        for content in cards:
            ms, size_ = timed(ours, content)
            ours_ms.append(ms)
            size += size_
            base_ms.append(timed(base, content)[0])
    return statistics.median(ours_ms), statistics.median(base_ms), size // len(ours_ms)


def cold(cards) -> None:
    render_card(cards[0], CardOptions(), io.BytesIO())  # load fonts once, like a warm server
    print(f"cold render, median of {N} cards x 3 rounds (ms)")
    print(f"{'layout':8} {'format':6} {'cards':>8} {'baseline':>9} {'ratio':>6} {'avg KB':>7}")
    for layout in LAYOUTS:
        for fmt in FORMATS:
            opts = CardOptions(layout=layout, fmt=fmt)
            ours, base, size = compare(
                lambda c, b, o=opts: render_card(c, o, b),
                lambda c, b, la=layout, f=fmt: baseline(c, la, f, b),
                cards,
            )
            mark = "  <- target <= 1.20" if (layout, fmt) == ("poster", "jpg") else ""
            print(
                f"{layout:8} {fmt:6} {ours:8.1f} {base:9.1f} {ours / base:6.2f} "
                f"{size / 1024:7.0f}{mark}"
            )


def encoders(cards) -> None:
    """Encoder settings on the same drawn poster: how docs/decisions/0004 chose them."""
    from share.cards.render import draw_card

    card = draw_card(cards[0], LAYOUTS["poster"], "zh")
    trials = [("PNG", {"compress_level": lv}) for lv in (1, 3, 6, 9)]
    trials += [("PNG", {"optimize": True})]
    trials += [("JPEG", {"quality": 88, "optimize": o}) for o in (False, True)]
    trials += [("WEBP", {"quality": 85, "method": m}) for m in (0, 1, 2, 3, 4, 6)]
    print("\nencoder settings on one 1080x1620 poster")
    for fmt, params in trials:
        times = []
        for _ in range(5):
            buf = io.BytesIO()
            start = time.perf_counter()
            card.save(buf, format=fmt, **params)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"{fmt:5} {params!s:40} {statistics.median(times):7.1f} ms {buf.tell() / 1024:6.0f} KB"
        )


def warm(seconds: float = 2.0) -> None:
    """Requests/s for a cached card through the whole Flask app (in-process test client,
    so the figure is our code's cost without a network or server in front)."""
    import tempfile

    from share import create_app
    from share.db import get_engine, migrate
    from share.links import service as links

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        migrate(url)
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": tmp,
                "PUBLIC_URL": "https://share.example.com",
                "FETCH_ON_CREATE": False,
            }
        )
        with app.app_context():
            link, _ = links.create(get_engine(), "https://example.com/a/1", title="标题 title")
        client = app.test_client()
        print("\nwarm (cached) card requests, in-process")
        for layout in LAYOUTS:
            path = f"/card/{link.code}.jpg?layout={layout}"
            tag = client.get(path).headers["ETag"]  # renders and caches
            for label, headers in (("200 from cache", {}), ("304", {"If-None-Match": tag})):
                count, start = 0, time.perf_counter()
                while time.perf_counter() - start < seconds:
                    client.get(path, headers=headers)
                    count += 1
                rate = count / (time.perf_counter() - start)
                print(f"{layout:8} jpg {label:15} {rate:8.0f} req/s")
        services.of(app).engine.dispose()


if __name__ == "__main__":
    cards = contents()
    cold(cards)
    warm()
    if "--encoders" in sys.argv:
        encoders(cards)
