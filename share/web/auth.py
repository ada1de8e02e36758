"""API-key authentication for ``/api/v1`` (``Authorization: Bearer <key>``)."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from share.access import apikeys

from ..db import get_engine
from .errors import ApiError


def require_api_key(view):
    """Reject the request with a 401 JSON error unless it carries a live key."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "unauthorized",
                "Send your API key as `Authorization: Bearer <key>`; "
                "create one with `flask --app app create-api-key NAME`.",
            )
        key = apikeys.verify(get_engine(), token.strip())
        if key is None:
            raise ApiError(
                401, "unauthorized", "This API key is unknown or revoked; create a new one."
            )
        g.api_key = key
        return view(*args, **kwargs)

    return wrapped
