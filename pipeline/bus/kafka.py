"""The bus on Apache Kafka, through kafka-python 3.x: the only module that imports ``kafka``.

Same contract as :mod:`pipeline.bus.base` and the SQLite log. Driver errors are
translated by :func:`_translate`: callers see only :class:`BackendUnavailable`
(retry later) or :class:`ConfigError` (fix the settings). Every call is bounded by
the timeouts below (a missing broker is an error, never a hang), and clients
reconnect by themselves once the broker is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import kafka.errors as kerr
from kafka import (
    AsyncConsumerRebalanceListener,
    KafkaAdminClient,
    KafkaConsumer,
    KafkaProducer,
    OffsetAndMetadata,
    OffsetSpec,
    TopicPartition,
)

from pipeline.bus.base import Message, TopicStats
from pipeline.config import BusSettings, KafkaSecurity
from pipeline.errors import BackendUnavailable, ConfigError

log = logging.getLogger(__name__)

CLIENT_ID = "news-claims-pipeline"
BOOTSTRAP_TIMEOUT_MS = 10_000  # kafka-python 3.x: replaces api_version_auto_timeout_ms
REQUEST_TIMEOUT_MS = 10_000
RECONNECT_BACKOFF_MAX_MS = 2_000  # default 30 s would make recovery after a broker restart slow
MAX_BLOCK_MS = 10_000  # send() waiting for topic metadata
DELIVERY_TIMEOUT_MS = 30_000  # a record not acknowledged by then fails its future
SESSION_TIMEOUT_MS = 10_000  # a crashed member's partitions move after this
TOPIC_READY_TIMEOUT_MS = 10_000
READ_TIMEOUT_S = 10.0

# Settings the broker will refuse for good: retrying cannot help.
_CONFIG_ERRORS = (
    kerr.KafkaConfigurationError, kerr.AuthorizationError, kerr.SaslAuthenticationFailedError,
    kerr.UnsupportedSaslMechanismError, kerr.IllegalSaslStateError, kerr.InvalidReplicationFactorError,
    kerr.InvalidPartitionsError, kerr.InvalidTopicError, kerr.PolicyViolationError,
)
# The group moved on while we were working: the partition's new owner gets the records again.
_REBALANCE_ERRORS = (kerr.CommitFailedError, kerr.RebalanceInProgressError, kerr.IllegalGenerationError,
                     kerr.UnknownMemberIdError)


@contextmanager
def _translate(action: str) -> Iterator[None]:
    """Map ``kafka.errors.*`` (and socket errors) to the project's error types."""
    try:
        yield
    except _CONFIG_ERRORS as exc:
        raise ConfigError(f"kafka: cannot {action}: {exc}") from exc
    except (kerr.KafkaError, OSError) as exc:
        raise BackendUnavailable(f"kafka: cannot {action}: {type(exc).__name__}: {exc}") from exc


