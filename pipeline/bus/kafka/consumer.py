"""The Kafka consumer of the bus: one group member whose offsets move only through ``commit``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kafka import AsyncConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition

from pipeline.bus.base import Message
from pipeline.bus.kafka.client import (
    REBALANCE_ERRORS,
    REQUEST_TIMEOUT_MS,
    SESSION_TIMEOUT_MS,
    build,
    to_message,
    translate,
)
from pipeline.errors import BackendUnavailable

if TYPE_CHECKING:
    from pipeline.bus.kafka.bus import KafkaBus

log = logging.getLogger(__name__)


def _next_offsets(messages: Sequence[Message]) -> dict[TopicPartition, int]:
    """Per partition, the offset just past the highest message."""
    out: dict[TopicPartition, int] = {}
    for m in messages:
        tp = TopicPartition(m.topic, m.partition)
        out[tp] = max(out.get(tp, 0), m.offset + 1)
    return out



class KafkaBusConsumer:
    """One member of a consumer group; offsets move only through :meth:`commit`.

    Rebalancing happens inside :meth:`poll`, and the worker commits each batch before
    polling again: so revoked partitions normally hold nothing processed but uncommitted,
    and records polled but not committed go to the partition's next owner (at-least-once).
    Offsets whose commit failed on a rebalance are retried from ``on_partitions_revoked``.
    """

    def __init__(self, bus: KafkaBus, group: str, topics: list[str]) -> None:
        self.group = group
        self._consumer = build(
            KafkaConsumer, f"join group {group}", group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest", session_timeout_ms=SESSION_TIMEOUT_MS, **bus.config)
        self._retry: dict[TopicPartition, int] = {}  # processed offsets whose commit hit a rebalance
        self._lock = threading.Lock()  # _retry is shared with the listener on the IO thread
        self._consumer.subscribe(topics=topics, listener=_Listener(self))
        self._closed = False

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        with translate(f"poll for group {self.group}"):
            batches = self._consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        return [to_message(r) for tp in sorted(batches) for r in batches[tp]]

    def commit(self, messages: Sequence[Message]) -> None:
        """Commit past each partition's highest message, for partitions this member still owns.

        Offsets of partitions already handed to another member are dropped: the new
        owner redoes that work, and committing them could move its offset backwards.
        """
        assigned = self._consumer.assignment()
        with self._lock:
            for tp, offset in _next_offsets(messages).items():
                self._retry[tp] = max(self._retry.get(tp, 0), offset)
            offsets = {tp: OffsetAndMetadata(o, "", -1) for tp, o in self._retry.items() if tp in assigned}
            self._retry = {tp: o for tp, o in self._retry.items() if tp in assigned}
        if not offsets:
            return
        try:
            with translate(f"commit for group {self.group}"):
                self._consumer.commit(offsets)
        except BackendUnavailable as exc:
            if isinstance(exc.__cause__, REBALANCE_ERRORS):
                log.warning("kafka: commit for group %s hit a rebalance; retried at revocation", self.group)
                return
            raise
        with self._lock:
            for tp, meta in offsets.items():
                if self._retry.get(tp) == meta.offset:
                    del self._retry[tp]

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with translate(f"leave group {self.group}"):
                self._consumer.close(autocommit=False, timeout_ms=REQUEST_TIMEOUT_MS)

    def take_retry(self, partitions: set[TopicPartition]) -> dict[TopicPartition, OffsetAndMetadata]:
        """Remove and return the pending offsets of ``partitions`` (called by the listener)."""
        with self._lock:
            taken = {tp: self._retry.pop(tp) for tp in partitions if tp in self._retry}
        return {tp: OffsetAndMetadata(o, "", -1) for tp, o in taken.items()}


class _Listener(AsyncConsumerRebalanceListener):
    """Runs on kafka-python's IO thread, where blocking consumer calls raise: hence async."""

    def __init__(self, owner: KafkaBusConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        offsets = self.owner.take_retry(set(revoked))
        try:
            if offsets:
                await self.owner._consumer.commit_async(offsets)  # a kafka Future is awaitable on the IO loop
        except Exception as exc:  # best effort: else the next owner gets the records again
            log.warning("kafka: commit on revocation failed for group %s: %s", self.owner.group, exc)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        return None

    async def on_partitions_lost(self, lost: set[TopicPartition]) -> None:
        self.owner.take_retry(set(lost))  # no longer ours: committing would fail anyway
