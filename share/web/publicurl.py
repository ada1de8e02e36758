"""The base URL printed into QR codes and short links.

``PUBLIC_URL`` when set; otherwise the request's own host, but only when
Flask already vetted it against ``TRUSTED_HOSTS`` or it is a loopback name —
never an arbitrary ``Host`` header, or anyone could mint QR codes pointing at
their own domain through our cache.
"""

from __future__ import annotations

from flask import current_app, request

from .errors import ApiError

_LOCAL = {"localhost", "127.0.0.1", "[::1]", "::1"}


def public_url() -> str:
    """The base printed into links and QR codes; an :class:`ApiError` 400 when it is not known."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    if current_app.config.get("TRUSTED_HOSTS") or host.lower() in _LOCAL:
        return request.host_url.rstrip("/")
    raise ApiError(
        400,
        "public_url_unknown",
        f"This server does not know its public address for host {host!r}; "
        "set SHARE_PUBLIC_URL (or SHARE_TRUSTED_HOSTS).",
    )
