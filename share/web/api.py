"""The JSON API under ``/api/v1`` (see ``openapi.py`` for its description)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request

from .. import links, stats
from ..db import get_engine
from ..urls import InvalidURL, host_allowed, host_of, normalise_url
from .auth import require_api_key
from .errors import ApiError
from .extensions import csrf, limiter, share_rate_limit
from .lookup import get_link_or_404
from .openapi import spec
from .publicurl import public_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer keys, no cookies: nothing for a cross-site form to ride on


def _url_arg(raw) -> str:
    try:
        return normalise_url(raw)
    except InvalidURL as exc:
        raise ApiError(400, "invalid_url", str(exc)) from exc


def _on_created():
    """The metadata fetch run for each new link, when the app has one."""
    return current_app.extensions.get("share.on_created")


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(
            400, "invalid_json", "Send a JSON object with Content-Type: application/json."
        )
    return body


def _create(url: str, *, background: bool = False, **fields):
    """Register ``url``; the metadata fetch runs inline, or after the answer.

    The public share route fetches in a background thread: a reader waiting
    for the widget's QR must not wait for the publisher's page as well.
    """
    hook = _on_created()
    if hook is not None and background:
        inline, pool = hook, current_app.extensions["share.background_fetches"]

        def hook(engine, link):
            pool.submit(lambda: inline(engine, link), link.code)
            return link

    return links.create(get_engine(), url, on_created=hook, **fields)


@bp.get("/share")
@limiter.limit(share_rate_limit)
def share():
    """Public: the link for an article, registered on first use for allowed hosts."""
    url = _url_arg(request.args.get("url"))
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
    body = _json_body()
    unknown = set(body) - {"url", "title", "description", "image"}
    if unknown:
        raise ApiError(400, "unknown_field", f"Unknown fields: {', '.join(sorted(unknown))}.")
    url = _url_arg(body.get("url"))
    link, created = _create(
        url, title=body.get("title"), description=body.get("description"), image=body.get("image")
    )
    return jsonify(link.to_json(public_url())), 201 if created else 200


@bp.get("/links")
@require_api_key
def list_links():
    limit_raw = request.args.get("limit", "20")
    if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= 100:
        raise ApiError(400, "invalid_limit", "`limit` must be a whole number from 1 to 100.")
    limit = int(limit_raw)
    cursor = _decode_cursor(request.args.get("cursor"))
    page = links.page(get_engine(), limit + 1, cursor)
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
        raise ApiError(
            400, "invalid_cursor", "`cursor` must be a `next_cursor` value from a previous page."
        ) from None


@bp.get("/links/<code>")
@require_api_key
def get_link(code: str):
    return jsonify(get_link_or_404(code, api=True).to_json(public_url()))


@bp.patch("/links/<code>")
@require_api_key
def patch_link(code: str):
    get_link_or_404(code, api=True)
    link = links.update(get_engine(), code, _json_body())
    return jsonify(link.to_json(public_url()))


@bp.post("/links/<code>/refresh")
@require_api_key
def refresh_link(code: str):
    """Fetch the article's metadata again (within FETCH_TIMEOUT); overrides still win."""
    from ..metadata.hook import refresh

    get_link_or_404(code, api=True)
    link = refresh(get_engine(), code, current_app.extensions["share.fetch_policy"])
    return jsonify(link.to_json(public_url()))


@bp.get("/links/<code>/stats")
@require_api_key
def link_stats(code: str):
    link = get_link_or_404(code, api=True)
    query = stats.StatsQuery.parse(
        request.args.get("from"),
        request.args.get("to"),
        request.args.get("bucket"),
        tz=request.args.get("tz"),
    )
    return jsonify(stats.link_stats(get_engine(), link.id, query))


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec(public_url()))
