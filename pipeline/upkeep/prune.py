"""``pipeline prune``: forget articles, claims, thread links and dead letters older than a date.

Order and guarantees:

1. dead letters on a bus that deletes on request (the SQLite log), in
   batches; a Kafka bus is left to its topics' ``retention.ms``;
2. whole indices that hold only older documents (Elasticsearch with
   per-period indices), dropped at once;
3. articles with their claims and thread links, ``batch`` articles per
   committed batch, until none is older;
4. compaction (segment merge, space), unless stopped or skipped.

Every step is idempotent: a prune stopped anywhere (``stop()`` is checked
between batches, as a SIGINT asks) is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pipeline.bus.base import DLQ_TOPICS, Bus, Retention
from pipeline.index.retention import Progress, Prunable, PruneCounts, PrunePlan

DEAD_LETTER_BATCH = 5000
KAFKA_NOTE = ("dead letters on Kafka expire by their topics' retention.ms (the broker deletes whole log "
              "segments), e.g. kafka-configs.sh --bootstrap-server HOST:9092 --alter --entity-type topics "
              "--entity-name articles.raw.dlq --add-config retention.ms=2592000000 (30 days)")


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What a prune did; ``complete`` is False when it was stopped before the end (run it again)."""

    counts: PruneCounts
    dead_letters: int | None  # None: the bus keeps its own retention (Kafka)
    dropped: tuple[str, ...]
    compacted: str
    complete: bool


def epoch_ms(day: date) -> int:
    """Midnight UTC at the start of ``day``, in epoch milliseconds (bus record times)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def dead_letter_count(bus: Bus, before: date) -> int | None:
    """Dead letters older than ``before`` a prune would delete; None when the bus does not delete on request."""
    return bus.count_before(DLQ_TOPICS, epoch_ms(before)) if isinstance(bus, Retention) else None


def plan(index: Prunable, bus: Bus, before: date) -> tuple[PrunePlan, int | None]:
    """The dry run: the index's plan and the dead letters that would go."""
    return index.prune_plan(before), dead_letter_count(bus, before)


def prune(index: Prunable, bus: Bus, before: date, *, batch: int = 500, stop: Callable[[], bool] = lambda: False,
          progress: Progress | None = None, compact: bool = True, vacuum: bool = False,
          compact_progress: Progress | None = None) -> PruneReport:
    """Run steps 1-4 of the module doc; ``progress`` gets the articles of each committed batch."""
    tick = progress or (lambda _n: None)
    letters = _prune_dead_letters(bus, before, stop)
    dropped = tuple(index.drop_expired_indices(before)) if not stop() else ()
    total = PruneCounts()
    while not stop():
        done = index.prune_batch(before, batch)
        if not done.articles:
            break
        total += done
        tick(done.articles)
    else:
        return PruneReport(total, letters, dropped, "", complete=False)
    compacted = index.compact(compact_progress, vacuum) if compact else "skipped"
    return PruneReport(total, letters, dropped, compacted, complete=True)


def _prune_dead_letters(bus: Bus, before: date, stop: Callable[[], bool]) -> int | None:
    if not isinstance(bus, Retention):
        return None
    deleted = 0
    while not stop() and (n := bus.prune_before(DLQ_TOPICS, epoch_ms(before), DEAD_LETTER_BATCH)):
        deleted += n
    return deleted
