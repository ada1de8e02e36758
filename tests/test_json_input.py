"""JSON bodies that cannot be decoded safely get 400 ``invalid_json`` and write nothing.

On SQLite and PostgreSQL, for ``POST /api/v1/links`` and ``PATCH
/api/v1/links/<code>``: nesting 100,000 deep (once a RecursionError 500),
lone UTF-16 surrogates in any string field (once a UnicodeEncodeError 500
from the database driver), NUL characters (PostgreSQL refuses them), plus
non-objects, other content types, bytes that are not UTF-8 and oversized
bodies. Every answer has the contract's error shape and a sentence of ours.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from share import services

JSON = {"Content-Type": "application/json"}
URL = "https://news.example.com/a/1"
DEEP = b"[" * 100_000 + b"]" * 100_000
# Words of Python's own exception texts that must never reach a caller.
PYTHON_WORDS = ("Error", "Traceback", "codec", "Expecting", "recursion", "surrogates not allowed")


def _object(field: str, raw_value: bytes, url: bytes = URL.encode()) -> bytes:
    """A body with ``field`` set to ``raw_value`` (JSON text), plus the url when it is another."""
    if field == "url":
        return b'{"url": ' + raw_value + b"}"
    return b'{"url": "' + url + b'", "' + field.encode() + b'": ' + raw_value + b"}"


def _patch_object(field: str, raw_value: bytes) -> bytes:
    return b'{"' + field.encode() + b'": ' + raw_value + b"}"


# (id, raw JSON value) placed in each string field in turn
HOSTILE_STRINGS = [
    ("lone-high-surrogate", b'"x\\ud800y"'),
    ("lone-low-surrogate", b'"x\\udc00y"'),
    ("reversed-pair", b'"\\ude00\\ud83d"'),
    ("trailing-high-surrogate", b'"https://news.example.com/a\\ud83d"'),
    ("nul", b'"x\\u0000y"'),
    ("nul-at-end", b'"https://news.example.com/a\\u0000"'),
]
# (id, whole body) for POST
POST_BODIES = [
    ("nested-100000-at-top", DEEP),
    ("nested-100000-in-field", _object("title", DEEP)),
    ("nested-40-in-field", _object("title", b"[" * 40 + b"]" * 40)),
    ("surrogate-in-key", b'{"url": "' + URL.encode() + b'", "x\\ud800": 1}'),
    ("nul-in-key", b'{"url": "' + URL.encode() + b'", "ti\\u0000tle": "x"}'),
    ("surrogate-in-nested-string", _object("title", b'["ok", {"a": "\\udfff"}]')),
    ("nan", _object("title", b"NaN")),
    ("infinity", _object("title", b"-Infinity")),
    ("5000-digit-number", _object("title", b"1" * 5000)),
    ("array", b'[{"url": "' + URL.encode() + b'"}]'),
    ("string", b'"' + URL.encode() + b'"'),
    ("number", b"42"),
    ("null", b"null"),
    ("empty", b""),
    ("truncated", b'{"url": "' + URL.encode()),
    ("not-utf8", b'{"url": "' + URL.encode() + b'", "title": "\xff\xfe"}'),
    ("latin1", '{"url": "{}", "title": "café"}'.replace("{}", URL).encode("latin-1")),
    ("utf16", ('{"url": "' + URL + '"}').encode("utf-16")),
    ("encoded-surrogate", b'{"url": "' + URL.encode() + b'", "title": "\xed\xa0\x80"}'),
    ("utf8-bom", b"\xef\xbb\xbf" + ('{"url": "' + URL + '"}').encode()),
]
PATCH_BODIES = [
    ("nested-100000-at-top", DEEP),
    ("nested-100000-in-field", _patch_object("title", DEEP)),
    ("surrogate-in-key", b'{"title": "ok", "x\\ud800": 1}'),
    ("nan", _patch_object("disabled", b"NaN")),
    ("array", b'[{"title": "x"}]'),
    ("null", b"null"),
    ("not-utf8", b'{"title": "\xff"}'),
    ("encoded-surrogate", b'{"title": "\xed\xb0\x80"}'),
]
WRONG_TYPES = [
    ("text/plain", "text/plain"),
    ("form", "application/x-www-form-urlencoded"),
    ("none", None),
    ("multipart", "multipart/form-data; boundary=x"),
]


def _rows(app) -> list[dict]:
    """Every stored link row, so 'nothing was written' compares the whole table."""
    with services.of(app).engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM links ORDER BY id"))]


def assert_invalid_json(response, status: int = 400, code: str = "invalid_json") -> None:
    assert response.status_code == status, response.get_data()[:300]
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert message and message.endswith("."), message
    assert not any(word in message for word in PYTHON_WORDS), message


def _post_raw(api, body: bytes, content_type: str | None = "application/json"):
    headers = {"Content-Type": content_type} if content_type else {}
    return api.post("/links", data=body, headers=headers)


def _patch_raw(api, code: str, body: bytes, content_type: str | None = "application/json"):
    headers = {"Content-Type": content_type} if content_type else {}
    return api.patch(f"/links/{code}", data=body, headers=headers)


STRING_FIELDS_POST = ("url", "title", "description", "image")
STRING_FIELDS_PATCH = ("title", "description", "image")


@pytest.mark.parametrize("field", STRING_FIELDS_POST)
@pytest.mark.parametrize(
    "value", [v for _, v in HOSTILE_STRINGS], ids=[i for i, _ in HOSTILE_STRINGS]
)
def test_post_refuses_unstorable_strings_in_every_field(any_api, field, value):
    assert_invalid_json(_post_raw(any_api, _object(field, value)))
    assert _rows(any_api.app) == []


@pytest.mark.parametrize("field", STRING_FIELDS_PATCH)
@pytest.mark.parametrize(
    "value", [v for _, v in HOSTILE_STRINGS], ids=[i for i, _ in HOSTILE_STRINGS]
)
def test_patch_refuses_unstorable_strings_in_every_field(any_api, field, value):
    link = any_api.make_link(URL, title="Keep", description="Keep too")
    before = _rows(any_api.app)
    assert_invalid_json(_patch_raw(any_api, link["code"], _patch_object(field, value)))
    assert _rows(any_api.app) == before


@pytest.mark.parametrize("body", [b for _, b in POST_BODIES], ids=[i for i, _ in POST_BODIES])
def test_post_refuses_bodies_json_cannot_decode_safely(any_api, body):
    assert_invalid_json(_post_raw(any_api, body))
    assert _rows(any_api.app) == []


@pytest.mark.parametrize("body", [b for _, b in PATCH_BODIES], ids=[i for i, _ in PATCH_BODIES])
def test_patch_refuses_bodies_json_cannot_decode_safely(any_api, body):
    link = any_api.make_link(URL, title="Keep")
    before = _rows(any_api.app)
    assert_invalid_json(_patch_raw(any_api, link["code"], body))
    assert _rows(any_api.app) == before


@pytest.mark.parametrize(
    "content_type", [t for _, t in WRONG_TYPES], ids=[i for i, _ in WRONG_TYPES]
)
def test_other_content_types_are_invalid_json(any_api, content_type):
    body = ('{"url": "' + URL + '", "title": "x"}').encode()
    assert_invalid_json(_post_raw(any_api, body, content_type))
    assert _rows(any_api.app) == []
    link = any_api.make_link(URL, title="Keep")
    before = _rows(any_api.app)
    assert_invalid_json(_patch_raw(any_api, link["code"], b'{"title": "x"}', content_type))
    assert _rows(any_api.app) == before


def test_oversized_bodies_are_413_in_the_error_shape(any_api):
    big = b'{"url": "' + URL.encode() + b'", "title": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    assert_invalid_json(_post_raw(any_api, big), status=413, code="too_large")
    assert _rows(any_api.app) == []
    link = any_api.make_link(URL, title="Keep")
    before = _rows(any_api.app)
    response = _patch_raw(any_api, link["code"], b'{"title": "' + b"x" * (3 * 1024 * 1024) + b'"}')
    assert_invalid_json(response, status=413, code="too_large")
    assert _rows(any_api.app) == before


def test_paired_surrogates_and_plain_unicode_are_stored(any_api):
    """The refusal is exact: an escaped emoji (a valid pair) and CJK text go through."""
    body = (
        '{"url": "' + URL + '", "title": "\\ud83d\\ude00 夜跑", "description": "a\\tb"}'
    ).encode()
    response = _post_raw(any_api, body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["title"] == "\U0001f600 夜跑"
    code = response.get_json()["code"]
    patched = _patch_raw(any_api, code, b'{"title": "\\u4e2d\\u6587 ok"}')
    assert patched.status_code == 200
    assert patched.get_json()["title"] == "中文 ok"


def test_json_with_charset_and_suffix_types_is_accepted(any_api):
    body = ('{"url": "' + URL + '"}').encode()
    assert _post_raw(any_api, body, "application/json; charset=utf-8").status_code == 201
    again = _post_raw(any_api, body, "application/merge-patch+json")
    assert again.status_code == 200


def test_patch_on_an_unknown_code_is_404_whatever_the_body(any_api):
    response = _patch_raw(any_api, "zzzzzzz", DEEP)
    assert_invalid_json(response, status=404, code="not_found")
