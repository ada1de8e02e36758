"""Dashboard accounts: scrypt-hashed passwords, one answer for every failure.

:func:`authenticate` spends the same scrypt work whether the username exists
or not (it checks against a dummy hash for unknown names), so neither the
answer nor its timing tells an attacker which accounts exist. Throttling is
the web layer's job (it knows the client); this module only decides.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from sqlalchemy import Engine
from werkzeug.security import check_password_hash, generate_password_hash

from share.clock import stored_now
from share.storage import admins as store

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_METHOD = "scrypt"  # werkzeug's scrypt: N=2**15, r=8, p=1, 16-byte salt


class AdminError(ValueError):
    """A username or password the operator must change."""


def _hash(password: str) -> str:
    return generate_password_hash(password, method=_METHOD)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hash("not the password of any account")


def validate(username: str, password: str) -> None:
    """Raise :class:`AdminError`, in words the operator can act on, unless both are acceptable."""
    if not _USERNAME.fullmatch(username or ""):
        raise AdminError("Usernames are 1-64 letters, digits or . _ @ -.")
    if len(password or "") < MIN_PASSWORD:
        raise AdminError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AdminError(f"Passwords are at most {MAX_PASSWORD} characters.")


def create(engine: Engine, username: str, password: str) -> int:
    """Create an admin; raises :class:`AdminError` for bad input or a taken name."""
    validate(username, password)
    if store.by_username(engine, username):
        raise AdminError(f"An admin called {username!r} already exists.")
    try:
        return store.insert(engine, username, _hash(password), stored_now())
    except store.DuplicateAdmin:
        raise AdminError(f"An admin called {username!r} already exists.") from None


def set_password(engine: Engine, username: str, password: str) -> None:
    """Replace an admin's password; :class:`AdminError` for an unknown name or a weak password.

    Every session logged in as that admin ends with it (see :func:`session_key`):
    a reset is what an operator does after a password leaked.
    """
    validate(username, password)
    row = store.by_username(engine, username)
    if row is None:
        raise AdminError(f"No admin is called {username!r}.")
    store.set_password(engine, row["id"], _hash(password))


def authenticate(engine: Engine, username: str, password: str) -> dict | None:
    """The admin row when the password is right; ``None`` for any failure."""
    username = (username or "")[:64]
    password = (password or "")[:MAX_PASSWORD]
    row = store.by_username(engine, username) if username else None
    ok = check_password_hash(row["password_hash"] if row else _dummy_hash(), password)
    if not (row and ok):
        return None
    store.touch_login(engine, row["id"], stored_now())
    return {"id": row["id"], "username": row["username"], "key": session_key(row)}


def session_key(row: dict) -> str:
    """What a session carries to prove it was opened with the admin's current password.

    A digest of the stored password hash (itself salted): a new password gives
    a new key, so sessions opened before a reset stop being accepted, with no
    session table to keep. The hash itself never leaves the database.
    """
    digest = hashlib.sha256(b"admin-session:" + row["password_hash"].encode()).hexdigest()
    return digest[:32]


def get(engine: Engine, admin_id: int, key: str | None) -> dict | None:
    """``{"id", "username"}`` of a session's admin; None once the account no longer exists
    or its password changed since the session was opened (``key`` no longer matches)."""
    row = store.by_id(engine, admin_id)
    if row is None or not isinstance(key, str) or not hmac.compare_digest(key, session_key(row)):
        return None
    return {"id": row["id"], "username": row["username"]}
