"""What one poll of one feed produced, and how that changes the feed's stored state.

Pure: ``state_changes`` turns an outcome into the column updates for the feed
store, using only the outcome, the settings, ``now`` and the RNG it is given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import PollerSettings
from pipeline.poller import schedule
from pipeline.poller.entries import EntryArticle
from pipeline.poller.store import FeedState


@dataclass(slots=True)
class PollOutcome:
    """The result of polling one feed (built in a worker thread, applied in the loop)."""

    feed: FeedState
    polled_at: float
    status: int = 0
    error: str | None = None
    retry_after_s: float | None = None
    not_modified: bool = False
    candidates: list[EntryArticle] = field(default_factory=list)
    validators: dict[str, Any] = field(default_factory=dict)  # etag, last_modified, body_hash, title, url
    hints: schedule.Hints = field(default_factory=schedule.Hints)
    posting_s: float | None = None
    warning: str | None = None
    refusals: list[str] = field(default_factory=list)  # destinations the outbound policy refused, and why
    published: int = 0  # set by the loop once the articles are flushed
    pending: int = 0  # entries of the document left for a later poll (per-poll limit)
    skipped: list[str] = field(default_factory=list)  # entries that failed to convert or encode, and why

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class CycleStats:
    """Counts over one ``--once`` run or one reporting period of the service."""

    polled: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    articles: int = 0
    deferred: int = 0
    seconds: float = 0.0

    def add(self, outcome: PollOutcome) -> None:
        self.polled += 1
        self.articles += outcome.published
        if not outcome.ok:
            self.failed += 1
        elif outcome.not_modified or not outcome.published:
            self.unchanged += 1
        else:
            self.changed += 1

    def line(self) -> str:
        """The one-line summary printed per cycle."""
        text = (f"polled {self.polled} feed(s) in {self.seconds:.1f}s: {self.changed} with new entries "
                f"({self.articles} article(s) published), {self.unchanged} unchanged, {self.failed} failed")
        return text + (f", {self.deferred} deferred (server asked us to wait)" if self.deferred else "")


def state_changes(o: PollOutcome, settings: PollerSettings, rng: random.Random) -> dict[str, Any]:
    """Column updates for the feed after ``o``: schedule, health, and (on success) validators."""
    base: dict[str, Any] = {"last_polled": o.polled_at, "last_status": o.status or None}
    if o.refusals:
        base.update(refused=o.feed.refused + len(o.refusals), last_refused=o.refusals[-1])
    if not o.ok:
        failures = o.feed.failures + 1
        return {**base, "failures": failures, "last_error_at": o.polled_at, "last_error": o.error,
                "next_poll": schedule.after_failure(o.polled_at, failures, settings, rng, o.retry_after_s),
                "retry_until": o.polled_at + o.retry_after_s if o.retry_after_s else 0.0}
    if o.skipped:
        base.update(skipped=o.feed.skipped + len(o.skipped), last_skipped=o.skipped[-1][:500])
    interval = schedule.success_interval(settings, o.hints, o.posting_s, o.feed.interval_s)
    # Entries still waiting: come back as soon as the schedule allows, not after the feed's interval.
    next_poll = o.polled_at + settings.min_interval_s if o.pending else \
        schedule.jittered(o.polled_at, interval, rng, settings)
    return {**base, **o.validators, "failures": 0, "last_success": o.polled_at, "retry_until": 0.0,
            "interval_s": interval, "next_poll": next_poll, "pending": o.pending,
            "published": o.feed.published + o.published}
