"""A small thread-safe LRU cache bounded by total bytes."""

from __future__ import annotations

import threading
from collections import OrderedDict


class ByteLRU:
    """Keep recently used byte strings until ``max_bytes`` is reached."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The cached bytes, now the most recently used; None on a miss."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        """Keep ``value``, dropping the least recently used; one over ``max_bytes`` is not kept."""
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._data[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, dropped = self._data.popitem(last=False)
                self._size -= len(dropped)

    @property
    def size(self) -> int:
        """Bytes held now: the values' lengths (keys not counted), kept within ``max_bytes``."""
        return self._size

    def __len__(self) -> int:
        return len(self._data)
