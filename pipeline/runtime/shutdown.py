"""Graceful shutdown: signal handlers only set a flag; loops check it between batches."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class StopFlag:
    """Set once to ask every loop to finish its batch, flush, commit and return."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; returns early (True) when stop is requested."""
        return self._event.wait(seconds)


def install_signal_handlers(stop: StopFlag) -> None:
    """SIGTERM/SIGINT set ``stop``; a second SIGINT interrupts at once."""

    def handle(signum: int, _frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log.info("received %s: finishing the current batch, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


@contextmanager
def signals_set_flag(stop: StopFlag) -> Iterator[None]:
    """Within the block, SIGTERM/SIGINT set ``stop``; the previous handlers come back afterwards."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    install_signal_handlers(stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
