"""The JSON API under ``/api/v1`` (see ``openapi.py`` for its description)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request

from share import services
from share.links import codes
from share.links import service as links
from share.links.urls import host_allowed, host_of, normalise_url
from share.stats import bytag
from share.stats import perlink as stats

from ..db import get_engine
from ..errors import InputError
from .auth import require_api_key
from .errors import ApiError
from .extensions import csrf, limiter, share_rate_limit
from .lookup import counted_engine, get_link_or_404
from .openapi import spec
from .publicurl import public_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer keys, no cookies: nothing for a cross-site form to ride on

MAX_JSON_DEPTH = 32
# What no database can store faithfully: NUL (PostgreSQL refuses it) and
# UTF-16 surrogates left unpaired by a "\ud800" escape (not encodable as UTF-8).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _on_created():
    """The metadata fetch run for each new link, when the app has one."""
    return services.current().on_created


def _invalid_json(message: str) -> InputError:
    return InputError("invalid_json", message)


_TOO_DEEP = f"The body is nested more than {MAX_JSON_DEPTH} levels deep."


def _json_body() -> dict:
    """The request's JSON object, or a 400 ``invalid_json`` saying what is wrong with it.

    Stricter than ``request.get_json``: UTF-8 only, no ``NaN``/``Infinity``,
    at most :data:`MAX_JSON_DEPTH` levels, and no string (key or value) with
    a NUL or an unpaired surrogate, so what passes here can be stored as is.
    A body over ``MAX_CONTENT_LENGTH`` is a 413 before any of this.
    """
    if not request.is_json:
        raise _invalid_json("Send a JSON object with Content-Type: application/json.")
    body = _decode(request.get_data())
    if not isinstance(body, dict):
        raise _invalid_json("Send a JSON object ({...}), not an array, string, number or null.")
    _check_storable(body)
    return body


def _decode(raw: bytes) -> object:
    """Parse ``raw``; each failure becomes a sentence of ours, never the parser's text."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise _invalid_json("The body is not valid UTF-8; send JSON encoded as UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise _invalid_json(
            f"The body is not valid JSON (line {exc.lineno}, column {exc.colno}); "
            "send one JSON object."
        ) from None
    except RecursionError:  # e.g. 100,000 nested brackets: the parser gives up cleanly
        raise _invalid_json(_TOO_DEEP) from None
    except ValueError:  # NaN/Infinity, or an integer of thousands of digits
        raise _invalid_json(
            "The body holds a number JSON cannot carry (NaN, Infinity or thousands of "
            "digits); send plain numbers."
        ) from None


def _no_constant(name: str):
    raise ValueError(name)  # NaN, Infinity and -Infinity are not JSON


def _check_storable(body: dict) -> None:
    """Refuse deep nesting and strings no database column can hold (walked without recursion)."""
    pending = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise _invalid_json(_TOO_DEEP)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            for text in (key, item):
                if isinstance(text, str) and _UNSTORABLE.search(text):
                    raise _invalid_json(
                        "Strings in the body must not contain NUL characters (\\u0000) "
                        "or unpaired UTF-16 surrogates (\\ud800-\\udfff)."
                    )
            if isinstance(item, dict | list):
                pending.append((item, depth + 1))


def _create(url: str, *, background: bool = False, **fields):
    """Register ``url``; the metadata fetch runs inline, or after the answer.

    The public share route fetches in a background thread: a reader waiting
    for the widget's QR must not wait for the publisher's page as well.
    """
    hook = _on_created()
    if hook is not None and background:
        inline, pool = hook, services.current().background_fetches

        def hook(engine, link):
            pool.submit(lambda: inline(engine, link), link.code)
            return link

    return links.create(get_engine(), url, on_created=hook, **fields)


@bp.get("/share")
@limiter.limit(share_rate_limit)
def share():
    """Public: the link for an article, registered on first use for allowed hosts."""
    url = normalise_url(request.args.get("url"))
    link = links.find_by_url(get_engine(), url)
    if link is None:
        if not host_allowed(host_of(url), current_app.config["ALLOWED_HOSTS"]):
            raise ApiError(
                403,
                "host_not_allowed",
                f"Articles on {host_of(url)} are not registered by this service; "
                "ask its operator to add the host to SHARE_ALLOWED_HOSTS.",
            )
        link, _ = _create(url, background=True)
    response = jsonify(link.to_json(public_url()))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.after_request
