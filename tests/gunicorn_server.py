"""Run the real app under gunicorn on a loopback socket for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    workers: int = 4,
    log_path: Path | None = None,
    extra_args: tuple[str, ...] = (),
    health: str = "/healthz",
    module: str = "app:app",
):
    """Yield ``(base_url, process)`` for ``app:app`` under gunicorn with ``workers``.

    The listening socket is bound here (port 0) and handed over as a file
    descriptor, so parallel test runs never fight over a port.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    log = open(log_path or os.devnull, "wb")  # noqa: SIM115 - closed below
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SHARE_")}
    full_env.update(env)
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "--bind",
            f"fd://{sock.fileno()}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(t)s "%(r)s" %(s)s %(b)s',
            # the app as deployed: its config starts the dedicated scan ingester
            *(("-c", "deploy/gunicorn.conf.py") if module == "app:app" else ()),
            *extra_args,
            module,
        ],
        cwd=ROOT,
        env=full_env,
        pass_fds=(sock.fileno(),),
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + health, timeout=5, allow_redirects=False).status_code < 500:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start (exit {proc.poll()})")
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sock.close()
        log.close()


def worker_pids(master_pid: int) -> list[int]:
    path = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(p) for p in path.read_text().split()]


def one_link_app(url: str, article: str = "https://example.com/article") -> tuple[str, dict]:
    """Register ``article`` in the (migrated) database at ``url``; return its code and the
    environment that serves that database under gunicorn."""
    from share.links import service as links
    from share.storage.engine import make_engine

    engine = make_engine(url)
    link, _ = links.create(engine, article)
    engine.dispose()
    env = {
        "SHARE_DATABASE_URL": url,
        "SHARE_SECRET_KEY": "test-and-bench",
        "SHARE_PUBLIC_URL": "http://s.test",
        "SHARE_INSTANCE_PATH": tempfile.mkdtemp(prefix="scanshare-instance-"),
        "PATH": os.environ.get("PATH", ""),
    }
    return link.code, env


def wait_for(check, timeout: float = 15.0, interval: float = 0.1):
    """Poll ``check()`` until it returns a truthy value (returned) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def ingest_lock_holder(instance: str | Path) -> int | None:
    """The pid holding a spool's ingest ``flock`` right now (from ``/proc/locks``), or None."""
    for lock in Path(instance).glob("spool/*/ingest.lock"):
        inode = lock.stat().st_ino
        for line in Path("/proc/locks").read_text().splitlines():
            parts = line.split()
            # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
            if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5].endswith(f":{inode}"):
                return int(parts[4])
    return None
