"""The message bus protocol shared by the SQLite log and Kafka.

Semantics are Kafka's: topics split into partitions, records keyed (the key
picks the partition, so one article always lands on one partition), consumer
groups that share a topic's partitions, and offsets committed explicitly.
Delivery is at-least-once: a record is delivered again to the group until an
offset past it is committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

RAW = "articles.raw"
ENRICHED = "articles.enriched"
NLP_GROUP, INDEX_GROUP, THREADS_GROUP = "nlp", "indexer", "threads"
# The consumer groups reading each topic; each group gets every record of the topic.
CONSUMER_GROUPS: dict[str, tuple[str, ...]] = {RAW: (NLP_GROUP,), ENRICHED: (INDEX_GROUP, THREADS_GROUP)}


def dlq_topic(topic: str) -> str:
    """The dead-letter topic for records consumed from ``topic``."""
    return f"{topic}.dlq"


DLQ_TOPICS = (dlq_topic(RAW), dlq_topic(ENRICHED))
PIPELINE_TOPICS = (RAW, ENRICHED, *DLQ_TOPICS)  # every topic the stages read or write


@dataclass(frozen=True, slots=True)
class Message:
    """A record as read from the bus."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    timestamp_ms: int = 0


@dataclass(frozen=True, slots=True)
class TopicStats:
    """End offset and per-group lag of one topic partition."""

    topic: str
    partition: int
    end_offset: int  # offset the next record will get (Kafka's "log end offset")
    records: int
    committed: Mapping[str, int]  # group -> committed offset (next record to read)


class Producer(Protocol):
    def publish(self, topic: str, key: str | None, value: bytes, headers: Mapping[str, str] | None = None) -> None:
        """Queue a record. Durable only once ``flush`` has returned."""

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every queued record is acknowledged by the bus.

        Raises BackendUnavailable when that cannot be done; the caller must
        then not commit the offsets of the inputs that produced the records.
        """

    def close(self) -> None:
        """Flush and release resources. Idempotent."""


class Consumer(Protocol):
    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        """Return up to ``max_records`` records after the group's position (may be empty).

        Records of one partition come in offset order. After a restart, or
        when partitions move between members, delivery resumes from the last
        committed offset.
        """

    def commit(self, messages: Sequence[Message]) -> None:
        """Commit the position just past each partition's highest message in ``messages``.

        Call only after everything derived from those messages is flushed.
        """

    def close(self) -> None:
        """Leave the group (without committing). Idempotent."""


class Bus(Protocol):
    """Factory for producers and consumers, plus admin views for ``status``."""

    def producer(self) -> Producer: ...

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer: ...

    def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create the topics if missing (with the configured partitions). Idempotent."""

    def stats(self, topics: Sequence[str]) -> list[TopicStats]:
        """End offsets, record counts and committed offsets per group."""

    def lag(self, stats: TopicStats, group: str) -> int:
        """Records of that partition the group has not committed yet."""

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """The group's committed offset (the next record it will read) per partition of ``topic``;
        partitions it never committed are left out. Cheaper than :meth:`stats` (one group).
        Raises BackendUnavailable when the bus cannot be reached."""

    def read(self, topic: str, limit: int = 100) -> list[Message]:
        """The first ``limit`` records of a topic (all partitions), for inspection and tests."""

    def close(self) -> None: ...


@runtime_checkable
class Retention(Protocol):
    """A bus that deletes old records on request (the SQLite log). Kafka has none: its topics expire
    records by their own ``retention.ms``, which the broker enforces."""

    def count_before(self, topics: Sequence[str], before_ms: int) -> int:
        """Records of ``topics`` published before ``before_ms`` (epoch milliseconds)."""

    def prune_before(self, topics: Sequence[str], before_ms: int, limit: int) -> int:
        """Delete up to ``limit`` of those records, oldest first, in one transaction; how many went (0: done).

        As with Kafka's retention, a record goes whether or not every group has read it.
        """
