"""Campaign tags: the rules, the link JSON, the list filter, /tags and tag stats; both engines.

Scans reach the roll-ups the real way (redirector → spool → ingester, see
``tests/adminhelp.scan``), so ``/tags`` and a tag's stats are checked
against what the links' own stats say, not against numbers written here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from share import services
from share.links import importing
from share.links.tags import clean_tags
from share.storage import tags as tagstore
from share.storage.schema import link_tags
from tests.adminhelp import CHROME, WECHAT, AdminClient, scan

A, B, C = (f"https://news.example.com/a/{n}" for n in (1, 2, 3))


def _error(response, status=400, code="invalid_tags") -> str:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["error"]["code"] == code, body
    return body["error"]["message"]


@pytest.mark.parametrize(
    ("tags", "says"),
    [
        ("spring", "array"),
        ([1], "string"),
        ([""], "empty"),
        (["   "], "empty"),
        (["x" * 33], "longer than 32"),
        (["a,b"], "comma"),
        (["春节，两会"], "comma"),
        (["tab\there"], "U+0009"),
        (["new\nline"], "U+000A"),
        (["party🎉"], "U+1F389"),
        (["a/b"], "'/'"),
        ([f"t{i}" for i in range(11)], "at most 10"),
    ],
)
def test_bad_tags_are_refused_naming_the_problem(api, tags, says):
    message = _error(api.post("/links", json={"url": A, "tags": tags}))
    assert says in message
    assert api.get("/links").get_json()["links"] == []  # nothing stored
    code = api.make_link(B)["code"]
    assert says in _error(api.patch(f"/links/{code}", json={"tags": tags}))
    assert api.get(f"/links/{code}").get_json()["tags"] == []


def test_ten_tags_and_32_characters_are_allowed(api):
    tags = [f"{i:02d}" + "x" * 30 for i in range(10)]
    assert api.make_link(A, tags=tags)["tags"] == tags


def test_tags_collapse_case_insensitively_shown_as_first_written(any_api):
    link = any_api.make_link(
        A, tags=["News", "news", "  NEWS ", "ＮＥＷＳ", "beta", "Alpha", "Straße", "STRASSE"]
    )
    assert link["tags"] == ["Alpha", "beta", "News", "Straße"]
    # eleven written, four different: under the limit
    assert len(clean_tags(["x", *["X"] * 10])) == 1


def test_chinese_tags_are_stored_and_filtered(any_api):
    link = any_api.make_link(A, tags=["春节", "两会  2026", "mid-autumn_v1.2"])
    assert link["tags"] == ["mid-autumn_v1.2", "两会 2026", "春节"]
    any_api.make_link(B, tags=["国庆"])
    page = any_api.get("/links", query_string={"tag": "春节"}).get_json()
    assert [item["code"] for item in page["links"]] == [link["code"]]
    assert any_api.get("/links/" + link["code"]).get_json()["tags"] == link["tags"]


def test_patch_replaces_and_clears_the_set(any_api):
    code = any_api.make_link(A, tags=["one", "two"])["code"]
    changed = any_api.patch(f"/links/{code}", json={"tags": ["Three", "two", "THREE"]})
    assert changed.status_code == 200
    assert changed.get_json()["tags"] == ["Three", "two"]
    assert any_api.patch(f"/links/{code}", json={"title": "kept"}).get_json()["tags"] == [
        "Three",
        "two",
    ]
    assert any_api.patch(f"/links/{code}", json={"tags": []}).get_json()["tags"] == []
    assert any_api.get("/links", query_string={"tag": "two"}).get_json()["links"] == []


def test_post_of_an_existing_url_keeps_its_tags(any_api):
    any_api.make_link(A, tags=["first"])
    again = any_api.post("/links", json={"url": A, "tags": ["second"]})
    assert again.status_code == 200
    assert again.get_json()["tags"] == ["first"]


def test_list_filter_keeps_cursor_pagination(any_api, frozen):
    tagged = []
    for n in range(7):
        frozen.advance(seconds=1)
        tags = ["Spring"] if n % 3 != 1 else ["autumn"]
        code = any_api.make_link(f"https://news.example.com/p/{n}", tags=tags)["code"]
        if n % 3 != 1:
            tagged.append(code)
    seen, cursor = [], None
    while True:
        query = {"tag": "SPRING", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = any_api.get("/links", query_string=query).get_json()
        assert all("Spring" in item["tags"] for item in page["links"])
        seen += [item["code"] for item in page["links"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == tagged[::-1]
    assert len(any_api.get("/links").get_json()["links"]) == 7
    assert "comma" in _error(any_api.get("/links", query_string={"tag": "a,b"}))


def test_tags_list_counts_links_and_human_scans_of_30_days(any_app, any_api, frozen):
    now = frozen.now()
    a = any_api.make_link(A, tags=["Spring", "news"])["code"]
    b = any_api.make_link(B, tags=["spring"])["code"]
    c = any_api.make_link(C, tags=["quiet"])["code"]
    for when in (now - timedelta(hours=2), now - timedelta(days=29)):
        scan(any_app, a, when, WECHAT)
    scan(any_app, a, now - timedelta(days=31), CHROME)  # before the window
    scan(any_app, b, now - timedelta(hours=1), CHROME, ip="198.51.100.7")
    scan(any_app, b, now - timedelta(hours=1), "curl/8.0")  # a bot: not a human scan
    assert c
    assert any_api.get("/tags").get_json() == [
        {"tag": "Spring", "links": 2, "scans_30d": 3},
        {"tag": "news", "links": 1, "scans_30d": 2},
        {"tag": "quiet", "links": 1, "scans_30d": 0},
    ]


def test_tag_stats_are_the_sum_of_its_links_stats(any_app, any_api, frozen):
    now = frozen.now()
    a = any_api.make_link(A, tags=["Spring"])["code"]
    b = any_api.make_link(B, tags=["spring", "other"])["code"]
    any_api.make_link(C, tags=["other"])
    scan(any_app, a, now - timedelta(hours=3), WECHAT, src="print", referer="https://x.example/")
    scan(any_app, a, now - timedelta(days=2), CHROME, ip="198.51.100.9", src="widget")
    scan(any_app, b, now - timedelta(hours=1), WECHAT, src="print", referer="https://x.example/")
    scan(any_app, b, now - timedelta(hours=1), "curl/8.0")
    totals = []
    for query in ({}, {"bucket": "hour", "from": "2026-11-30", "tz": "Asia/Shanghai"}):
        tag = any_api.get("/tags/SPRING/stats", query_string=query)
        assert tag.status_code == 200, tag.get_json()
        body = tag.get_json()
        one, two = (any_api.get(f"/links/{c}/stats", query_string=query).get_json() for c in (a, b))
        assert body["tag"] == "Spring" and body["links"] == 2
        for field in ("from", "to", "bucket", "tz"):
            assert body[field] == one[field]
        for field in ("total", "unique", "bots", "opens"):
            assert body[field] == one[field] + two[field]
        for field in ("by_client", "by_platform", "by_placement"):
            names = set(one[field]) | set(two[field])
            assert body[field] == {n: one[field].get(n, 0) + two[field].get(n, 0) for n in names}
        assert [p["t"] for p in body["series"]] == [p["t"] for p in one["series"]]
        assert [p["scans"] for p in body["series"]] == [
            x["scans"] + y["scans"] for x, y in zip(one["series"], two["series"], strict=True)
        ]
        assert body["top_referrers"] == [{"referrer": "x.example", "scans": 2}]
        assert set(body) == set(one) | {"tag", "links"}
        totals.append((body["total"], body["bots"]))
    assert totals == [(3, 1), (2, 1)]  # the scan two days ago is before 30 Nov in Shanghai


def test_tag_stats_errors(any_api):
    any_api.make_link(A, tags=["spring"])
    assert "summer" in _error(any_api.get("/tags/summer/stats"), 404, "not_found")
    _error(any_api.get("/tags/a,b/stats"), 404, "not_found")
    _error(any_api.get("/tags/spring/stats?bucket=week"), 400, "invalid_bucket")
    assert any_api.client.get("/api/v1/tags").status_code == 401
    assert any_api.client.get("/api/v1/tags/spring/stats").status_code == 401


def test_deleting_a_link_takes_its_tags(any_app, any_api):
    gone = any_api.make_link(A, tags=["spring", "gone"])
    kept = any_api.make_link(B, tags=["spring"])
    deleted = any_api.client.delete(f"/api/v1/links/{gone['code']}", headers=any_api._headers())
    assert deleted.status_code == 204
    engine = services.of(any_app).engine
    with engine.connect() as conn:
        rows = conn.execute(select(link_tags.c.tag_key)).scalars().all()
    assert rows == ["spring"]
    assert any_api.get("/tags").get_json() == [{"tag": "spring", "links": 1, "scans_30d": 0}]
    _error(any_api.get("/tags/gone/stats"), 404, "not_found")
    assert any_api.get("/tags/spring/stats").get_json()["links"] == 1
    assert kept["tags"] == ["spring"]


def test_first_tag_reads_in_display_order(any_app, any_api):
    link = any_api.make_link(A, tags=["zeta", "Alpha"])
    engine = services.of(any_app).engine
    with engine.connect() as conn:
        link_id = conn.execute(select(link_tags.c.link_id)).scalar()
    assert tagstore.first_tag(engine, link_id) == "Alpha"
    with engine.connect() as conn:
        assert tagstore.first_tag(conn, link_id) == "Alpha"
    any_api.patch(f"/links/{link['code']}", json={"tags": []})
    assert tagstore.first_tag(engine, link_id) is None


def test_csv_import_reads_a_tags_column(any_app):
    engine = services.of(any_app).engine
    text = "\n".join(
        [
            "url,tags",
            f"{A},spring|春节",
            f'"{B}?x=1,2",Spring; summer',
            f"{C}",
            "https://news.example.com/a/4,one,two",
            "https://news.example.com/a/5,a/b",
        ]
    )
    outcomes = list(importing.import_lines(engine, importing.parse_lines(text)))
    assert [o.status for o in outcomes] == ["created", "created", "created", "refused", "refused"]
    assert outcomes[1].url == f"{B}?x=1,2"
    assert "tags column" in outcomes[3].reason
    assert "'/'" in outcomes[4].reason
    api_like = AdminClient(any_app)
    api_like.login()
    by_code = {
        a["code"]: a["tags"]
        for a in api_like.get("/admin/overview.json").get_json()["top"]["articles"]
    }
    assert by_code[outcomes[0].code] == ["spring", "春节"]
    assert by_code[outcomes[1].code] == ["Spring", "summer"]
    assert by_code[outcomes[2].code] == []


def test_dashboard_import_form_takes_tags(app):
    admin = AdminClient(app)
    admin.login()
    page = admin.post("/admin/links/import", {"urls": f"{A},campaign"})
    assert page.status_code == 200
    overview = admin.get("/admin/overview.json?tag=Campaign").get_json()
    assert [a["tags"] for a in overview["top"]["articles"]] == [["campaign"]]


def test_dashboard_filters_top_articles_by_tag(any_app, any_api, frozen):
    a = any_api.make_link(A, tags=["Spring"], title="Tagged one")["code"]
    any_api.make_link(B, tags=["autumn"], title="Other one")
    scan(any_app, a, frozen.now() - timedelta(hours=1), WECHAT)
    admin = AdminClient(any_app)
    admin.login()
    data = admin.get("/admin/overview.json?tag=spring").get_json()
    assert data["top"]["tag"] == "spring"
    assert [(x["code"], x["tags"], x["scans_7d"]) for x in data["top"]["articles"]] == [
        (a, ["Spring"], 1)
    ]
    assert admin.get("/admin/overview.json?tag=a,b").get_json()["top"]["articles"] == []
    assert len(admin.get("/admin/overview.json").get_json()["top"]["articles"]) == 2
    page = admin.get("/admin/?tag=spring", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert 'id="tag-filter"' in page and "Tagged one" in page and "Other one" not in page
    assert "带有标签 spring 的热门文章" in page
    english = admin.get("/admin/?tag=spring", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Top articles carrying the tag spring" in english
    article = admin.get(f"/admin/a/{a}").get_data(as_text=True)
    assert 'id="article-tags"' in article and "Spring" in article
