"""The contract lives in the repository and stays in step with the code.

``docs/contract.md`` names every ``/api/v1`` route, every error code the code
base can answer with and every setting; ``/api/v1/openapi.json`` lists the
required fields of each schema and declares 405 and 413; every route answers
a method it does not serve with 405 and an ``Allow`` header.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from werkzeug.routing import Map

from share.settings import SETTINGS
from share.web.errors import _CODES

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
PARAM_HELPERS = ("int_param", "choice_param", "colour_param")


def _text(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _input_error_classes(trees) -> set[str]:
    """``InputError`` and every class that derives from it, however indirectly."""
    found, grew = {"InputError"}, True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in found
                    and any(getattr(base, "id", None) in found for base in node.bases)
                ):
                    found.add(node.name)
                    grew = True
    return found


def _code_of(call: ast.Call, classes: set[str]) -> str | None:
    """The error code a call raises or answers with, when it is written out."""
    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
    args = [_text(a) for a in call.args]
    if name == "OptionError" and args:
        return args[0] and f"invalid_{args[0]}"
    if name in PARAM_HELPERS and len(args) > 1:
        return args[1] and f"invalid_{args[1]}"
    if name in ("ApiError", "json_error") and len(args) > 1:
        return args[1]
    if (name in classes or name == "__init__") and args:  # also super().__init__("invalid_url", …)
        return args[0]
    return None


def error_codes() -> dict[str, str]:
    """Every error code written in ``share/``: ``{code: "file:line"}``."""
    paths = sorted((ROOT / "share").rglob("*.py"))
    trees = [ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in paths]
    classes = _input_error_classes(trees)
    codes = {code: "share/web/errors.py" for code in _CODES.values()}
    for path, tree in zip(paths, trees, strict=True):
        for node in ast.walk(tree):
            found = []
            if isinstance(node, ast.Call):
                found.append(_code_of(node, classes))
            elif isinstance(node, ast.Dict):  # jsonify(error={"code": "…"})
                found += [
                    _text(v) for k, v in zip(node.keys, node.values) if k and _text(k) == "code"
                ]
            for code in found:
                if code and SNAKE.fullmatch(code):
                    codes.setdefault(code, f"{path.relative_to(ROOT)}:{node.lineno}")
    return codes


def test_the_collector_finds_codes_of_every_kind():
    codes = error_codes()
    # an InputError subclass, an ApiError, an OptionError, a *_param helper,
    # a class's own fixed code, the JSON-body check, an HTTP status, an admin twin
    for code in ("invalid_range", "host_not_allowed", "invalid_src", "invalid_ec"):
        assert code in codes
    for code in ("invalid_url", "invalid_json", "method_not_allowed", "login_required"):
        assert code in codes


def test_every_error_code_in_the_code_is_in_the_contract():
    missing = {c: where for c, where in error_codes().items() if f"`{c}`" not in CONTRACT}
    assert not missing, f"error codes missing from docs/contract.md: {missing}"


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield f"{method} {path}"


def test_every_api_route_is_in_the_contract(app):
    routes = set(_api_routes(app))
    assert len(routes) >= 8
    missing = sorted(r for r in routes if f"`{r}`" not in CONTRACT)
    assert not missing, f"/api/v1 routes missing from docs/contract.md: {missing}"


def test_every_setting_is_in_the_contract():
    missing = [s.name for s in SETTINGS if f"`SHARE_{s.name}`" not in CONTRACT]
    assert not missing, f"settings missing from docs/contract.md: {missing}"


def test_every_openapi_parameter_and_field_is_in_the_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {
        p["name"]
        for ops in spec["paths"].values()
        for op in ops.values()
        for p in op.get("parameters", [])
    }
    for schema in ("Link", "Stats"):
        names |= set(spec["components"]["schemas"][schema]["properties"])
    missing = sorted(n for n in names if f"`{n}`" not in CONTRACT)
    assert not missing, f"named in openapi.json but not in docs/contract.md: {missing}"


@pytest.mark.parametrize(
    "doc", ["README.md", *[str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md")]]
)
def test_docs_never_point_outside_the_repository(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    outside = re.findall(r"\.\./[\w./-]*|/work/\S*", text)
    assert not outside, f"{doc} points outside the repository: {outside}"


# -- the OpenAPI document ------------------------------------------------------


def _object_schemas(node, where="#"):
    """Every schema with ``properties`` in the document, with where it sits."""
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from _object_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _object_schemas(value, f"{where}/{i}")


def test_every_answer_schema_requires_each_of_its_fields(client):
    """What the API sends always has every field (``null`` when empty): all are required.

    Request bodies list theirs too, except PATCH, whose fields are all optional.
    """
    spec = client.get("/api/v1/openapi.json").get_json()
    for where, schema in _object_schemas(spec):
        if "requestBody" in where:
            if "/patch/" in where:
                assert "required" not in schema, where
            else:
                assert schema["required"] == ["url"], where
            continue
        assert set(schema.get("required", [])) == set(schema["properties"]), where


def test_answers_have_exactly_the_documented_fields(api, frozen):
    spec = api.get("/openapi.json").get_json()["components"]["schemas"]
    link = api.make_link()
    assert set(link) == set(spec["Link"]["properties"])
    stats = api.get(f"/links/{link['code']}/stats?bucket=hour&from=2026-12-01&to=2026-12-01")
    body = stats.get_json()
    assert set(body) == set(spec["Stats"]["properties"])
    series = spec["Stats"]["properties"]["series"]["items"]["properties"]
    assert set(body["series"][0]) == set(series)


def test_every_operation_declares_405_and_bodies_declare_413(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    allow = spec["components"]["responses"]["MethodNotAllowed"]["headers"]
    assert "Allow" in allow
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "405" in op["responses"], (method, path)
            if "requestBody" in op:
                assert "413" in op["responses"], (method, path)
                assert "400" in op["responses"], (method, path)


def test_stats_parameters_say_their_range_and_zone(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/api/v1/links/{code}/stats"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    for name in ("from", "to"):
        assert params[name]["schema"]["format"] == "date"
        assert "1970-01-01" in params[name]["description"]
        assert "9998-12-31" in params[name]["description"]
        assert "`from` must be on or before `to`" in params[name]["description"]
    assert "31 days" in op["description"] and "3,660 days" in op["description"]
    assert params["tz"]["schema"] == {
        "type": "string",
        "default": "UTC",
        "example": "Asia/Shanghai",
    }
    assert "IANA" in params["tz"]["description"]
    patch = spec["paths"]["/api/v1/links/{code}"]["patch"]
    image = patch["requestBody"]["content"]["application/json"]["schema"]["properties"]["image"]
    assert image["format"] == "uri"


# -- 405 everywhere -----------------------------------------------------------

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _sample_path(rule: str) -> str:
    """A concrete path for ``rule``: the first choice of ``any(…)``, a plausible value otherwise."""

    def value(match: re.Match) -> str:
        converter = match.group(1) or ""
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        return "widget.js" if converter.startswith("path") else "abcdefg"

    return re.sub(r"<(?:([^:>]+):)?[^>]+>", value, rule)


def _allowed(app, path: str) -> set[str]:
    """The methods of every rule that matches ``path`` (rules can overlap, e.g. ``/<action>``)."""
    allowed: set[str] = set()
    for rule in app.url_map.iter_rules():
        alone = Map([rule.empty()], converters=app.url_map.converters).bind("share.test")
        if alone.test(path, method=sorted(rule.methods)[0]):
            allowed |= rule.methods
    return allowed


def test_every_route_answers_other_methods_with_405_and_allow(app):
    client = app.test_client()
    swept = 0
    for rule in sorted({r.rule for r in app.url_map.iter_rules()}):
        path = _sample_path(rule)
        allowed = _allowed(app, path)
        for method in METHODS:
            if method in allowed:
                continue
            response = client.open(path, method=method)
            what = f"{method} {path}"
            assert response.status_code == 405, what
            listed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            assert listed == allowed, f"{what}: Allow {listed} != {allowed}"
            if rule.startswith("/api/v1"):
                assert response.get_json() == {
                    "error": {
                        "code": "method_not_allowed",
                        "message": response.get_json()["error"]["message"],
                    }
                }, what
                assert method in response.get_json()["error"]["message"]
            swept += 1
    assert swept > 100


def test_405_for_a_browser_is_a_page_with_allow(client):
    response = client.delete("/widget.js", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
