"""Loading settings into ``app.config``: defaults, then ``SHARE_*``, then tests.

Also the two settings with computed defaults: the SQLite file and the secret
key, both kept in the instance folder so every worker process agrees.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

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
    public = app.config.get("PUBLIC_URL")
    if public:
        app.config["PUBLIC_URL"] = str(public).rstrip("/")
        app.config["SESSION_COOKIE_SECURE"] = str(public).startswith("https://")


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
    """Read the instance secret, creating it atomically on first start.

    Several gunicorn workers may start at once: ``O_EXCL`` lets exactly one
    write it and the others read the same value.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            value = path.read_text().strip()
            if value:
                return value
            import time

            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it or set SHARE_SECRET_KEY") from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
