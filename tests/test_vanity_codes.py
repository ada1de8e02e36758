"""Vanity codes: chosen codes through the API on both engines, every refusal, and the redirect.

A vanity code shares the unique ``links.code`` column with random codes, so
the rules guarded here are: a code is given to one URL only, ever (deleted
links included); a word the app routes is never a code; a random draw that
meets a vanity code is drawn again; and ``/s/<vanity>`` goes through the lean
redirect like a random code.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from share import services
from share.links import codes
from share.storage.schema import links as links_table
from tests.conftest import PUBLIC, Api, close_app, make_app
from tests.proposing import Proposing

ARTICLE = "https://news.example.com/a/vanity"
OTHER = "https://news.example.com/a/other"


def _count(app) -> int:
    with services.of(app).engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(links_table)).scalar_one()


def _error(response) -> dict:
    return response.get_json()["error"]


@pytest.mark.parametrize("code", ["abc", "Spring-2026_sale", "x" * 32, "A-_", "007"])
def test_a_vanity_code_is_registered_and_answered(any_api, code):
    response = any_api.post("/links", json={"url": ARTICLE, "code": code})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["code"] == code
    assert body["short_url"] == f"{PUBLIC}/s/{code}"
    assert any_api.get(f"/links/{code}").get_json()["url"] == ARTICLE


def test_a_vanity_code_redirects_through_the_lean_path(any_app, any_api):
    code = "spring-sale_2026"
    any_api.make_link(ARTICLE, code=code)
    client = any_app.test_client()
    response = client.get(f"/s/{code}?src=print")
    assert response.status_code == 302
    assert response.headers["Location"] == ARTICLE
    # the lean path answers with its own header set; Flask's view would only ever abort
    assert response.headers["Content-Length"] == "0"
    assert response.headers["Cache-Control"] == "no-store"
    assert services.of(any_app).redirector.flush() == 1, "the scan went to the spool"
    assert client.get(f"/qr/{code}.svg").status_code == 200


def test_a_taken_code_is_409_code_taken(any_api):
    any_api.make_link(ARTICLE, code="taken")
    response = any_api.post("/links", json={"url": OTHER, "code": "taken"})
    assert response.status_code == 409
    assert _error(response)["code"] == "code_taken"
    assert "'taken'" in _error(response)["message"]
    assert any_api.get("/links/taken").get_json()["url"] == ARTICLE


def test_a_random_code_cannot_be_asked_for_again(any_api):
    random_code = any_api.make_link(ARTICLE)["code"]
    response = any_api.post("/links", json={"url": OTHER, "code": random_code})
    assert (response.status_code, _error(response)["code"]) == (409, "code_taken")


def test_a_deleted_links_code_is_taken_for_good(any_app, any_api):
    any_api.make_link(ARTICLE, code="gone-for-good")
    assert (
        any_api.client.delete("/api/v1/links/gone-for-good", headers=any_api._headers()).status_code
        == 204
    )
    before = _count(any_app)
    for url in (OTHER, ARTICLE):  # another article, and the same one registered again
        response = any_api.post("/links", json={"url": url, "code": "gone-for-good"})
        assert (response.status_code, _error(response)["code"]) == (409, "code_taken")
    assert _count(any_app) == before, "a refused code writes nothing"
    assert any_app.test_client().get("/s/gone-for-good").status_code == 410


def test_an_existing_url_keeps_its_code(any_api):
    first = any_api.post("/links", json={"url": ARTICLE, "code": "first"})
    assert first.status_code == 201
    same = any_api.post("/links", json={"url": ARTICLE, "code": "first"})
    assert (same.status_code, same.get_json()["code"]) == (200, "first")
    plain = any_api.post("/links", json={"url": ARTICLE})
    assert (plain.status_code, plain.get_json()["code"]) == (200, "first")
    other = any_api.post("/links", json={"url": ARTICLE, "code": "second"})
    assert other.status_code == 409
    assert _error(other)["code"] == "url_registered"
    assert "'first'" in _error(other)["message"]
    assert any_api.get("/links/second").status_code == 404, "nothing registered under it"


@pytest.mark.parametrize(
    "code",
    ["ab", "x" * 33, "", "has space", "dot.ted", "slash/ed", "café", "中文码", "a%20b", "tab\t1"],
)
def test_malformed_codes_are_400_naming_the_rule(any_app, any_api, code):
    before = _count(any_app)
    response = any_api.post("/links", json={"url": ARTICLE, "code": code})
    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_code"
    assert "3-32" in _error(response)["message"]
    assert _count(any_app) == before


@pytest.mark.parametrize("code", [123, True, ["abc"], {"c": "abc"}])
def test_a_code_that_is_not_a_string_is_400(api, code):
    response = api.post("/links", json={"url": ARTICLE, "code": code})
    assert (response.status_code, _error(response)["code"]) == (400, "invalid_code")


def test_null_code_draws_a_random_one(api):
    response = api.post("/links", json={"url": ARTICLE, "code": None})
    assert response.status_code == 201
    assert len(response.get_json()["code"]) == codes.LENGTH


@pytest.mark.parametrize(
    "word",
    ["admin", "ADMIN", "Api", "card", "CARDS", "static", "healthz", "embed", "Demo", "Widget"],
)
def test_reserved_words_are_400_in_any_case(api, word):
    response = api.post("/links", json={"url": ARTICLE, "code": word})
    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_code"


@pytest.mark.parametrize("word", ["healthz", "static", "admin", "api", "embed", "demo"])
def test_reserved_words_name_the_reason(api, word):
    response = api.post("/links", json={"url": ARTICLE, "code": word.upper()})
    assert (response.status_code, _error(response)["code"]) == (400, "invalid_code")
    assert "reserved" in _error(response)["message"]


def test_every_routed_first_segment_is_refused(app, api):
    routed = codes.first_segments(rule.rule for rule in app.url_map.iter_rules())
    assert {"admin", "api", "s", "qr", "static"} <= routed
    shaped = sorted(w for w in routed if codes.CODE_RE.fullmatch(w))
    assert shaped, "some routed words have a code's shape"
    for word in shaped:
        for variant in (word, word.upper(), word.capitalize()):
            response = api.post("/links", json={"url": ARTICLE, "code": variant})
            assert response.status_code == 400, variant
            assert _error(response)["code"] == "invalid_code", variant


def test_reserved_words_come_from_the_url_map_at_runtime(sqlite_url, tmp_path):
    app = make_app(sqlite_url, tmp_path)
    try:
        assert "newsroom" not in codes.RESERVED
        app.add_url_rule("/newsroom/<int:n>", "newsroom", lambda n: "")
        api = Api(app)
        response = api.post("/links", json={"url": ARTICLE, "code": "NewsRoom"})
        assert (response.status_code, _error(response)["code"]) == (400, "invalid_code")
        assert api.post("/links", json={"url": ARTICLE, "code": "newsroom2"}).status_code == 201
    finally:
        close_app(app)


def test_a_random_draw_meeting_a_vanity_code_is_drawn_again(any_api, monkeypatch):
    vanity = "abcdefg"  # seven letters of the random alphabet: a random code's shape
    assert all(c in codes.ALPHABET for c in vanity) and len(vanity) == codes.LENGTH
    any_api.make_link(ARTICLE, code=vanity)
    proposing = Proposing(vanity)
    monkeypatch.setattr(codes, "secrets", proposing)
    response = any_api.post("/links", json={"url": OTHER})
    assert response.status_code == 201
    assert proposing.calls == 2 * codes.LENGTH, "the generator proposed the vanity code first"
    assert response.get_json()["code"] != vanity
    assert any_api.get(f"/links/{vanity}").get_json()["url"] == ARTICLE


@pytest.mark.parametrize(
    "value, ok",
    [
        ("abc", True),
        ("x" * 32, True),
        ("a-b_C9", True),
        (codes.new_code(), True),
        ("ab", False),
        ("x" * 33, False),
        ("a.b", False),
        ("a b", False),
        ("ab\n", False),
        ("", False),
    ],
)
def test_looks_like_code_takes_random_and_vanity_shapes(value, ok):
    assert codes.looks_like_code(value) is ok


def test_vanity_codes_elsewhere_in_the_api(any_api):
    any_api.make_link(ARTICLE, code="Elsewhere")
    patched = any_api.patch("/links/Elsewhere", json={"title": "Changed"})
    assert patched.status_code == 200 and patched.get_json()["title"] == "Changed"
    assert any_api.get("/links/Elsewhere/stats").status_code == 200
    assert any_api.get("/links/elsewhere").status_code == 404, "codes are case-sensitive"
