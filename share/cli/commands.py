"""Command-line tools: ``flask --app app <command>``.

Bad arguments end with a one-line message and a non-zero exit (click's
``UsageError``/``ClickException``), never a traceback.
"""

from __future__ import annotations

import os
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from share import services
from share.access import apikeys
from share.db import get_engine
from share.links import service as links
from share.links.urls import InvalidURL
from share.scans import ingest
from share.scans.ingest import IngestThread


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


@click.command("ingest")
@with_appcontext
@click.option("--interval", default=0.25, show_default=True, help="Seconds between ingest runs.")
def ingest_command(interval: float) -> None:
    """Be this instance's dedicated scan ingester until stopped (SIGTERM or Ctrl-C).

    Web workers then only append to the spool: ingesting in a process of its
    own keeps the redirect's workers free of the ingest's CPU (and of
    Python's lock between threads). ``deploy/gunicorn.conf.py`` starts one
    beside the workers; if it dies, the workers' ingest threads take over.
    """
    redirector = services.current().redirector
    ingester = redirector.ingester if redirector is not None else None
    if ingester is None:
        raise click.ClickException("SHARE_SCAN_SPOOL is off: scans are written directly.")
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    if not ingester.keep_lock(stop):
        return
    click.echo(f"ingesting {ingester.spool.folder} every {interval} s (pid {os.getpid()})")
    running = IngestThread(ingester, interval=interval)
    running.start()
    try:
        stop.wait()
    finally:
        running.stop()
        try:
            ingester.flush()  # what arrived since the last run
        finally:
            ingester.release()


@click.command("rebuild-rollups")
@with_appcontext
@click.option(
    "--check",
    is_flag=True,
    help="Only compare: change nothing, exit 1 if any roll-up differs from the raw rows.",
)
def rebuild_rollups(check: bool) -> None:
    """Derive every roll-up from the raw scans again and report what differed."""
    redirector = services.current().redirector
    if redirector is not None:
        redirector.flush()  # spooled scans first, so both sides count the same scans
    differences = ingest.rebuild_rollups(
        get_engine(), current_app.config["TIMEZONE"], dry_run=check
    )
    for table, (wrong, missing) in differences.items():
        verdict = (
            "agrees" if wrong == missing == 0 else f"{wrong} wrong or extra, {missing} missing"
        )
        click.echo(f"{table}: {verdict}")
    differ = any(wrong or missing for wrong, missing in differences.values())
    if check:
        if differ:
            raise click.ClickException(
                "roll-ups differ from the raw scans; run without --check to rebuild them"
            )
        click.echo("Roll-ups agree with the raw scans.")
    else:
        click.echo(
            "Roll-ups rebuilt from the raw scans"
            + (" (the rows above were corrected)." if differ else ".")
        )


COMMANDS = (
    ingest_command,
    rebuild_rollups,
    create_api_key,
    revoke_api_key,
    list_api_keys,
    add_link,
    refresh_link,
    seed_demo,
)
