"""The Kafka producer of the bus: idempotent, acks=all, durable once ``flush`` returns."""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import kafka.errors as kerr
from kafka import KafkaProducer

from pipeline.bus.kafka.client import (
    DELIVERY_TIMEOUT_MS,
    MAX_BLOCK_MS,
    REQUEST_TIMEOUT_MS,
    SIZE_ERRORS,
    build,
    translate,
)
from pipeline.errors import BackendUnavailable, RecordTooLarge

if TYPE_CHECKING:
    from pipeline.bus.kafka.bus import KafkaBus


Record = tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]  # topic, key, value, headers


class _Sent:
    """A record handed to the producer, kept until the broker acknowledges it (to send it again)."""

    __slots__ = ("future", "record")

    def __init__(self, future: Any, record: Record) -> None:
        self.future, self.record = future, record


class KafkaBusProducer:
    """Idempotent producer (acks=all): a record is durable once ``flush`` returns without raising.

    After a flush failed for an outage, the records not acknowledged are kept and sent
    again by the next ``flush`` on a fresh producer (one may then arrive twice: ids are
    idempotent), so retrying ``flush`` is enough. A fresh one because the old one may
    never recover: once batches expired in an outage, resending on it failed every time,
    and a flush that timed out with batches still in flight timed out again on every
    retry (drills stopping Kafka mid-stream stalled for good both ways). So a record not
    acknowledged when ``flush`` gives up, for either reason, is sent again on a fresh one.
    A record over the producer's size limit raises :class:`RecordTooLarge` from ``publish``.
    One the *broker* refuses for its size raises it from ``flush``: the idempotent
    producer treats that as fatal and aborts every batch in flight, so none of the
    records since the last good flush is confirmed; they are dropped, a fresh producer
    replaces the broken one, and the caller sends them again one at a time to find the
    culprit (the worker does).
    """

    def __init__(self, bus: KafkaBus) -> None:
        self.bus = bus
        self._producer = self._new_producer()
        self._sent: list[_Sent] = []  # handed to the producer, not yet acknowledged
        self._unsent: list[Record] = []  # of a failed flush: sent again, in order, by the next flush
        self._broken = False  # the producer hit a fatal error: replaced before the next send
        self._closed = False

    def _new_producer(self) -> Any:
        return build(KafkaProducer, "start a producer", acks="all", enable_idempotence=True, linger_ms=5,
                     max_block_ms=MAX_BLOCK_MS, delivery_timeout_ms=DELIVERY_TIMEOUT_MS, **self.bus.config)

    def publish(self, topic: str, key: str | None, value: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.bus.ensure_topics([topic])  # else the broker may auto-create it with its own partition count
        wire_headers = [(k, v.encode("utf-8")) for k, v in (headers or {}).items()]
        self._send((topic, key.encode("utf-8") if key is not None else None, value, wire_headers))

    def _send(self, record: Record) -> None:
        if self._broken:
            fresh = self._new_producer()  # an outage raises BackendUnavailable: the caller retries
            broken, self._producer, self._broken = self._producer, fresh, False
            with suppress(Exception):
                broken.close(timeout=0)
        topic, key, value, headers = record
        with translate(f"publish to {topic}"):
            self._sent.append(_Sent(self._producer.send(topic, value=value, key=key, headers=headers), record))

    def flush(self, timeout_s: float | None = None) -> None:
        """Wait for every acknowledgement; BackendUnavailable if one failed or time ran out."""
        while self._unsent:  # an outage here raises: what is left stays for the next flush
            self._send(self._unsent[0])
            self._unsent.pop(0)
        if not self._sent:
            return
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else DELIVERY_TIMEOUT_MS / 1000 + 5)
        with translate("flush"), suppress(kerr.KafkaTimeoutError):  # the unacknowledged count as failed below
            self._producer.flush(timeout=max(0.0, deadline - time.monotonic()))
        failed = []
        for sent in self._sent:
            try:
                sent.future.get(timeout=max(0.0, deadline - time.monotonic()))
            except kerr.KafkaError as exc:
                failed.append((sent, exc))
        self._sent = []
        if any(isinstance(exc, SIZE_ERRORS) for _, exc in failed):
            self._broken = True  # it aborted every batch: nothing to send again from it
            raise RecordTooLarge(f"kafka: the broker refused a record as too large; {len(failed)} record(s) "
                                 "since the last flush were not sent") from failed[0][1]
        if failed:  # sent again by the next flush, on a fresh producer
            self._unsent, self._broken = [sent.record for sent, _ in failed], True
            raise BackendUnavailable(
                f"kafka: {len(failed)} record(s) not acknowledged: {failed[0][1]!r}") from failed[0][1]

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self.flush()
            finally:
                with suppress(Exception):
                    self._producer.close(timeout=REQUEST_TIMEOUT_MS / 1000)
