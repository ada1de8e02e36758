"""What every answer carries, whatever view made it: the headers, the cookie flags, the icon.

- ``X-Content-Type-Options: nosniff`` on every response, so a browser never
  runs a JSON body or an uploaded image as script or style.
- ``Retry-After`` only where it means something (429 and 503): the limiter
  adds it to every limited answer, and a 200 telling clients to wait
  confuses them and caches.
- Cookies are ``Secure`` whenever the request came over https — directly,
  or through the ``SHARE_PROXY_COUNT`` proxies whose ``X-Forwarded-Proto``
  is trusted — not only when ``SHARE_PUBLIC_URL`` says https.
- ``/favicon.ico``: browsers ask every page for it; the brand mark answers.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

from share import clock

#: statuses whose ``Retry-After`` tells the client when to come back
_WAIT_STATUSES = (429, 503)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, ``Secure`` for every request that came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """The setting, or the request's own scheme (proxy headers applied by ProxyFix)."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def _every_response(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code not in _WAIT_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


def _favicon_view(icon: bytes):
    """``/favicon.ico`` from memory: 6 KB read once, no file handle per request."""

    def favicon():
        response = Response(icon, mimetype="image/x-icon")
        response.cache_control.public = True
        response.cache_control.max_age = 7 * clock.DAY
        return response

    return favicon


def init_app(app: Flask) -> None:
    """Install the session interface, the favicon and the response hook.

    Call before the limiter is bound: Flask runs ``after_request`` hooks in
    reverse order, so this one then runs after the limiter's and sees its
    headers.
    """
    app.session_interface = SessionInterface()
    app.after_request(_every_response)
    icon = (Path(app.static_folder) / "favicon.ico").read_bytes()
    app.add_url_rule("/favicon.ico", "favicon", _favicon_view(icon))
