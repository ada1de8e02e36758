"""UTM tags on the redirect: off by default, a site template, per-link overrides, both engines.

The ``Location`` of ``/s/<code>`` is compared whole: the parameters added,
their order and encoding, the article's own ``utm_*`` left alone and its
``#fragment`` kept last. Bad templates are refused at start-up (naming
``SHARE_UTM``) and by the API (``400 invalid_utm`` naming the field).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from share import services
from share.config import SettingError
from share.links import utm
from share.storage.schema import links as links_table
from tests.conftest import Api, close_app, make_app

WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI "
    "Language/zh_CN"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
ARTICLE = "https://news.example.com/a/1"
SITE = "utm_source={placement}&utm_medium=qr&utm_content={client}-{code}"


@pytest.fixture(params=["sqlite", "postgres"])
def make(request, tmp_path):
    """``make(**config)``: an app on each engine in turn with these settings, closed after."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    made = []

    def build(**config):
        app = make_app(url, tmp_path / f"app{len(made)}", **config)
        made.append(app)
        return app, Api(app)

    yield build
    for app in made:
        close_app(app)


def location(app, code: str, src: str | None = "print", agent: str = CHROME) -> str:
    query = f"?src={src}" if src else ""
    response = app.test_client().get(f"/s/{code}{query}", headers={"User-Agent": agent})
    assert response.status_code == 302
    return response.headers["Location"]


def test_off_by_default_the_location_is_the_article_url(any_app, any_api):
    url = "https://news.example.com/a?x=1&utm_source=mail"
    code = any_api.make_link(url)["code"]
    assert location(any_app, code) == url
    assert location(any_app, code, None, WECHAT) == url
    assert any_api.get(f"/links/{code}").get_json()["utm"] is None


def test_site_template_fills_placement_client_and_code(make):
    app, api = make(UTM=SITE)
    code = api.make_link(ARTICLE)["code"]
    assert location(app, code, "print", WECHAT) == (
        f"{ARTICLE}?utm_source=print&utm_medium=qr&utm_content=wechat-{code}"
    )
    assert location(app, code, None, CHROME) == (
        f"{ARTICLE}?utm_source=link&utm_medium=qr&utm_content=browser-{code}"
    )


def test_existing_utm_parameters_are_kept_and_the_fragment_stays_last(make):
    app, api = make(UTM=SITE)
    url = "https://news.example.com/a?utm_source=newsletter&x=1"
    code = api.make_link(url)["code"]
    assert location(app, code, "poster") == (f"{url}&utm_medium=qr&utm_content=browser-{code}"), (
        "the article's utm_source is neither overwritten nor repeated"
    )
    # registration drops fragments; a stored URL that has one keeps it last
    with services.of(app).engine.begin() as conn:
        conn.execute(
            update(links_table).where(links_table.c.code == code).values(url=url + "#comments")
        )
    services.of(app).redirector._targets.clear()
    assert location(app, code, "poster") == (
        f"{url}&utm_medium=qr&utm_content=browser-{code}#comments"
    )


def test_direct_path_carries_the_tags_too(make):
    app, api = make(UTM="utm_source={placement}", SCAN_SPOOL=False)
    code = api.make_link(ARTICLE)["code"]
    assert location(app, code, "card") == f"{ARTICLE}?utm_source=card"


def test_per_link_utm_overrides_the_site_default(make):
    app, api = make(UTM=SITE)
    made = api.make_link(
        ARTICLE,
        utm={"source": "poster-{placement}", "campaign": "spring sale/春", "content": ""},
    )
    assert made["utm"] == {
        "source": "poster-{placement}",
        "campaign": "spring sale/春",
        "content": "",
    }
    assert location(app, made["code"], "lobby") == (
        f"{ARTICLE}?utm_source=poster-lobby&utm_medium=qr&utm_campaign=spring%20sale%2F%E6%98%A5"
    ), "source replaced, medium kept, content dropped (empty), campaign added and encoded"


def test_per_link_utm_without_a_site_default(make):
    app, api = make()
    code = api.make_link(ARTICLE, utm={"medium": "{client}", "term": "{code}"})["code"]
    assert location(app, code, "print", WECHAT) == f"{ARTICLE}?utm_medium=wechat&utm_term={code}"


