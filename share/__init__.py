"""ScanShare: short tracking links, QR codes, share cards and a share widget.

:func:`create_app` only wires: settings, database, extensions, blueprints,
error handlers, CLI. Everything else lives in the modules it names.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, services, blueprints, CLI; ``test_config`` wins over ``SHARE_*``."""
    test_config = dict(test_config or {})
    app = Flask(
        __name__,
        instance_path=test_config.pop("INSTANCE_PATH", None) or _instance_path_from_env(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from . import config

    config.load(app, test_config)

    from . import cli, db
    from .web import errors, extensions, headers, redirect

    _attach_services(app, db.init_app(app))
    headers.init_app(app)  # before the limiter: its hook must see the limiter's headers
    extensions.init_app(app)
    errors.init_app(app)

    from .web import admin, api, cards, health, images, sharehop, wechat, widget

    for module in (admin, api, cards, health, images, redirect, sharehop, wechat, widget):
        app.register_blueprint(module.bp)

    cli.init_app(app)
    admin.init_app(app)
    wechat.init_app(app)
    redirect.install(app)
    sharehop.install(app)  # outermost: a share hop never reaches the scan redirect
    return app


def _instance_path_from_env() -> str | None:
    """``SHARE_INSTANCE_PATH``, read before the app exists (Flask fixes it at creation)."""
    path = os.environ.get("SHARE_INSTANCE_PATH")
    return str(Path(path).resolve()) if path else None


def _attach_services(app: Flask, engine) -> None:
    """The objects the app holds for its lifetime (see :mod:`share.services`)."""
    from . import services
    from .cards.store import CardStore
    from .fetch import FetchPolicy
    from .metadata.background import BackgroundFetches
    from .metadata.hook import link_hook
    from .qr.cache import ByteLRU

    policy = FetchPolicy.from_config(app.config)
    services.attach(
        app,
        services.Services(
            engine=engine,
            fetch_policy=policy,
            background_fetches=BackgroundFetches(),
            card_store=CardStore(Path(app.instance_path) / "cards"),
            qr_cache=ByteLRU(app.config["QR_CACHE_BYTES"]),
            on_created=link_hook(policy) if app.config["FETCH_ON_CREATE"] else None,
        ),
    )
