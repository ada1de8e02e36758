"""Short codes: random, unambiguous, never sequential.

Seven characters from a 56-letter alphabet without 0/O/1/l/I give about
1.7e12 codes, so guessing a live code by enumeration is hopeless and a
collision on insert (retried by the caller) is rare. A deleted link's code
stays taken (its row is kept as a tombstone in the unique ``links.code``),
so a draw that hits it collides like any other and is drawn again: a
printed QR code never starts leading to someone else's article.
"""

import re
import secrets

ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 7
CODE_RE = re.compile(rf"[{ALPHABET}]{{{LENGTH},16}}")


def new_code(length: int = LENGTH) -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def looks_like_code(value: str) -> bool:
    """Cheap check before touching the database with a path segment."""
    return bool(CODE_RE.fullmatch(value))
