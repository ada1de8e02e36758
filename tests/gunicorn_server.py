"""Run the real app under gunicorn on a loopback socket for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import runpy
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def deployed_worker_args() -> tuple[str, ...]:
    """The worker settings of ``deploy/gunicorn.conf.py`` as command-line options, so an app
    served without that file (benchmarks' baselines, test apps) runs on the same workers."""
    conf = runpy.run_path(str(CONFIG))
    return (
        "--pythonpath",  # ``deploy.worker`` importable under any --chdir
        str(ROOT),
        "--worker-class",
        conf["worker_class"],
        "--threads",
        str(conf["threads"]),
        "--keep-alive",
        str(conf["keepalive"]),
        "--timeout",
        str(conf["timeout"]),
    )


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

    ``app:app`` runs with ``deploy/gunicorn.conf.py`` as deployed; any other
    ``module`` with the same worker settings (``extra_args`` come last and win).
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
            *(("-c", str(CONFIG)) if module == "app:app" else deployed_worker_args()),
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


class Slowloris:
    """``n`` connections that each send a partial request head, then a byte every ``every`` s.

    With ``pipelined``, every other one sends a whole request first and the
    partial head right behind it, so the server holds it as a kept-alive
    connection with the start of its next request already read. With
    ``body``, each sends a whole head announcing a 100 kB form and then
    drips the body instead (a slow POST to the login form, which anyone may
    send).
    """

    def __init__(
        self,
        address: tuple[str, int],
        n: int,
        every: float = 2.0,
        pipelined: bool = False,
        body: bool = False,
    ):
        self.address, self.n, self.every, self.pipelined = address, n, every, pipelined
        self.body = body
        self.socks: list[socket.socket] = []
        self.stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)

    def __enter__(self) -> Slowloris:
        for i in range(self.n):
            sock = socket.create_connection(self.address, timeout=5)
            whole = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            partial = f"GET /healthz?slow={i} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ".encode()
            if self.body:
                partial = (
                    b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 100000\r\n\r\nusername="
                )
            sock.sendall(whole + partial if self.pipelined and i % 2 else partial)
            self.socks.append(sock)
        self._thread.start()
        time.sleep(0.5)  # let the server take them in and start waiting on them
        return self

    def alive(self) -> int:
        """How many of the slow connections the server has not closed (yet)."""
        return sum(not _closed(sock) for sock in self.socks)

    def _drip(self) -> None:
        while not self.stop.wait(self.every):
            for sock in self.socks:
                with contextlib.suppress(OSError):  # closed by the server: fine
                    sock.send(b"a")

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self._thread.join()
        for sock in self.socks:
            sock.close()


def _closed(sock: socket.socket) -> bool:
    """Whether the server closed ``sock`` (an answer it sent first is read and dropped)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


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
