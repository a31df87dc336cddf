"""Per-host politeness: a limit on concurrent requests and a minimum delay between them.

One :class:`HostGate` is shared by every thread of a poller (feeds and article
pages alike). Guarantees, per host name: at most ``concurrency`` requests hold
a slot at once; two slots are never granted less than ``delay_s`` apart; no slot
is granted before a pause (a server's Retry-After) has ended. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """The politeness key of a URL: its lower-case host name (every port of a host shares it)."""
    return (urlsplit(url).hostname or "").lower()


@dataclass(slots=True)
class _Host:
    active: int = 0
    next_start: float = 0.0  # monotonic time the next slot may be granted
    paused_until: float = 0.0


class HostGate:
    """Grants request slots per host; see the module docstring."""

    def __init__(self, concurrency: int, delay_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.concurrency, self.delay_s, self._clock = max(1, concurrency), max(0.0, delay_s), clock
        self._hosts: dict[str, _Host] = {}
        self._cond = threading.Condition()

    def wait_s(self, host: str) -> float:
        """Seconds until a slot may be free (0: now; ``inf``: only when a request ends)."""
        with self._cond:
            return self._wait_locked(self._hosts.get(host) or _Host())

    def _wait_locked(self, state: _Host) -> float:
        if state.active >= self.concurrency:
            return float("inf")
        return max(0.0, max(state.next_start, state.paused_until) - self._clock())

    def try_acquire(self, host: str) -> bool:
        """Take a slot now if one is free; never blocks. Pair with :meth:`release`."""
        with self._cond:
            state = self._hosts.setdefault(host, _Host())
            if self._wait_locked(state) > 0:
                return False
            state.active += 1
            state.next_start = self._clock() + self.delay_s
            return True

    def acquire(self, host: str, timeout_s: float) -> bool:
        """Take a slot, waiting up to ``timeout_s``; False when none came in time."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                if self.try_acquire(host):  # re-entrant: Condition wraps an RLock
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                wait = self._wait_locked(self._hosts[host])
                self._cond.wait(min(remaining, wait if wait != float("inf") else remaining))

    def release(self, host: str) -> None:
        with self._cond:
            state = self._hosts.get(host)
            if state and state.active > 0:
                state.active -= 1
            self._cond.notify_all()

    def pause(self, host: str, seconds: float) -> None:
        """Grant no slot for ``host`` during the next ``seconds`` (a server said Retry-After)."""
        with self._cond:
            state = self._hosts.setdefault(host, _Host())
            state.paused_until = max(state.paused_until, self._clock() + seconds)

    def paused_s(self, host: str) -> float:
        """Seconds left of a pause of ``host`` (0 when not paused)."""
        with self._cond:
            state = self._hosts.get(host)
            return 0.0 if state is None else max(0.0, state.paused_until - self._clock())
