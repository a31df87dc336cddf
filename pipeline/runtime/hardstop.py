"""SIGTERM stops a command within seconds, even while its batch is stuck in C code.

A stop is first asked for gracefully: the signal handlers set the stop flag,
and a worker whose handler returns after it abandons that batch uncommitted
(:class:`~pipeline.runtime.worker.Worker`). But Python runs signal handlers
in the main thread only, between bytecodes, and a C extension that holds the
GIL (spaCy's tokenizer on one pathological text: minutes) blocks every
Python thread, so no Python code can act on the signal, neither in this
thread nor in another. Hence a watchdog *process*: the interpreter's C-level
signal handler writes each signal to a pipe (``signal.set_wakeup_fd``, no
GIL needed), the watchdog reads it, and if this process has not ended
``grace_s`` seconds later, the watchdog kills it (SIGKILL).

Why killing is safe: a worker commits a batch's offsets only after its
outputs are flushed, and every write a kill can cut short is a transaction
(the SQLite bus and index roll an unfinished one back; a Kafka offset commit
is one request) or idempotent (outputs and upserts by stable id), as the
crash-recovery tests pin. So whenever the kill lands, the batch in hand is
uncommitted and redelivered, and nothing committed is partial.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.runtime.shutdown import StopFlag

# The watchdog: ignores the signals (a terminal's Ctrl-C and systemd's SIGTERM reach it too) and ends
# when the pipe closes (this process ended); after a stop byte, it waits out the grace, then kills.
_WATCHDOG = """
import os, select, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
parent, grace, stops = int(sys.argv[1]), float(sys.argv[2]), {int(s) for s in sys.argv[3].split(",")}
while True:
    got = os.read(0, 64)
    if not got:
        sys.exit(0)
    if stops & set(got):
        break
deadline = time.monotonic() + grace
while (left := deadline - time.monotonic()) > 0:
    if select.select([0], [], [], left)[0] and not os.read(0, 64):
        sys.exit(0)
if os.getppid() == parent:
    print(f"pipeline: still busy {grace:g}s after the stop signal (work stuck in C code?): killed; "
          "the batch in hand was not committed and is redelivered", file=sys.stderr, flush=True)
    os.kill(parent, signal.SIGKILL)
"""
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def killed_if_stuck(stop: StopFlag, grace_s: float) -> Iterator[None]:
    """Within the block: a SIGTERM/SIGINT this process has not ended on within ``grace_s`` seconds
    kills it (SIGKILL, exit status 137), whatever it is doing.

    The signals need a Python handler (the one that sets ``stop``) to reach the watchdog. When
    ``stop`` is set at the end of the block the watchdog stays armed through the command's
    clean-up, until the process ends. Outside the main thread it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    watchdog = subprocess.Popen([sys.executable, "-S", "-c", _WATCHDOG, str(os.getpid()), str(grace_s),
                                 ",".join(str(int(s)) for s in STOP_SIGNALS)], stdin=read_end)
    os.close(read_end)
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        if not stop.is_set():
            os.close(write_end)  # the watchdog sees the end of the pipe and ends
            watchdog.wait()
