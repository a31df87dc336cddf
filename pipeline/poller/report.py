"""The poll service's reporting hook: one summary line per period in which it polled, a total at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

from pipeline.poller.outcome import CycleStats
from pipeline.poller.service import Poller

REPORT_EVERY_S = 60.0


@dataclass
class PollReport:
    """Prints ``poll: <counts>`` per period (nothing for a period without polls) and ``poll: stopped; <total>``."""

    poller: Poller
    write: Callable[[str], None]
    every_s: float = REPORT_EVERY_S
    total: CycleStats = field(default_factory=CycleStats)

    def report(self, period_s: float) -> None:
        stats = self.poller.take_stats()
        stats.seconds = period_s
        for f in fields(CycleStats):
            setattr(self.total, f.name, getattr(self.total, f.name) + getattr(stats, f.name))
        if stats.polled:
            self.write(f"poll: {stats.line()}")

    def finish(self, period_s: float, total_s: float) -> None:
        self.report(period_s)
        self.write(f"poll: stopped; {self.total.line()}")
