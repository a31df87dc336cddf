"""Metrics hooks with a no-op default; only the Prometheus adapter imports its client."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Sensor:
    """Receives events from the worker loop. The default only keeps counters in memory."""

    counts: Counter = field(default_factory=Counter)
    last_batch_s: float = 0.0

    def records_in(self, stage: str, n: int) -> None:
        self.counts[f"{stage}.in"] += n

    def records_out(self, stage: str, n: int) -> None:
        self.counts[f"{stage}.out"] += n

    def failures(self, stage: str, n: int) -> None:
        self.counts[f"{stage}.dead_lettered"] += n

    def retry(self, stage: str, reason: str) -> None:
        self.counts[f"{stage}.retries"] += 1

    def batch_done(self, stage: str, seconds: float) -> None:
        self.last_batch_s = seconds

    def lag(self, stage: str, records: int) -> None:
        """Records waiting for this stage's group (reported when known)."""
