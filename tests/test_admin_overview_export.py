"""The overview as CSV: totals per period, and the top-articles table as filtered, all pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from share.web.admin import exports
from tests.adminhelp import CHROME, WECHAT, AdminClient, scan


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_totals_csv_equals_the_overview_json(any_app, any_api, frozen):
    code = any_api.make_link()["code"]
    now = frozen.now()
    scan(any_app, code, now - timedelta(minutes=5), WECHAT, ip="198.51.100.1")
    scan(any_app, code, now - timedelta(days=3), CHROME, ip="198.51.100.2")
    scan(any_app, code, now - timedelta(days=40), CHROME, ip="198.51.100.3")
    scan(any_app, code, now - timedelta(minutes=5), "curl/8.0", ip="198.51.100.4")
    admin = AdminClient(any_app)
    admin.login()
    rows = _rows(admin.get("/admin/overview-totals.csv"))
    totals = admin.get("/admin/overview.json").get_json()["totals"]
    assert rows[0] == ["figure", "today", "7d", "30d", "all"]
    assert [r[0] for r in rows[1:]] == list(exports.OVERVIEW_FIGURES)
    for row in rows[1:]:
        expected = [totals[p][row[0]] for p in ("today", "7d", "30d", "all")]
        assert row[1:] == ["" if v is None else str(v) for v in expected]
    scans = dict((r[0], r[1:]) for r in rows[1:])["scans"]
    assert scans[-1] == "3"


def test_the_articles_csv_holds_every_page_in_the_screens_order(app, api, frozen, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_PAGE", 2)  # several pages with a handful of links
    codes = []
    for i in range(5):
        code = api.make_link(url=f"https://news.example.com/a/{i}", tags=["春节"] if i % 2 else [])[
            "code"
        ]
        codes.append(code)
        for j in range(i + 1):
            scan(
                app, code, frozen.now() - timedelta(hours=1), CHROME, ip=f"198.51.100.{10 * i + j}"
            )
    admin = AdminClient(app)
    admin.login()
    rows = _rows(admin.get("/admin/overview-articles.csv?sort=scans_all&order=desc"))
    assert rows[0][:3] == ["code", "short_url", "url"]
    assert [r[0] for r in rows[1:]] == list(reversed(codes))
    assert [int(r[7]) for r in rows[1:]] == [5, 4, 3, 2, 1]
    tagged = _rows(admin.get("/admin/overview-articles.csv?tag=春节"))
    assert sorted(r[0] for r in tagged[1:]) == sorted([codes[1], codes[3]])
    assert all(r[4] == "春节" for r in tagged[1:])


def test_a_formula_in_a_title_stays_text(app, api, frozen):
    api.make_link(url="https://news.example.com/f", title='=HYPERLINK("http://evil")')
    admin = AdminClient(app)
    admin.login()
    rows = _rows(admin.get("/admin/overview-articles.csv"))
    assert rows[1][3].startswith("'=")


def test_the_exports_need_a_login(client):
    for path in ("/admin/overview-totals.csv", "/admin/overview-articles.csv"):
        assert client.get(path).status_code in (302, 401)
