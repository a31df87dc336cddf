"""Metrics hooks with a no-op default; only the Prometheus adapter imports its client."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StageTotals:
    """What a stage has done since the process started."""

    records_in: int = 0
    records_out: int = 0
    dead_lettered: int = 0
    retries: int = 0


@dataclass
class Sensor:
    """Receives events from the worker loop; keeps counters and liveness in memory.

    Subclasses (the Prometheus adapter) call ``super()`` so ``health`` works
    whatever is exported.
    """

    counts: Counter[str] = field(default_factory=Counter)
    last_tick: float = field(default_factory=time.monotonic)
    retrying_since: float | None = None
    last_error: str = ""
    lags: dict[str, int] = field(default_factory=dict)

    def records_in(self, stage: str, n: int) -> None:
        self.counts[f"{stage}.in"] += n

    def records_out(self, stage: str, n: int) -> None:
        self.counts[f"{stage}.out"] += n

    def failures(self, stage: str, n: int) -> None:
        self.counts[f"{stage}.dead_lettered"] += n

    def not_modified(self, stage: str, n: int) -> None:
        """``n`` polls found their source unchanged (HTTP 304, or the same body again)."""
        self.counts[f"{stage}.not_modified"] += n

    def errors(self, stage: str, n: int) -> None:
        """``n`` polls failed (fetch or parse); the source is retried later with backoff."""
        self.counts[f"{stage}.errors"] += n

    def refused(self, stage: str, n: int) -> None:
        """``n`` outbound fetches were refused by policy (a feed pointing inside the network)."""
        self.counts[f"{stage}.refused"] += n

    def retry(self, stage: str, reason: str) -> None:
        self.counts[f"{stage}.retries"] += 1
        self.last_error = reason
        if self.retrying_since is None:
            self.retrying_since = time.monotonic()

    def batch_done(self, stage: str, seconds: float) -> None:
        self.retrying_since = None

    def tick(self, stage: str) -> None:
        """The loop is alive (called once per iteration, with or without records)."""
        self.last_tick = time.monotonic()

    def lag(self, stage: str, records: int) -> None:
        """Records waiting for this stage's consumer group."""
        self.lags[stage] = records

    def totals(self, stage: str) -> StageTotals:
        """The stage's counters (the one place that knows how they are kept)."""
        c = self.counts
        return StageTotals(c[f"{stage}.in"], c[f"{stage}.out"], c[f"{stage}.dead_lettered"],
                           c[f"{stage}.retries"])

    def request(self, route: str, status: int, seconds: float) -> None:
        """An HTTP request finished: ``route`` is the matched path template (``/api/claims/{claim_id}``)."""
        self.counts[f"http {route} {status}"] += 1
        self.last_tick = time.monotonic()

    def export(self) -> tuple[str, bytes]:
        """``(content type, body)`` for ``GET /metrics``: here the counters as JSON."""
        return "application/json", json.dumps(dict(self.counts), sort_keys=True).encode()

    def health(self, stale_after_s: float = 60.0) -> dict[str, Any]:
        """``{"status": "ok" | "degraded" | "stalled", ...}`` for the health endpoint."""
        now = time.monotonic()
        status = "ok"
        if self.retrying_since is not None:
            status = "degraded"
        if now - self.last_tick > stale_after_s:
            status = "stalled"
        return {"status": status, "seconds_since_tick": round(now - self.last_tick, 1),
                "retrying_for_s": None if self.retrying_since is None else round(now - self.retrying_since, 1),
                "last_error": self.last_error, "counts": dict(self.counts), "lag": dict(self.lags)}
