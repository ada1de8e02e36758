"""Server-rendered chart geometry: readable ticks whatever the scale."""

import pytest

from share.web.admin.charts import nice_max, stacked_bars


def chart(totals):
    return {
        "clients": ["wechat"],
        "series": [
            {"t": f"2026-11-{i + 1:02d}", "total": n, "clients": {"wechat": n}}
            for i, n in enumerate(totals)
        ],
    }


@pytest.mark.parametrize("totals", [[0, 0, 0], [1, 0], [3, 4], [7], [120, 3]])
def test_ticks_are_distinct_whole_numbers(totals):
    values = [t["v"] for t in stacked_bars(chart(totals))["ticks"]]
    assert len(values) == len(set(values)), values
    assert values[-1] == nice_max(max(totals)) and values[0] == 0


def test_bars_stay_inside_the_plot():
    bars = stacked_bars(chart([5, 10, 0, 2]))
    assert all(r["h"] > 0 and r["y"] >= 0 for r in bars["rects"])
    assert max(r["y"] + r["h"] for r in bars["rects"]) <= bars["base"] + 0.1
