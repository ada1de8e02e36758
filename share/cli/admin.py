"""Dashboard commands: ``flask --app app create-admin NAME`` and ``import FILE``.

Passwords are prompted twice (never echoed) or read from standard input with
``--password-stdin`` for scripts; never taken from an argument, where they
would land in shell history and ``ps``.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from share import services
from share.access import admins
from share.db import get_engine
from share.links import importing as linkimport


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--reset", is_flag=True, help="Set a new password for an existing admin.")
def create_admin(username: str, password_stdin: bool, reset: bool) -> None:
    """Create a dashboard admin called USERNAME (or --reset its password)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        if reset:
            admins.set_password(get_engine(), username, password)
        else:
            admins.create(get_engine(), username, password)
    except admins.AdminError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Admin {username!r} {'updated' if reset else 'created'}.")


@click.command("import")
@with_appcontext
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_links(file) -> None:
    """Register every URL in FILE (one a line, # comments) and report each verdict."""
    lines = linkimport.parse_lines(file.read())
    hook = services.current().on_created
    outcomes = []
    with click.progressbar(
        length=len(lines), label="Importing", file=sys.stderr, show_pos=True
    ) as bar:
        for outcome in linkimport.import_lines(get_engine(), lines, hook):
            outcomes.append(outcome)
            bar.update(1)
    for outcome in outcomes:
        detail = outcome.code if outcome.code else outcome.reason
        click.echo(f"{outcome.status:8} line {outcome.line}: {outcome.url}  {detail}")
    counts = linkimport.summary(outcomes)
    click.echo(
        f"{counts['created']} created, {counts['existing']} already existed, "
        f"{counts['refused']} refused."
    )
    if counts["refused"]:
        sys.exit(1)


COMMANDS = (create_admin, import_links)
