"""Reporting hooks for the service loop: consumer lag as a gauge, and the summary line at the end."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.bus.base import Bus
from pipeline.errors import BackendUnavailable
from pipeline.runtime.loop import Steppable

log = logging.getLogger(__name__)
LAG_EVERY_S = 10.0


def to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


@dataclass
class LagReport:
    """Every ``every_s`` seconds, tell each runner's sensor how far its consumer group is behind.

    ``runners`` are (stage, the topic it consumes, its consumer group); a topic may have
    several groups (the indexer's and the thread stage's). A bus that cannot be read is
    logged, never fatal.
    """

    bus: Bus
    runners: Sequence[tuple[Steppable, str, str]]
    every_s: float = LAG_EVERY_S

    def report(self, period_s: float) -> None:
        for runner, topic, group in self.runners:
            try:
                lag = sum(self.bus.lag(st, group) for st in self.bus.stats([topic]))
            except BackendUnavailable as exc:
                log.warning("%s: cannot read consumer lag: %s", runner.stage, exc)
                continue
            runner.sensor.lag(runner.stage, lag)

    def finish(self, period_s: float, total_s: float) -> None:
        """Nothing to say at the end."""


@dataclass
class SummaryReport:
    """At the end, one line: records in, out and dead-lettered per stage, and the time taken."""

    runners: Sequence[Steppable]
    write: Callable[[str], None] = to_stderr
    every_s: float = float("inf")

    def report(self, period_s: float) -> None:
        """Nothing to say while running."""

    def finish(self, period_s: float, total_s: float) -> None:
        parts = []
        for r in self.runners:
            t = r.sensor.totals(r.stage)
            parts.append(f"{r.stage}: {t.records_in} in, {t.records_out} out, {t.dead_lettered} dead-lettered")
        self.write(f"{'; '.join(parts)} ({total_s:.1f}s)")
