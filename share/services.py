"""The long-lived objects one app holds, typed and in one place.

Views, CLI commands and tests reach the engine, the redirector, the card
store and the rest through :func:`current` (inside a request or command) or
:func:`of` (given the app), instead of string keys in ``app.extensions``:
a typo is an ``AttributeError`` at once and an editor can follow the types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import Engine

if TYPE_CHECKING:
    from .cards.store import CardStore
    from .fetch import FetchPolicy
    from .metadata.background import BackgroundFetches
    from .qr.cache import ByteLRU
    from .scans.redirect import Redirector
    from .wechat.tickets import TicketSource

_KEY = "share"


@dataclass
class Services:
    """Everything an app creates once and shares between requests and commands."""

    engine: Engine
    fetch_policy: FetchPolicy
    background_fetches: BackgroundFetches
    card_store: CardStore
    qr_cache: ByteLRU
    #: runs after a link is created (fetches its metadata); None when FETCH_ON_CREATE is off
    on_created: Callable | None = None
    #: the scan redirect, installed last by ``share.web.redirect.install``
    redirector: Redirector | None = None
    #: WeChat's jsapi tickets for the JS-SDK signature; None unless WECHAT_APP_ID is set
    wechat: TicketSource | None = None


def attach(app: Flask, services: Services) -> None:
    """Give ``app`` its services (``create_app`` does, once)."""
    app.extensions[_KEY] = services


def of(app: Flask) -> Services:
    """The services of ``app``."""
    return app.extensions[_KEY]


def current() -> Services:
    """The services of the app handling this request or command."""
    return current_app.extensions[_KEY]
