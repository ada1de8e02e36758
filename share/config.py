"""Loading settings into ``app.config``: defaults, then ``SHARE_*``, then tests.

Also the two settings with computed defaults: the SQLite file and the secret
key, both kept in the instance folder so every worker process agrees.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from .instance import read_or_create
from .settings import DEFAULTS, SETTINGS

MAX_BODY_BYTES = 2 * 1024 * 1024


class SettingError(RuntimeError, SystemExit):
    """A setting that cannot be used: start-up stops with one line naming it.

    Also a ``SystemExit`` whose code is the message, so ``flask …`` and
    gunicorn print that line and exit 1 instead of showing a traceback.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.code = message


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Defaults, then ``SHARE_*``, then ``test_config``; each setting typed once, here."""
    app.config.from_mapping(DEFAULTS)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False)
    app.config.from_prefixed_env("SHARE")
    if test_config:
        app.config.update(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'scanshare.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    _convert(app.config)
    app.config["TRUSTED_HOSTS"] = app.config["TRUSTED_HOSTS"] or None  # Flask: None = any
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    public = app.config.get("PUBLIC_URL")  # already checked, without a trailing "/"
    if public:
        app.config["SESSION_COOKIE_SECURE"] = public.startswith("https://")


def _convert(config: dict) -> None:
    """Give each setting its declared type once, so no view parses strings.

    A value that cannot be read stops start-up with the setting's name and help.
    """
    for setting in SETTINGS:
        value = config.get(setting.name)
        if setting.kind is None or value is None:
            continue
        try:
            config[setting.name] = setting.kind(value)
        except (TypeError, ValueError) as exc:
            raise SettingError(
                f"SHARE_{setting.name}={value!r} cannot be used ({exc}): {setting.help}"
            ) from None


def _instance_secret(path: Path) -> str:
    """The instance secret, created on first start (or set SHARE_SECRET_KEY)."""
    return read_or_create(path, lambda: secrets.token_urlsafe(48), "or set SHARE_SECRET_KEY")
