"""Flask extensions shared by the blueprints: rate limits, CSRF, proxy headers.

The limiter counts in the app's database, or in Redis when ``REDIS_URL`` is
set (:mod:`.limitstore`): never in one worker's memory, so a limit holds
across gunicorn workers and instances.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import limitstore


def client_address() -> str:
    """A stand-in for the client's address in rate-limit keys.

    Limits are counted per client, but the counters live in memory or Redis,
    where a raw IP would be stored; a keyed hash of it counts the same and
    stores no address. Proxy headers are already applied by ProxyFix.
    """
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode() if isinstance(secret, str) else secret
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(key, b"ratelimit:" + address, hashlib.sha256).hexdigest()[:24]


def share_rate_limit() -> str:
    """The per-client limit of the public routes (`SHARE_RATE_LIMIT`), read per request."""
    return current_app.config["SHARE_RATE_LIMIT"]


limiter = Limiter(
    key_func=client_address, default_limits=[], headers_enabled=True, strategy="moving-window"
)
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Bind the limiter and CSRF; trust X-Forwarded-For and -Proto from ``PROXY_COUNT`` proxies.

    X-Forwarded-Host is ignored: ``TRUSTED_HOSTS`` and ``public_url`` see the Host header itself.
    """
    app.config["RATELIMIT_STORAGE_URI"] = limitstore.URI
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "scanshare")
    limiter.init_app(app)
    csrf.init_app(app)
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
