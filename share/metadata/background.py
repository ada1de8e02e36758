"""Metadata fetches after the answer, on a small bounded pool.

The public share route registers links for strangers' page views, so its
fetches must neither make the reader wait nor pile up: two threads work
through at most ``limit`` pending fetches per process, and a fetch that
would go over is skipped (logged; the link keeps empty metadata until a
refresh).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("share.metadata")


class BackgroundFetches:
    """Metadata fetches off the request thread, bounded so a burst of new links cannot pile up."""

    def __init__(self, workers: int = 2, limit: int = 64):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
        self._slots = threading.BoundedSemaphore(limit)

    def submit(self, job: Callable[[], object], name: str) -> bool:
        """Run ``job`` soon; False (and nothing queued) when the queue is full."""
        if not self._slots.acquire(blocking=False):
            log.warning("metadata fetch for %s skipped: too many pending", name)
            return False

        def run() -> None:
            try:
                job()
            except Exception:  # the hook never raises; belt and braces for a thread
                log.exception("metadata fetch for %s failed", name)
            finally:
                self._slots.release()

        self._pool.submit(run)
        return True
