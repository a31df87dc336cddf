"""One deadline per outbound exchange, enforced where the sockets are read: an httpcore adapter.

:class:`DeadlineBackend` wraps another httpcore network backend. Every
connect, TLS handshake, write and read of a connection it opened gets as its
timeout what is left of the deadline of the exchange in progress on the
calling thread (set with :meth:`ExchangeClock.exchange`), and raises
``httpcore.ReadTimeout`` / ``ConnectTimeout`` / ``WriteTimeout`` once that
deadline has passed. So a server that trickles one header line (or one body
byte) every few seconds cannot stretch an exchange past its deadline, however
often it answers a single read. Reads wait in slices of at most
:data:`CANCEL_CHECK_S`, so :meth:`ExchangeClock.cancel` ends a blocked read
within about that long (shutdown does not wait out a stuck host); a connect
in progress ends by its own bounded timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore

from pipeline.poller.connect import SocketOption

CANCEL_CHECK_S = 0.25  # how long a blocked read goes without looking at the cancel flag


class ExchangeCancelled(Exception):
    """The fetcher was cancelled (shutdown) while this exchange was in progress."""


class ExchangeClock:
    """Per-thread deadlines for the exchanges of one fetcher, and its cancel flag. Thread-safe."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._cancelled = threading.Event()

    @contextmanager
    def exchange(self, seconds: float) -> Iterator[float]:
        """Within the block, this thread's socket operations end by ``now + seconds`` (yielded)."""
        deadline = time.monotonic() + seconds
        self._local.deadline = deadline
        try:
            yield deadline
        finally:
            self._local.deadline = None

    def cancel(self) -> None:
        """Every exchange in progress, and every later one, ends with :class:`ExchangeCancelled`."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def bound(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """``timeout`` cut to what is left of this thread's deadline; raises ``expired`` past it."""
        if self._cancelled.is_set():
            raise ExchangeCancelled("cancelled: the poller is shutting down")
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise expired("deadline of the exchange passed")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation is bounded by the clock's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, clock: ExchangeClock) -> None:
        self._inner, self._clock = inner, clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            left = self._clock.bound(timeout, httpcore.ReadTimeout)
            step = CANCEL_CHECK_S if left is None else min(left, CANCEL_CHECK_S)
            try:
                return self._inner.read(max_bytes, step)
            except httpcore.ReadTimeout:
                # Nothing was consumed: a slice ended. Give up only past the caller's own timeout.
                if left is not None and left <= CANCEL_CHECK_S:
                    raise
                if timeout is not None:
                    timeout -= step

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # Not sliced: a send that times out part-way cannot be resumed, so one bounded attempt.
        self._inner.write(buffer, self._clock.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        bounded = self._clock.bound(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded), self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Connections of ``inner`` (default: httpcore's sync backend) bounded by ``clock``."""

    def __init__(self, clock: ExchangeClock, inner: httpcore.NetworkBackend | None = None) -> None:
        self._clock, self._inner = clock, inner or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[SocketOption] | None = None) -> httpcore.NetworkStream:
        bounded = self._clock.bound(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return DeadlineStream(stream, self._clock)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[SocketOption] | None = None) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
