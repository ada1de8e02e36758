"""Small files in the instance folder that exactly one process creates.

Several gunicorn workers start at once: ``O_EXCL`` lets the first write the
value and the others read the same one (the secret key, a spool's id).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], str], what: str) -> str:
    """The text in ``path``, written with ``make()`` by whichever process comes first."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it ({what})") from None
    value = make()
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
