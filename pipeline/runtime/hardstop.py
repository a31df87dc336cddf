"""SIGTERM stops a command within seconds, even while its batch is stuck in C code.

Python runs signal handlers in the main thread only, between bytecodes: while
spaCy's tokenizer works through one text, the handler (which only sets the
stop flag) waits, and so does the loop that would see the flag. So the work
runs in a thread of its own and the main thread only waits, for the work to
end or for stop. After stop the work has ``grace_s`` to end by itself (a
worker between batches stops at once; one whose handler returns abandons
that batch, see :class:`~pipeline.runtime.worker.Worker`); past that the
process exits on the spot (``os._exit``) with :data:`EXIT_ABANDONED`.

Why exiting on the spot is safe: a worker commits a batch's offsets only
after its outputs are flushed, and every write an exit can cut short is
either a transaction (the SQLite bus and index roll an unfinished one back;
a Kafka offset commit is one request) or idempotent (outputs and upserts by
stable id). So whenever the exit lands, the batch in hand is uncommitted and
is redelivered, and nothing committed is partial.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from typing import NoReturn, TypeVar

from pipeline.runtime.shutdown import StopFlag, signals_set_flag

T = TypeVar("T")
EXIT_ABANDONED = 143  # 128 + SIGTERM: what a shell reports for a process the signal ended
EXIT_INTERRUPTED = 130  # 128 + SIGINT: a second Ctrl-C
WAKE_S = 0.5  # the main thread looks at the flag at least this often (a signal also wakes it)


def run_stoppable(work: Callable[[], T], stop: StopFlag, grace_s: float,
                  exit_now: Callable[[int], NoReturn] = os._exit) -> T:
    """``work()``'s result (or exception), run in a worker thread; SIGTERM/SIGINT set ``stop``.

    Guarantee: once ``stop`` is set this returns, raises, or ends the process (``exit_now``
    with EXIT_ABANDONED) within about ``grace_s`` seconds, whatever ``work`` is doing; a
    second SIGINT ends it at once (EXIT_INTERRUPTED). Call it from the main thread.
    """
    outcome: list[tuple[bool, object]] = []

    def target() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread as it is
            outcome.append((False, exc))

    thread = threading.Thread(target=target, name="pipeline-work", daemon=True)
    with signals_set_flag(stop):
        thread.start()
        try:
            while thread.is_alive() and not stop.wait(WAKE_S):
                pass
            thread.join(grace_s)
        except KeyboardInterrupt:
            _leave(exit_now, EXIT_INTERRUPTED, "interrupted again: exiting now")
    if thread.is_alive():
        _leave(exit_now, EXIT_ABANDONED, f"stopping: the batch in hand did not end within {grace_s:g}s; "
                                         "exiting without committing it (it is redelivered)")
    ok, value = outcome[0]
    if not ok:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]


def _leave(exit_now: Callable[[int], NoReturn], code: int, why: str) -> NoReturn:
    print(f"pipeline: {why}", file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken stream: nothing more to say
            stream.flush()
    exit_now(code)
