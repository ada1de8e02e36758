"""The flask CLI: API keys, links, migrations; bad arguments exit non-zero."""

import re

from share.access import apikeys


def test_create_api_key_prints_a_url_safe_key_on_its_own_line(runner, engine):
    result = runner.invoke(args=["create-api-key", "newsroom"])
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    key = lines[-1]
    assert re.fullmatch(r"[A-Za-z0-9._-]+", key)
    assert apikeys.verify(engine, key) is not None


def test_create_api_key_refuses_an_empty_name(runner):
    result = runner.invoke(args=["create-api-key", "  "])
    assert result.exit_code != 0
    assert "name" in result.output


def test_keys_are_stored_hashed(runner, engine):
    key = runner.invoke(args=["create-api-key", "x"]).stdout.split()[-1]
    from sqlalchemy import text

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT prefix, key_hash FROM api_keys")).one()
    assert key not in stored and key.split(".")[1] not in stored.key_hash


def test_revoke_unknown_prefix_fails_clearly(runner):
    result = runner.invoke(args=["revoke-api-key", "zzzzzz"])
    assert result.exit_code != 0
    assert "No live API key" in result.output
    assert runner.invoke(args=["revoke-api-key", "ab"]).exit_code != 0


def test_add_link_prints_code_and_short_url_and_is_idempotent(runner):
    first = runner.invoke(args=["add-link", "https://example.com/cli"])
    assert first.exit_code == 0
    code, short = first.stdout.split()[:2]
    assert short.endswith(f"/s/{code}")
    again = runner.invoke(args=["add-link", "https://EXAMPLE.com/cli"])
    assert again.stdout.split()[0] == code and "already" in again.stdout


def test_add_link_refuses_bad_urls(runner):
    result = runner.invoke(args=["add-link", "javascript:alert(1)"])
    assert result.exit_code != 0
    assert "http" in result.output


def test_migrate_is_idempotent_and_seed_demo_registers_articles(runner):
    assert runner.invoke(args=["migrate"]).exit_code == 0
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0 and "/s/" in seeded.stdout
    assert runner.invoke(args=["seed-demo"]).stdout == seeded.stdout


def test_seed_demo_twice_registers_nothing_twice(runner, engine):
    from sqlalchemy import text

    runner.invoke(args=["seed-demo"])
    with engine.connect() as conn:
        first = conn.execute(text("SELECT count(*) FROM links")).scalar_one()
    runner.invoke(args=["seed-demo"])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM links")).scalar_one() == first == 2


def test_cli_links_use_the_public_url_setting(runner):
    """Regression: `add-link` printed :5000 links whatever SHARE_PUBLIC_URL said."""
    result = runner.invoke(args=["add-link", "https://example.com/public"])
    code, short = result.stdout.split()[:2]
    assert short == f"http://share.test/s/{code}"  # conftest's PUBLIC_URL
    assert "SHARE_PUBLIC_URL" not in result.stderr


def test_cli_says_plainly_when_the_public_url_is_unset(sqlite_url, tmp_path, monkeypatch):
    from tests.conftest import make_app

    monkeypatch.setenv("PORT", "8123")
    app = make_app(sqlite_url, tmp_path, PUBLIC_URL=None)
    result = app.test_cli_runner().invoke(args=["add-link", "https://example.com/unset"])
    assert result.exit_code == 0
    assert result.stdout.split()[1].startswith("http://127.0.0.1:8123/s/")
    assert "SHARE_PUBLIC_URL is not set" in result.stderr and "8123" in result.stderr
