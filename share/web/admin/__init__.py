"""The dashboard under ``/admin``: login, overview, article pages, keys, link creation.

The blueprint and its login guard live in :mod:`.blueprint`; each page's
views in a module of its own, imported here so they are registered.
"""

from __future__ import annotations

from flask import Flask

from . import (  # noqa: F401 - routes
    article,
    auth,
    brand,
    create,
    delete,
    exports,
    i18n,
    keys,
    live,
    overview,
    wechatpreview,
)
from .blueprint import PUBLIC, bp, wants_json_twin  # noqa: F401 - the package's interface


def init_app(app: Flask) -> None:
    """Template helpers (the blueprint is registered with the others, the CLI in share.cli)."""
    i18n.init_app(app)
