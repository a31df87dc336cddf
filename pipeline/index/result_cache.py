"""A small shared cache of search results, valid until the index changes.

Searches repeat (a page reloaded, a facet clicked back and forth, a feed
polled); answering them again from memory costs microseconds. Each entry
remembers the index version it was computed at, so a write makes every
older entry stale at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class ResultCache:
    """Least-recently-used results by key, at most ``size`` of them; safe to share between threads."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key`` at ``version``, or ``compute()`` (stored for next time)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return cast(T, entry[1])  # stored by a compute of the same key
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
