"""Server-rendered SVG charts: geometry here, markup in ``admin/_chart.html``.

No script and no inline style, so the strict CSP holds; each chart has the
same numbers in a table beside it for screen readers and copy-paste.
Colours are a table, WeChat green first.
"""

from __future__ import annotations

COLOURS = {
    "wechat": "#07c160",
    "wecom": "#2b7bd6",
    "qq": "#12b7f5",
    "weibo": "#e6162d",
    "alipay": "#1677ff",
    "dingtalk": "#3296fa",
    "browser": "#8250df",
    "other": "#8c959f",
}
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 240, 44, 28, 10


def nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def stacked_bars(chart: dict) -> dict:
    """Rectangles for a stacked bar per bucket, one layer per client."""
    series = chart["series"]
    top = nice_max(max((b["total"] for b in series), default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / max(1, len(series))
    bar_w = max(1.0, slot * 0.8)
    rects, labels = [], []
    every = max(1, len(series) // 8)
    for i, bucket in enumerate(series):
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = PAD_TOP + plot_h
        for client in chart["clients"]:
            n = bucket["clients"].get(client, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            rects.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "w": round(bar_w, 1),
                    "h": round(h, 1),
                    "fill": COLOURS.get(client, "#57606a"),
                    "title": f"{bucket['t']} {client}: {n}",
                }
            )
        if i % every == 0:
            # every other label is "odd": a phone-width chart shows half of them, larger
            labels.append(
                {
                    "x": round(x + bar_w / 2, 1),
                    "text": bucket["t"][-5:],
                    "odd": len(labels) % 2 == 1,
                }
            )
    # Whole-number ticks only: a half tick of a scale topping at 1 would read "0" twice.
    fractions = (0, 0.5, 1) if top % 2 == 0 else (0, 1)
    ticks = [{"y": round(PAD_TOP + plot_h * (1 - f), 1), "v": int(top * f)} for f in fractions]
    legend = [{"client": c, "fill": COLOURS.get(c, "#57606a")} for c in chart["clients"]]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "rects": rects,
        "labels": labels,
        "ticks": ticks,
        "legend": legend,
        "left": PAD_LEFT,
        "base": PAD_TOP + plot_h,
    }


def line(series: list[dict], key: str = "scans") -> dict:
    """Bars of one series (an article's scans per bucket) in the same frame."""
    as_chart = {
        "clients": ["scans"],
        "series": [{"t": b["t"], "total": b[key], "clients": {"scans": b[key]}} for b in series],
    }
    out = stacked_bars(as_chart)
    for rect in out["rects"]:
        rect["fill"] = "#07c160"
    out["legend"] = []
    return out
