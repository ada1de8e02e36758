"""The limiter's storage: the app's Redis when ``REDIS_URL`` is set, else the app's database.

Flask-Limiter keeps one storage per limiter, and the limiter is shared by
every app built in a process (tests build many). This storage holds no
connection of its own: each call asks the current app where its counters
live, so every app counts in its own database — which every gunicorn worker
and every instance already share, unlike process memory — or in its Redis.
The counting itself is in :mod:`share.storage.ratelimits`.
"""

from __future__ import annotations

import threading

from flask import current_app
from limits.storage import MovingWindowSupport, RedisStorage, Storage
from sqlalchemy.exc import SQLAlchemyError

from share import clock, services
from share.storage import ratelimits

#: what Flask-Limiter is told to use (``RATELIMIT_STORAGE_URI``)
URI = "scanshare://"

_redis: dict[str, RedisStorage] = {}
_redis_lock = threading.Lock()


def _redis_for(url: str) -> RedisStorage:
    with _redis_lock:
        storage = _redis.get(url)
        if storage is None:
            storage = _redis[url] = RedisStorage(url)
        return storage


class AppStorage(Storage, MovingWindowSupport):
    """Moving-window counters in the current app's Redis or database (see the module)."""

    STORAGE_SCHEME = ["scanshare"]

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """What the limiter treats as "the storage failed"."""
        import redis

        return (SQLAlchemyError, redis.RedisError)

    @staticmethod
    def _redis() -> RedisStorage | None:
        url = current_app.config.get("REDIS_URL")
        return _redis_for(url) if url else None

    @staticmethod
    def _engine():
        return services.of(current_app).engine

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count a hit if the moving window has room (limits' contract)."""
        if redis := self._redis():
            return redis.acquire_entry(key, limit, expiry, amount)
        return ratelimits.acquire(self._engine(), key, limit, expiry, clock.epoch_now(), amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(oldest hit in the window, hits in it)."""
        if redis := self._redis():
            return redis.get_moving_window(key, limit, expiry)
        return ratelimits.window(self._engine(), key, expiry, clock.epoch_now())

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count hits unconditionally; the live hits afterwards."""
        if redis := self._redis():
            return redis.incr(key, expiry, amount)
        return ratelimits.add(self._engine(), key, expiry, clock.epoch_now(), amount)

    def get(self, key: str) -> int:
        """Live hits of ``key``."""
        if redis := self._redis():
            return redis.get(key)
        return ratelimits.count(self._engine(), key, clock.epoch_now())

    def get_expiry(self, key: str) -> float:
        """When the last live hit of ``key`` expires."""
        if redis := self._redis():
            return redis.get_expiry(key)
        return ratelimits.expires(self._engine(), key, clock.epoch_now())

    def check(self) -> bool:
        """Whether the storage answers (the limiter's health check)."""
        if redis := self._redis():
            return redis.check()
        try:
            ratelimits.count(self._engine(), "", clock.epoch_now())
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        if redis := self._redis():
            return redis.reset()
        return ratelimits.reset(self._engine())

    def clear(self, key: str) -> None:
        """Forget the counter of ``key``."""
        if redis := self._redis():
            return redis.clear(key)
        return ratelimits.clear(self._engine(), key)