def test_patch_sets_and_null_clears_the_link_utm(make):
    app, api = make(UTM="utm_medium=qr")
    code = api.make_link(ARTICLE)["code"]
    patched = api.patch(f"/links/{code}", json={"utm": {"source": "tv"}})
    assert patched.status_code == 200 and patched.get_json()["utm"] == {"source": "tv"}
    cleared = api.patch(f"/links/{code}", json={"utm": None})
    assert cleared.status_code == 200 and cleared.get_json()["utm"] is None
    with services.of(app).engine.connect() as conn:
        stored = conn.execute(select(links_table.c.utm).where(links_table.c.code == code))
        assert stored.scalar_one() is None
    assert location(app, code) == f"{ARTICLE}?utm_medium=qr", "the site default alone again"


def test_a_link_utm_change_reaches_the_redirect(make, monkeypatch):
    app, api = make()
    code = api.make_link(ARTICLE, utm={"source": "one"})["code"]
    assert location(app, code) == f"{ARTICLE}?utm_source=one"
    api.patch(f"/links/{code}", json={"utm": {"source": "two"}})
    services.of(app).redirector._targets.clear()  # as when FRESH_FOR has passed
    assert location(app, code) == f"{ARTICLE}?utm_source=two"


def test_tag_placeholder_is_the_first_tag_or_left_out(make):
    app, api = make(UTM="utm_campaign={tag}&utm_medium=qr")
    tagged = api.make_link(ARTICLE, tags=["新闻", "Alpha"])["code"]
    first = api.get(f"/links/{tagged}").get_json()["tags"][0]
    assert location(app, tagged) == f"{ARTICLE}?utm_campaign={_quote(first)}&utm_medium=qr"
    untagged = api.make_link("https://news.example.com/a/2")["code"]
    assert location(app, untagged) == "https://news.example.com/a/2?utm_medium=qr"


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@pytest.mark.parametrize(
    "value, field",
    [
        ({"source": "{nope}"}, "utm.source"),
        ({"medium": "a{b"}, "utm.medium"),
        ({"campaign": "a}b"}, "utm.campaign"),
        ({"term": "{placement"}, "utm.term"),
        ({"content": "x" * 201}, "utm.content"),
        ({"content": 5}, "utm.content"),
        ({"sorce": "x"}, "sorce"),
        ("utm_source=x", "utm"),
        (["source"], "utm"),
    ],
)
def test_bad_utm_is_400_naming_the_field(any_app, any_api, value, field):
    response = any_api.post("/links", json={"url": ARTICLE, "utm": value})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_utm"
    assert field in error["message"]
    assert any_api.get("/links").get_json()["links"] == [], "a refused body writes nothing"

    code = any_api.make_link(ARTICLE, utm={"source": "kept"})["code"]
    response = any_api.patch(f"/links/{code}", json={"utm": value})
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_utm")
    assert any_api.get(f"/links/{code}").get_json()["utm"] == {"source": "kept"}


def test_a_template_of_200_characters_is_fine(api):
    assert api.make_link(ARTICLE, utm={"source": "x" * 200})["utm"] == {"source": "x" * 200}


@pytest.mark.parametrize(
    "value",
    ["utm_source={unknown}", "utm_source", "=x", "utm_source=a{", "a=1&a=2", "bad name=x"],
)
def test_a_bad_site_template_stops_start_up_naming_the_setting(sqlite_url, tmp_path, value):
    with pytest.raises(SettingError, match="SHARE_UTM"):
        make_app(sqlite_url, tmp_path, UTM=value)


def test_site_template_literals_are_decoded_then_encoded_once():
    params = utm.parse_site("utm_campaign=spring+sale%2F1&utm_term={code}")
    found = utm.plan("https://e.example/a?", "Cd1", params)
    assert (
        found.location("x", "y")
        == "https://e.example/a?utm_campaign=spring%20sale%2F1&utm_term=Cd1"
    )


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://e.example/a", "https://e.example/a?utm_source=qr"),
        ("https://e.example/a?", "https://e.example/a?utm_source=qr"),
        ("https://e.example/a?x=1", "https://e.example/a?x=1&utm_source=qr"),
        ("https://e.example/a#f", "https://e.example/a?utm_source=qr#f"),
        ("https://e.example/a?utm_source=", "https://e.example/a?utm_source="),
    ],
)
def test_plan_joins_the_query_correctly(url, expected):
    found = utm.plan(url, "abc", utm.parse_site("utm_source={placement}"))
    assert (found.location("qr", "browser") if found else url) == expected


def test_a_stored_template_that_no_longer_passes_falls_back_to_the_site_default():
    site = utm.parse_site("utm_medium=qr")
    found = utm.for_link("https://e.example/a", "c0de", 1, site, '{"source": "{gone}"}', str)
    assert found.location("p", "c") == "https://e.example/a?utm_medium=qr"
