"""API keys: shown once, stored as a SHA-256 hash, looked up by prefix.

A key reads ``<prefix>.<secret>``; the prefix (public, unique) finds the row,
the hash of the whole key proves it. Keys are high-entropy random strings, so
a fast hash is enough (a password hash would only slow every API call).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from sqlalchemy import Engine

from share.clock import stored_now
from share.storage import apikeys as store

_KEY_RE = re.compile(r"([A-Za-z0-9]{8})\.([A-Za-z0-9_-]{20,64})")
_TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A name or prefix the caller must fix."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(engine: Engine, name: str) -> str:
    """Create a key named ``name`` and return it; it is never shown again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApiKeyError("Give the key a name of 1 to 100 characters.")
    prefix = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    store.insert(
        engine, {"name": name, "prefix": prefix, "key_hash": _hash(key), "created_at": stored_now()}
    )
    return key


def verify(engine: Engine, presented: str | None) -> dict | None:
    """Return the key's row when ``presented`` is a live key, else ``None``."""
    match = _KEY_RE.fullmatch(presented or "")
    if not match:
        return None
    row = store.by_prefix(engine, match.group(1))
    if not row or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(row["key_hash"], _hash(presented)):
        return None
    now = stored_now()
    if row["last_used_at"] is None or now - row["last_used_at"] > _TOUCH_EVERY:
        store.touch(engine, row["id"], now)
    return row


def revoke(engine: Engine, prefix: str) -> int:
    """Revoke live keys whose prefix starts with ``prefix`` (at least 4 characters)."""
    prefix = (prefix or "").strip()
    if len(prefix) < 4:
        raise ApiKeyError("Give at least the first 4 characters of the key's prefix.")
    return store.revoke(engine, prefix, stored_now())


def list_keys(engine: Engine) -> list[dict]:
    """Every key, newest first, without hashes."""
    return [{k: v for k, v in row.items() if k != "key_hash"} for row in store.all_keys(engine)]
