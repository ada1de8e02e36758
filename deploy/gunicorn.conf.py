"""gunicorn settings for ScanShare: ``gunicorn -c deploy/gunicorn.conf.py app:app``.

Starts one dedicated scan ingester (``flask ingest``) beside the workers
once the server is ready and stops it on exit, so the workers only answer
redirects and append scans to the spool. Should the ingester die, the
workers' own ingest threads take the spool's lock over (decision 0007);
scans are never left behind. The ingester also stops when the master dies.
A reload (SIGHUP) keeps the running ingester: restart the service to give
it new code or settings.

Workers are :class:`deploy.worker.BufferedHeadWorker`, gunicorn's threaded
worker that reads each request head in its event loop before a thread
takes it, so slow clients cannot starve the service even without nginx
(bench/bench_slowloris.py, 2 workers, 5 probes with a 5 s timeout; figures
in the comment below).
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

# ``deploy.worker`` is importable whatever the working directory
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Why this worker (bench/bench_slowloris.py, 2 workers; time to /healthz
# with N slowloris connections open, 5 s probe timeout):
#   sync (before):            N=2, 10, 50: never answered (every probe timed out)
#   gthread, 4 threads:       N=2, 10: 10-20 ms; N=50: never answered
#   this worker, 4 threads:   N=2, 10, 50: 10-20 ms; heads cut after 10 s
# Speed (bench/bench_redirect.py --seconds 8 --rounds 3, 2 shared cores, so
# +-20 %): the ScanShare redirect about as fast as on sync workers (SQLite
# 1,850 vs 1,900 req/s, PostgreSQL 1,390 vs 1,530), the raw WSGI ceiling ~20 %
# lower (a thread hand-off per connection). 4 threads beat 1 and 2 (1,500,
# 1,800 vs 2,400 raw req/s); more only add GIL contention, and each thread
# keeps a database connection of its own for the code lookup (pool of 15).
worker_class = "deploy.worker.BufferedHeadWorker"
threads = 4
# No kept-alive connections: a phone scanning a code sends one request, and a
# kept-alive connection stays with the worker that accepted it, so a burst of
# them could pile onto one worker (one core, and only the codes it has met)
# while the others idle. nginx in front keeps its own connections to clients.
keepalive = 0
timeout = 30  # a silent worker is restarted; a thread gives up on a client stalled this long

# the client address stays out of the access log (no %(h)s)
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'

_ingester = None


def _stop_with_the_master():
    """In the child: get SIGTERM when the master dies (a ``kill -9``, or a reload
    that forgot this process), so an ingester is never left running alone."""
    # not Linux: no prctl, and the workers' threads still ingest
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def when_ready(server):
    """Start the dedicated ingester with the server's environment."""
    global _ingester
    if os.environ.get("SHARE_SCAN_SPOOL", "true").strip().lower() in ("0", "false", "no", "off"):
        return
    _ingester = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "ingest"],
        cwd=os.getcwd(),
        preexec_fn=_stop_with_the_master,  # noqa: PLW1509 - only a prctl, no locks taken
    )
    server.log.info("scan ingester started (pid %s)", _ingester.pid)


def on_exit(server):
    """Stop it gracefully: it ingests what is left, then releases the spool."""
    if _ingester is not None and _ingester.poll() is None:
        _ingester.terminate()
        try:
            _ingester.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _ingester.kill()