class _RedactPassword(logging.Filter):
    """kafka-python's admin client logs its whole configuration at DEBUG, SASL password included."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, Mapping) and args.get("sasl_plain_password"):
            record.args = {**args, "sasl_plain_password": "***"}
        return True


logging.getLogger("kafka.admin.client").addFilter(_RedactPassword())


def client_config(bootstrap: str, security: KafkaSecurity) -> dict[str, Any]:
    """Connection settings shared by every client: servers, timeouts, TLS and SASL."""
    servers = [s.strip() for s in bootstrap.split(",") if s.strip()]
    if not servers:
        raise ConfigError("bus.url: kafka:// needs host:port[,host:port...]")
    config: dict[str, Any] = {
        "bootstrap_servers": servers, "client_id": CLIENT_ID, "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
        "request_timeout_ms": REQUEST_TIMEOUT_MS, "reconnect_backoff_max_ms": RECONNECT_BACKOFF_MAX_MS,
        "security_protocol": security.security_protocol,
    }
    if security.sasl_mechanism:
        config.update(sasl_mechanism=security.sasl_mechanism, sasl_plain_username=security.sasl_username,
                      sasl_plain_password=security.sasl_password.get_secret_value())
    for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
        if getattr(security, name):
            config[name] = getattr(security, name)
    return config


def _build(cls: Any, action: str, **config: Any) -> Any:
    """Construct a kafka-python client; on failure, close the network client it left running.

    (KafkaConsumer and KafkaAdminClient start an IO thread, and leave it running when
    bootstrapping fails: a retry loop would leak threads.)
    """
    made: list[Any] = []
    default_factory = cls.DEFAULT_CONFIG["kafka_client"]

    def factory(**kwargs: Any) -> Any:
        made.append(default_factory(**kwargs))
        return made[-1]

    try:
        with _translate(action):
            return cls(kafka_client=factory, **config)
    except Exception:
        for client in made:
            with suppress(Exception):
                client.close()
        raise


def _message(record: Any) -> Message:
    headers = {k: (v or b"").decode("utf-8", "replace") for k, v in (record.headers or [])}
    key = record.key.decode("utf-8", "replace") if record.key is not None else None
    return Message(record.topic, record.partition, record.offset, key, record.value or b"", headers,
                   record.timestamp)


def _next_offsets(messages: Sequence[Message]) -> dict[TopicPartition, int]:
    """Per partition, the offset just past the highest message."""
    out: dict[TopicPartition, int] = {}
    for m in messages:
        tp = TopicPartition(m.topic, m.partition)
        out[tp] = max(out.get(tp, 0), m.offset + 1)
    return out


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
                error = kerr.for_code(topic["error_code"])
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

    def read(self, topic: str, limit: int = 100) -> list[Message]:
        """The oldest ``limit`` records over all partitions (by timestamp), without joining a group."""
        self.ensure_topics([topic])
        reader = _build(KafkaConsumer, f"read {topic}", group_id=None, enable_auto_commit=False,
                        auto_offset_reset="earliest", **self.config)
        try:
            with self._admin(f"read {topic}") as admin:
                tps = [TopicPartition(topic, p) for p in _partition_ids(admin, topic)]
            with _translate(f"read {topic}"):
                records = _read_all(reader, tps, limit)
        finally:
            with suppress(Exception):
                reader.close()
        records.sort(key=lambda m: (m.timestamp_ms, m.partition, m.offset))
        return records[:limit]

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
                self._admin_client = _build(KafkaAdminClient, "connect", **self.config)
            admin = self._admin_client
        try:
            with _translate(action):
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
            out.extend(_message(r) for r in records if r.offset < todo.get(tp, -1))
            if records and records[-1].offset + 1 >= todo.get(tp, 0):
                todo.pop(tp, None)
    if todo:
        raise kerr.KafkaTimeoutError(f"records of {sorted(todo)} not fetched within {READ_TIMEOUT_S}s")
    return out


class KafkaBusProducer:
    """Idempotent producer (acks=all): a record is durable once ``flush`` returns without raising.

    After a failed flush the unconfirmed records are forgotten: the caller must not commit,
    and redoes the batch (a record may then arrive twice: ids are idempotent).
    """

    def __init__(self, bus: KafkaBus) -> None:
        self.bus = bus
        self._producer = _build(
            KafkaProducer, "start a producer", acks="all", enable_idempotence=True, linger_ms=5,
            max_block_ms=MAX_BLOCK_MS, delivery_timeout_ms=DELIVERY_TIMEOUT_MS, **bus.config)
        self._futures: list[Any] = []
        self._closed = False

    def publish(self, topic: str, key: str | None, value: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.bus.ensure_topics([topic])  # else the broker may auto-create it with its own partition count
        wire_headers = [(k, v.encode("utf-8")) for k, v in (headers or {}).items()]
        with _translate(f"publish to {topic}"):
            self._futures.append(self._producer.send(
                topic, value=value, key=key.encode("utf-8") if key is not None else None, headers=wire_headers))

    def flush(self, timeout_s: float | None = None) -> None:
        """Wait for every acknowledgement; BackendUnavailable if one failed or time ran out."""
        futures, self._futures = self._futures, []
        if not futures:
            return
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else DELIVERY_TIMEOUT_MS / 1000 + 5)
        with _translate("flush"):
            self._producer.flush(timeout=max(0.0, deadline - time.monotonic()))
        failed = []
        for future in futures:
            try:
                future.get(timeout=max(0.0, deadline - time.monotonic()))
            except kerr.KafkaError as exc:
                failed.append(exc)
        if failed:
            raise BackendUnavailable(
                f"kafka: {len(failed)} of {len(futures)} records not acknowledged: {failed[0]!r}") from failed[0]

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self.flush()
            finally:
                with suppress(Exception):
                    self._producer.close(timeout=REQUEST_TIMEOUT_MS / 1000)


class KafkaBusConsumer:
    """One member of a consumer group; offsets move only through :meth:`commit`.

    Rebalancing happens inside :meth:`poll`, and the worker commits each batch before
    polling again: so revoked partitions normally hold nothing processed but uncommitted,
    and records polled but not committed go to the partition's next owner (at-least-once).
    Offsets whose commit failed on a rebalance are retried from ``on_partitions_revoked``.
    """

    def __init__(self, bus: KafkaBus, group: str, topics: list[str]) -> None:
        self.group = group
        self._consumer = _build(
            KafkaConsumer, f"join group {group}", group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest", session_timeout_ms=SESSION_TIMEOUT_MS, **bus.config)
        self._retry: dict[TopicPartition, int] = {}  # processed offsets whose commit hit a rebalance
        self._lock = threading.Lock()  # _retry is shared with the listener on the IO thread
        self._consumer.subscribe(topics=topics, listener=_Listener(self))
        self._closed = False

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        with _translate(f"poll for group {self.group}"):
            batches = self._consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        return [_message(r) for tp in sorted(batches) for r in batches[tp]]

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
            with _translate(f"commit for group {self.group}"):
                self._consumer.commit(offsets)
        except BackendUnavailable as exc:
            if isinstance(exc.__cause__, _REBALANCE_ERRORS):
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
            with _translate(f"leave group {self.group}"):
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
