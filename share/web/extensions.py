"""Flask extensions shared by the blueprints: rate limits, CSRF, proxy headers.

The limiter keeps its counters in memory by default and in Redis when
``REDIS_URL`` is set, so limits hold across gunicorn workers and machines.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix


def client_address() -> str:
    """The client's address for rate limiting (proxy headers already applied)."""
    return request.remote_addr or "unknown"


limiter = Limiter(
    key_func=client_address, default_limits=[], headers_enabled=True, strategy="moving-window"
)
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "scanshare")
    limiter.init_app(app)
    csrf.init_app(app)
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
