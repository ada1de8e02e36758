"""Short codes: random, unambiguous, never sequential; or chosen (vanity) by an API caller.

Seven characters from a 56-letter alphabet without 0/O/1/l/I give about
1.7e12 codes, so guessing a live code by enumeration is hopeless and a
collision on insert (retried by the caller) is rare. A deleted link's code
stays taken (its row is kept as a tombstone in the unique ``links.code``),
so a draw that hits it collides like any other and is drawn again: a
printed QR code never starts leading to someone else's article.

A vanity code is 3-32 of ``[A-Za-z0-9_-]``. It lives in the same unique
column as random codes, so whichever is inserted second collides: a random
draw is simply drawn again, a vanity request answers ``409 code_taken``.
Words the app routes as a first path segment (``admin``, ``api``, ``s``…)
and a fixed list kept for future routes are refused in any letter case, so
a code never reads like one of the service's own pages.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from share.errors import InputError

ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 7
VANITY_MIN, VANITY_MAX = 3, 32
#: Every code the redirect accepts: random codes (7-16 of ALPHABET) are a subset.
CODE_RE = re.compile(rf"[A-Za-z0-9_-]{{{VANITY_MIN},{VANITY_MAX}}}")
VANITY_RULE = f"{VANITY_MIN}-{VANITY_MAX} characters of A-Z, a-z, 0-9, '_' and '-'"

#: Reserved whether or not a route uses them yet (compared lower-cased).
RESERVED = frozenset(
    {
        "admin",
        "api",
        "s",
        "qr",
        "card",
        "cards",
        "t",
        "o",
        "static",
        "healthz",
        "widget.js",
        "widget",
        "embed",
        "demo",
        "favicon.ico",
        "robots.txt",
        "login",
        "logout",
        "docs",
        "openapi.json",
        "stats",
        "share",
    }
)


class CodeTaken(InputError):
    """The requested vanity code belongs to another link (live or deleted): a 409."""

    status = 409


def new_code(length: int = LENGTH) -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def looks_like_code(value: str) -> bool:
    """Cheap check before touching the database with a path segment (random or vanity shape)."""
    return bool(CODE_RE.fullmatch(value))


def first_segments(rules: Iterable[str]) -> frozenset[str]:
    """The literal first path segments of URL rules (``/admin/x`` -> ``admin``), lower-cased.

    A rule whose first segment is a variable (``/<code>``) reserves nothing.
    """
    out = set()
    for rule in rules:
        head = rule.lstrip("/").split("/", 1)[0]
        if head and "<" not in head:
            out.add(head.lower())
    return frozenset(out)


def check_vanity(code: object, reserved: Iterable[str] = ()) -> str:
    """``code`` when it may be asked for; else ``InputError("invalid_code")`` naming the rule.

    ``reserved`` adds the app's routed first segments (lower-case) to :data:`RESERVED`.
    """
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise InputError("invalid_code", f"`code` must be {VANITY_RULE}.")
    lowered = code.lower()
    if lowered in RESERVED or lowered in frozenset(reserved):
        raise InputError(
            "invalid_code",
            f"`code` {code!r} is reserved: it names one of this service's own paths "
            "(in any letter case); choose another.",
        )
    return code
