"""Command-line tools (``flask --app app …``), wired in one place.

:mod:`.commands` holds the link and API-key commands, :mod:`.admin` the
dashboard's; ``migrate`` comes from :mod:`share.db`, the database's home.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command on ``app.cli``."""
    from ..db import migrate_command
    from . import admin, commands, data

    for command in (migrate_command, *commands.COMMANDS, *admin.COMMANDS, *data.COMMANDS):
        app.cli.add_command(command)
