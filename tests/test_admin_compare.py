"""Each overview total against the previous period of the same length, on both engines.

Days are the display zone's (Asia/Shanghai); the clock is frozen at instants
on UTC and local day boundaries.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from share import clock
from tests.adminhelp import CHROME, WECHAT, AdminClient, scan

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local_noon(day_offset: int):
    today = clock.today(SHANGHAI)
    moment = clock.from_epoch(clock.day_start(today + timedelta(days=day_offset), SHANGHAI))
    return moment + timedelta(hours=12)


def test_previous_periods_and_changes_equal_recounts(any_app, any_api, instant):
    code = any_api.make_link()["code"]
    plan = {0: 2, -1: 4, -3: 1, -8: 3, -10: 2, -40: 5}  # local days ago → human scans
    counted = dict.fromkeys(plan, 0)  # what was really scanned (today may have no past instant)
    ip = 0
    for offset, n in plan.items():
        for _ in range(n):
            ip += 1
            when = min(_local_noon(offset), clock.now() - timedelta(seconds=ip))
            if clock.local_day(when, SHANGHAI) != clock.today(SHANGHAI) + timedelta(days=offset):
                continue  # a few seconds after local midnight: no instant of today before now
            scan(any_app, code, when, WECHAT if ip % 2 else CHROME, ip=f"198.51.100.{ip}")
            counted[offset] += 1
    scan(any_app, code, _local_noon(-1), "curl/8.0", ip="198.51.100.200")

    def days(first: int, last: int) -> int:  # human scans on local days first..last (0 = today)
        return sum(n for o, n in counted.items() if first <= o <= last)

    admin = AdminClient(any_app)
    admin.login()
    totals = admin.get("/admin/overview.json").get_json()["totals"]
    expected = {"today": (days(0, 0), days(-1, -1)), "7d": (days(-6, 0), days(-13, -7)),
                "30d": (days(-29, 0), days(-59, -30))}  # fmt: skip
    for period, (now_n, before_n) in expected.items():
        assert totals[period]["scans"] == now_n, period
        assert totals[period]["previous"]["scans"] == before_n, period
        change = totals[period]["change"]["scans"]
        assert change == (round(100 * (now_n - before_n) / before_n) if before_n else None)
    assert totals["today"]["previous"]["bots"] == 1
    assert "previous" not in totals["all"]
    page = admin.get("/admin/").get_data(as_text=True)
    assert f"Previous period: {expected['7d'][1]}" in page


def test_no_previous_scans_reads_as_a_dash_not_infinity(app, api, frozen):
    code = api.make_link()["code"]
    scan(app, code, frozen.now() - timedelta(minutes=1), CHROME)
    admin = AdminClient(app)
    admin.login()
    totals = admin.get("/admin/overview.json").get_json()["totals"]
    assert totals["7d"]["change"]["scans"] is None and totals["7d"]["previous"]["scans"] == 0
    assert '<small class="delta flat" data-key="change"' in admin.get("/admin/").get_data(
        as_text=True
    )
