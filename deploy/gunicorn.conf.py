"""gunicorn settings for ScanShare: ``gunicorn -c deploy/gunicorn.conf.py app:app``.

Starts one dedicated scan ingester (``flask ingest``) beside the workers
once the server is ready and stops it on exit, so the workers only answer
redirects and append scans to the spool. Should the ingester die, the
workers' own ingest threads take the spool's lock over (decision 0007);
scans are never left behind. The ingester also stops when the master dies.
A reload (SIGHUP) keeps the running ingester: restart the service to give
it new code or settings.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys

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
