"""The Kafka bus: producers and consumers on demand, and the admin views (topics, stats, lag, read)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import kafka.errors as kerr
from kafka import KafkaAdminClient, KafkaConsumer, OffsetSpec, TopicPartition

from pipeline.bus.base import Message, TopicStats
from pipeline.bus.kafka.client import (
    READ_TIMEOUT_S,
    TOPIC_READY_TIMEOUT_MS,
    build,
    client_config,
    to_message,
    translate,
)
from pipeline.bus.kafka.consumer import KafkaBusConsumer
from pipeline.bus.kafka.producer import KafkaBusProducer
from pipeline.config import BusSettings
from pipeline.errors import BackendUnavailable


class KafkaBus:
    """Factory for Kafka producers and consumers plus the admin views. Thread-safe."""

    def __init__(self, bootstrap: str, settings: BusSettings) -> None:
        self.settings = settings
        self.config = client_config(bootstrap, settings.kafka)
        self._admin_client: Any = None  # created on first use, so constructing the bus never blocks
        self._known: set[str] = set()  # topics known to exist
        self._lock = threading.Lock()

    def producer(self) -> KafkaBusProducer:
        return KafkaBusProducer(self)

    def consumer(self, group: str, topics: Sequence[str]) -> KafkaBusConsumer:
        self.ensure_topics(topics)
        return KafkaBusConsumer(self, group, list(topics))

    def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create missing topics with ``settings.partitions`` and wait until they have leaders.

        Idempotent: existing topics are left as they are (even with another partition count).
        """
        missing = [t for t in dict.fromkeys(topics) if t not in self._known]
        if not missing:
            return
        spec = {t: {"num_partitions": self.settings.partitions,
                    "replication_factor": self.settings.replication_factor} for t in missing}
        with self._admin(f"create topics {', '.join(missing)}") as admin:
            result = admin.create_topics(spec, raise_errors=False)
            for topic in result["topics"]:
                error = kerr.for_code(topic["error_code"])  # type: ignore[no-untyped-call]  # unannotated in the kafka-python stubs
                if error not in (kerr.NoError, kerr.TopicAlreadyExistsError):
                    raise error(f"{topic['name']}: {topic.get('error_message')}")
            admin.wait_for_topics(missing, timeout_ms=TOPIC_READY_TIMEOUT_MS)
        self._known.update(missing)

    def stats(self, topics: Sequence[str]) -> list[TopicStats]:
        """End offsets and record counts per partition, committed offsets of every group."""
        self.ensure_topics(topics)
        with self._admin("read topic stats") as admin:
            tps = [TopicPartition(t, p) for t in topics for p in _partition_ids(admin, t)]
            ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in tps})
            starts = admin.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in tps})
            groups = [g["group_id"] for g in admin.list_groups()]
            offsets = admin.list_group_offsets({g: tps for g in groups}) if groups else {}
        out = []
        for tp in tps:
            committed = {g: o[tp].offset for g, o in offsets.items() if tp in o and o[tp].offset >= 0}
            end = ends[tp].offset
            out.append(TopicStats(tp.topic, tp.partition, end, end - starts[tp].offset, committed))
        return out

    def lag(self, stats: TopicStats, group: str) -> int:
        """Records of the partition at or after the group's committed offset (all, if none)."""
        if group not in stats.committed:
            return stats.records
        return max(0, min(stats.records, stats.end_offset - stats.committed[group]))

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """One group's committed offsets on one topic (one offset fetch, no listing of groups)."""
        self.ensure_topics([topic])
        with self._admin(f"read the offsets of {group}") as admin:
            tps = [TopicPartition(topic, p) for p in _partition_ids(admin, topic)]
            offsets = admin.list_group_offsets({group: tps}).get(group, {})
        return {tp.partition: o.offset for tp, o in offsets.items() if tp.topic == topic and o.offset >= 0}

    def read(self, topic: str, limit: int = 100) -> list[Message]:
        """The oldest ``limit`` records over all partitions (by timestamp), without joining a group."""
        self.ensure_topics([topic])
        reader = build(KafkaConsumer, f"read {topic}", group_id=None, enable_auto_commit=False,
                        auto_offset_reset="earliest", **self.config)
        try:
            with self._admin(f"read {topic}") as admin:
                tps = [TopicPartition(topic, p) for p in _partition_ids(admin, topic)]
            with translate(f"read {topic}"):
                records = _read_all(reader, tps, limit)
        finally:
            with suppress(Exception):
                reader.close()
        records.sort(key=lambda m: (m.timestamp_ms, m.partition, m.offset))
        return records[:limit]

    def drop_namespace(self, prefix: str) -> list[str]:
        """Delete every topic and consumer group whose name starts with ``prefix`` (tests and benches only).

        Returns the topics deleted. An empty prefix is refused: it would name the whole cluster.
        """
        if not prefix:
            raise ValueError("drop_namespace needs a non-empty prefix")
        with self._admin(f"drop namespace {prefix}") as admin:
            topics = sorted(t for t in admin.list_topics() if t.startswith(prefix))
            groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(prefix)]
            if groups:  # a group still holding members is refused by the broker: left for its retention
                with suppress(kerr.KafkaError):
                    admin.delete_groups(groups)
            if topics:
                admin.delete_topics(topics)
        self._known.difference_update(topics)
        return topics

    def close(self) -> None:
        with self._lock:
            admin, self._admin_client = self._admin_client, None
        if admin is not None:
            with suppress(Exception):
                admin.close()

    @contextmanager
    def _admin(self, action: str) -> Iterator[Any]:
        """The shared admin client, replaced after a failure.

        (kafka-python's admin client can stay on "NodeNotReadyError: No node_id provided"
        after an outage; a fresh one bootstraps again.)
        """
        with self._lock:
            if self._admin_client is None:
                self._admin_client = build(KafkaAdminClient, "connect", **self.config)
            admin = self._admin_client
        try:
            with translate(action):
                yield admin
        except BackendUnavailable:
            with self._lock:
                if self._admin_client is admin:
                    self._admin_client = None
            with suppress(Exception):
                admin.close()
            raise


def _partition_ids(admin: Any, topic: str) -> list[int]:
    (described,) = admin.describe_topics([topic])
    return sorted(p["partition_index"] for p in described["partitions"])


def _read_all(reader: Any, tps: list[TopicPartition], limit: int) -> list[Message]:
    """Up to ``limit`` records from the start of each partition, stopping at today's end offsets."""
    reader.assign(tps)
    reader.seek_to_beginning(*tps)
    ends = reader.end_offsets(tps)
    starts = reader.beginning_offsets(tps)
    todo = {tp: min(ends[tp], starts[tp] + limit) for tp in tps if ends[tp] > starts[tp]}
    out: list[Message] = []
    deadline = time.monotonic() + READ_TIMEOUT_S
    while todo and time.monotonic() < deadline:
        for tp, records in reader.poll(timeout_ms=200).items():
            out.extend(to_message(r) for r in records if r.offset < todo.get(tp, -1))
            if records and records[-1].offset + 1 >= todo.get(tp, 0):
                todo.pop(tp, None)
    if todo:
        raise kerr.KafkaTimeoutError(f"records of {sorted(todo)} not fetched within {READ_TIMEOUT_S}s")
    return out