def _cors(response):
    if request.endpoint in ("api.share", "api.openapi"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Vary"] = "Origin"
    return response


@bp.post("/links")
@require_api_key
def create_link():
    """Register a URL: 201 when new; 200 with the existing link, its overrides left unchanged."""
    body = _json_body()
    unknown = set(body) - {"url", "title", "description", "image", "tags", "code", "utm"}
    if unknown:
        raise InputError(
            "unknown_field",
            f"Unknown fields: {', '.join(sorted(unknown))}; "
            "use url, title, description, image, tags, code, utm.",
        )
    url = normalise_url(body.get("url"))
    link, created = _create(
        url,
        title=body.get("title"),
        description=body.get("description"),
        image=body.get("image"),
        tags=body.get("tags"),
        code=body.get("code"),
        utm=body.get("utm"),
        reserved=_routed_words(),
    )
    return jsonify(link.to_json(public_url())), 201 if created else 200


def _routed_words() -> frozenset[str]:
    """First path segments the app routes (``admin``, ``api``…): no vanity code may take one."""
    return codes.first_segments(rule.rule for rule in current_app.url_map.iter_rules())


@bp.get("/links")
@require_api_key
def list_links():
    """Newest first, ``limit`` (1-100) a page; pass ``next_cursor`` back as ``cursor`` for more.

    ``tag`` keeps the links carrying that campaign tag (compared case-insensitively).
    """
    limit_raw = request.args.get("limit", "20")
    if not re.fullmatch(r"[0-9]{1,3}", limit_raw) or not 1 <= int(limit_raw) <= 100:
        raise InputError("invalid_limit", "`limit` must be a whole number from 1 to 100.")
    limit = int(limit_raw)
    cursor = _decode_cursor(request.args.get("cursor"))
    page = links.page(get_engine(), limit + 1, cursor, request.args.get("tag") or None)
    base = public_url()
    next_cursor = _encode_cursor(page[limit - 1]) if len(page) > limit else None
    return jsonify(links=[link.to_json(base) for link in page[:limit]], next_cursor=next_cursor)


def _encode_cursor(link: links.Link) -> str:
    raw = f"{link.created_at.isoformat()}|{link.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(raw: str | None):
    if not raw:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        created, link_id = text.split("|")
        return datetime.fromisoformat(created), int(link_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InputError(
            "invalid_cursor", "`cursor` must be a `next_cursor` value from a previous page."
        ) from None


@bp.get("/links/<code>")
@require_api_key
def get_link(code: str):
    """One link's JSON, overrides applied; a JSON 404 when the code is unknown."""
    return jsonify(get_link_or_404(code, api=True).to_json(public_url()))


@bp.patch("/links/<code>")
@require_api_key
def patch_link(code: str):
    """Change overrides or ``disabled``; setting title, description or image renews its cards."""
    get_link_or_404(code, api=True)
    link = links.update(get_engine(), code, _json_body())
    if link is None:  # deleted by another request since the look-up
        raise _deleted(code)
    return jsonify(link.to_json(public_url()))


@bp.delete("/links/<code>")
@require_api_key
def delete_link(code: str):
    """Delete a link with its scans, opens and roll-ups: 204; its code answers 410 from now on."""
    get_link_or_404(code, api=True)
    if not links.delete(get_engine(), code, after=services.current().card_store.forget_link):
        raise _deleted(code)  # by another request, between the look-up and the deletion
    return "", 204


def _deleted(code: str) -> ApiError:
    """The 410 for a link deleted while a request about it was under way."""
    return ApiError(410, "gone", f"The link {code!r} has been deleted.")


@bp.post("/links/<code>/refresh")
@require_api_key
def refresh_link(code: str):
    """Fetch the article's metadata again (within FETCH_TIMEOUT); overrides still win."""
    from ..metadata.hook import refresh

    get_link_or_404(code, api=True)
    link = refresh(get_engine(), code, services.current().fetch_policy)
    if link is None:  # deleted while its article was being fetched
        raise _deleted(code)
    return jsonify(link.to_json(public_url()))


@bp.get("/links/<code>/stats")
@require_api_key
def link_stats(code: str):
    """The public stats JSON of one link; with no parameters, the last 30 UTC days by day."""
    link = get_link_or_404(code, api=True)
    query = stats.StatsQuery.parse(
        request.args.get("from"),
        request.args.get("to"),
        request.args.get("bucket"),
        tz=request.args.get("tz"),
    )
    return jsonify(stats.link_stats(counted_engine(), link.id, query))


@bp.get("/tags")
@require_api_key
def list_tags():
    """Every campaign tag in use with its live links and human scans of the last 30 UTC days."""
    return jsonify(bytag.summary(counted_engine()))


@bp.get("/tags/<tag>/stats")
@require_api_key
def tag_stats(tag: str):
    """The link-stats JSON summed over a tag's links; 404 when no live link carries the tag."""
    query = stats.StatsQuery.parse(
        request.args.get("from"),
        request.args.get("to"),
        request.args.get("bucket"),
        tz=request.args.get("tz"),
    )
    numbers = bytag.tag_stats(counted_engine(), tag, query)
    if numbers is None:
        raise ApiError(404, "not_found", f"No link carries the tag {tag[:40]!r}.")
    return jsonify(numbers)


@bp.get("/openapi.json")
def openapi():
    """The API description with this server's URL; public and open to other origins (CORS)."""
    return jsonify(spec(public_url()))
