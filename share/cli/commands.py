"""Command-line tools: ``flask --app app <command>``.

Bad arguments end with a one-line message and a non-zero exit (click's
``UsageError``/``ClickException``), never a traceback.
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from share import services
from share.access import apikeys
from share.db import get_engine
from share.links import service as links
from share.links.urls import InvalidURL


def _public_url() -> str:
    """``SHARE_PUBLIC_URL``; unset, where ``make run`` serves (HOST/PORT), said on stderr.

    A command has no request to read a host from, so it never guesses
    silently: links printed from a guessed base say which base they use.
    """
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "5000")
    base = f"http://{host}:{port}"
    click.echo(
        f"SHARE_PUBLIC_URL is not set: links below use {base} (HOST/PORT); "
        "set SHARE_PUBLIC_URL to the address readers reach.",
        err=True,
    )
    return base


@click.command("create-api-key")
@with_appcontext
@click.argument("name")
def create_api_key(name: str) -> None:
    """Create an API key called NAME and print it (shown only this once)."""
    try:
        key = apikeys.create(get_engine(), name)
    except apikeys.ApiKeyError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"API key {name!r} created. Store it now; it is not shown again:", err=True)
    click.echo(key)


@click.command("revoke-api-key")
@with_appcontext
@click.argument("prefix")
def revoke_api_key(prefix: str) -> None:
    """Revoke the API key whose prefix starts with PREFIX."""
    try:
        count = apikeys.revoke(get_engine(), prefix)
    except apikeys.ApiKeyError as exc:
        raise click.UsageError(str(exc)) from exc
    if count == 0:
        raise click.ClickException(f"No live API key has a prefix starting with {prefix!r}.")
    click.echo(f"Revoked {count} key(s).")


@click.command("list-api-keys")
@with_appcontext
def list_api_keys() -> None:
    """List API keys: prefix, name, created, last used, revoked."""
    for key in apikeys.list_keys(get_engine()):
        click.echo(
            f"{key['prefix']}  {key['name']}  created {key['created_at']:%Y-%m-%d}  "
            f"last used {key['last_used_at'] or '-'}  "
            f"{'revoked' if key['revoked_at'] else 'live'}"
        )


@click.command("add-link")
@with_appcontext
@click.argument("url")
@click.option("--title", help="Title shown on cards instead of the page's own.")
def add_link(url: str, title: str | None) -> None:
    """Register URL and print its code and short URL."""
    hook = services.current().on_created
    try:
        link, created = links.create(get_engine(), url, title=title, on_created=hook)
    except (InvalidURL, links.LinkError) as exc:
        raise click.UsageError(str(exc)) from exc
    short = links.short_url(_public_url(), link.code)
    click.echo(f"{link.code} {short}{'' if created else '  (already registered)'}")


@click.command("refresh-link")
@with_appcontext
@click.argument("code")
def refresh_link(code: str) -> None:
    """Fetch the article metadata of link CODE again and print the outcome."""
    from share.metadata.hook import refresh

    link = refresh(get_engine(), code, services.current().fetch_policy)
    if link is None:
        raise click.ClickException(f"No link with code {code!r}.")
    outcome = f"fetch failed: {link.fetch_error}" if link.fetch_error else "fetched"
    click.echo(f"{link.code} {outcome}; title: {link.title or '-'}")


# The two sample articles of the demo page (templates/demo.html), so its
# widgets, cards and the dashboard show the same titles.
DEMO_ARTICLES = (
    (
        "/",
        "城市夜跑：凌晨一点的外滩",
        "凌晨一点，外滩的灯光渐次熄灭，跑者们却刚刚出发。沿着黄浦江一路向南，"
        "江风带走了白天的燥热，也带走了一周的疲惫。",
    ),
    (
        "/?lang=en",
        "Night running: the Bund at one in the morning",
        "At one in the morning the lights on the Bund go out one by one, and the runners "
        "are only just setting off.",
    ),
)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Register the demo articles (idempotent) and print their short URLs."""
    base = _public_url()
    for path, title, description in DEMO_ARTICLES:
        link, _ = links.create(get_engine(), base + path, title=title, description=description)
        click.echo(f"demo article {base}{path} -> {links.short_url(base, link.code)}")


COMMANDS = (
    create_api_key,
    revoke_api_key,
    list_api_keys,
    add_link,
    refresh_link,
    seed_demo,
)
