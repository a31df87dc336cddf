"""The service loop: round-robin the stages of one process in one thread until stopped (or idle).

Every long-running command (``run``, ``nlp``, ``index``, ``poll``) drives its
stages through :func:`serve`; reporting (lag gauges, summary lines) plugs in
through :class:`Reporter` hooks, so the loop itself never prints.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from pipeline.errors import BackendUnavailable
from pipeline.runtime.metrics import Sensor
from pipeline.runtime.shutdown import StopFlag, signals_set_flag
from pipeline.runtime.worker import Stopped

log = logging.getLogger(__name__)
OUTAGE_PAUSE_S = 5.0  # a stage whose backend failed outside its own retries waits this long, then goes on


class Steppable(Protocol):
    """A stage the loop drives (the Worker, the Poller)."""

    stage: str
    sensor: Sensor

    def step(self, timeout_s: float | None = None) -> int:
        """Do at most one unit of work, waiting at most about ``timeout_s``; returns the records handled."""


@runtime_checkable
class InFlight(Protocol):
    """A stage whose work can outlast a step (the Poller's fetches); the Worker finishes each batch in its step."""

    @property
    def busy(self) -> bool:
        """Work in flight that a later step will finish (the loop is not idle while this is true)."""


class Reporter(Protocol):
    """A reporting hook of the loop."""

    every_s: float

    def report(self, period_s: float) -> None:
        """Called when the loop starts and then every ``every_s`` seconds (``period_s``: since the last call)."""

    def finish(self, period_s: float, total_s: float) -> None:
        """Called once when the loop ends (``total_s``: how long it ran)."""


def serve(runners: Sequence[Steppable], stop: StopFlag, poll_timeout_s: float, *,
          idle_exit_s: float | None = None, reporters: Sequence[Reporter] = (),
          backlog: Callable[[], int] | None = None, backlog_wait_s: float = 30.0) -> float:
    """Step ``runners`` in turn until ``stop`` is set or, with ``idle_exit_s``, until none has had
    work for that long. Returns the seconds it ran.

    With ``backlog`` (the records the runners' groups have not committed yet), a run is idle only
    when that is 0 too: records a stage cannot poll yet (a dead process's lease not yet expired,
    a rebalance) are waited for, up to ``backlog_wait_s`` more without any progress, after which
    the run ends anyway and logs what it left (it stays on the bus for the next run).

    SIGTERM/SIGINT set ``stop`` while it runs. A BackendUnavailable raised by a step is waited
    out (the stage pauses, then steps again) unless ``idle_exit_s`` is set: a run until idle
    re-raises it, for the caller to report (exit 3). Each round waits at most ``poll_timeout_s``
    in all. A stop requested while a batch is being handled or retried ends that step without a
    commit (the batch is redelivered); one stuck in C code is the watchdog's
    (:func:`pipeline.runtime.hardstop.killed_if_stuck`).
    """
    started = idle_since = time.monotonic()
    last = [started] * len(reporters)
    due = [started] * len(reporters)
    timeout = poll_timeout_s / max(1, len(runners))
    with signals_set_flag(stop):
        while not stop.is_set():
            now = time.monotonic()
            for i, reporter in enumerate(reporters):
                if now >= due[i]:
                    reporter.report(now - last[i])
                    last[i], due[i] = now, now + reporter.every_s
            done = sum(_step(r, timeout, stop, one_shot=idle_exit_s is not None) for r in runners)
            if done or any(isinstance(r, InFlight) and r.busy for r in runners):
                idle_since = time.monotonic()
            elif idle_exit_s is not None and _idle(time.monotonic() - idle_since, idle_exit_s, backlog,
                                                   backlog_wait_s):
                break
    ended = time.monotonic()
    for i, reporter in enumerate(reporters):
        reporter.finish(ended - last[i], ended - started)
    return ended - started


def _idle(quiet_s: float, idle_exit_s: float, backlog: Callable[[], int] | None, backlog_wait_s: float) -> bool:
    if quiet_s < idle_exit_s:
        return False
    left = backlog() if backlog is not None else 0
    if left and quiet_s < idle_exit_s + backlog_wait_s:
        return False
    if left:
        log.warning("%d record(s) left uncommitted after %.0fs without progress; they wait for the next run",
                    left, quiet_s)
    return True


def _step(runner: Steppable, timeout: float, stop: StopFlag, one_shot: bool) -> int:
    runner.sensor.tick(runner.stage)
    try:
        return runner.step(timeout)
    except Stopped:
        log.info("%s: stopped with a batch in hand; it is redelivered (nothing of it committed)", runner.stage)
        return 0
    except BackendUnavailable as exc:  # raised past the stage's own retries (the poller's store or bus)
        if one_shot:
            raise  # a run until idle reports it (exit 3); nothing was marked done
        runner.sensor.retry(runner.stage, str(exc))
        log.warning("%s: backend unavailable, retrying in %.0fs: %s", runner.stage, OUTAGE_PAUSE_S, exc)
        stop.wait(OUTAGE_PAUSE_S)
        return 0
