"""A custom date range on the overview: its chart, its totals and the same days before it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from share import clock
from tests.adminhelp import CHROME, AdminClient, scan

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _noon(day):
    return clock.from_epoch(clock.day_start(day, SHANGHAI)) + timedelta(hours=12)


def test_a_custom_range_charts_its_days_and_totals_them_against_the_days_before(
    any_app, any_api, instant
):
    code = any_api.make_link()["code"]
    today = clock.today(SHANGHAI)
    first, last = today - timedelta(days=20), today - timedelta(days=11)  # ten local days
    plan = {first - timedelta(days=1): 2, first: 3, last: 1, last + timedelta(days=1): 4,
            first - timedelta(days=10): 5, first - timedelta(days=11): 7}  # fmt: skip
    ip = 0
    for day, n in plan.items():
        for _ in range(n):
            ip += 1
            scan(any_app, code, _noon(day), CHROME, ip=f"198.51.100.{ip}")
    admin = AdminClient(any_app)
    admin.login()
    body = admin.get(f"/admin/overview.json?chart=custom&from={first}&to={last}").get_json()
    chart = body["chart"]
    assert (chart["range"], chart["from"], chart["to"]) == ("custom", str(first), str(last))
    assert len(chart["series"]) == 10 and chart["series"][0]["t"] == str(first)
    assert [b["total"] for b in chart["series"]] == [3] + [0] * 8 + [1]
    in_range = body["totals"]["range"]
    assert in_range["scans"] == 4  # first and last days only, not the days around them
    assert in_range["previous"]["scans"] == 2 + 5  # the ten days before: first-10 .. first-1
    assert in_range["change"]["scans"] == round(100 * (4 - 7) / 7)
    page = admin.get(f"/admin/?chart=custom&from={first}&to={last}").get_data(as_text=True)
    assert f'id="range-head">{first} – {last}<' in page
    assert f'name="from" value="{first}"' in page


def test_a_bad_range_is_a_400_in_json_and_a_message_on_the_page(app, api, frozen):
    admin = AdminClient(app)
    admin.login()
    for query in (
        "from=2026-12-09&to=2026-12-01",
        "from=x&to=2026-12-01",
        "from=2020-01-01&to=2026-12-01",
    ):
        answer = admin.get(f"/admin/overview.json?chart=custom&{query}")
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "invalid_range"
    page = admin.get("/admin/?chart=custom&from=2026-12-09&to=2026-12-01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The first day must be on or before the last day." in html
    assert 'id="range-head"' not in html  # the default 30 days instead
