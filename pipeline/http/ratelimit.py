"""A per-client token bucket: pure, with the clock injected."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """``rate_per_s`` requests per second per client, bursts up to ``burst``.

    Remembers at most ``max_clients`` clients (least recently seen are
    forgotten, which only ever lets a forgotten client start with a full bucket).
    """

    def __init__(self, rate_per_s: float, burst: int, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst = rate_per_s, max(1, burst)
        self._clock = clock
        self._max = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)
        self._lock = threading.Lock()

    def check(self, client: str) -> float:
        """0 when ``client`` may go ahead (and spends a token), else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
            if len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
        return wait

    @staticmethod
    def retry_after(wait_s: float) -> str:
        """A Retry-After header value: whole seconds, at least 1."""
        return str(max(1, math.ceil(wait_s)))
