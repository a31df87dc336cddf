"""The Kafka producer of the bus: idempotent, acks=all, durable once ``flush`` returns."""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import kafka.errors as kerr
from kafka import KafkaProducer

from pipeline.bus.kafka.client import DELIVERY_TIMEOUT_MS, MAX_BLOCK_MS, REQUEST_TIMEOUT_MS, build, translate
from pipeline.errors import BackendUnavailable

if TYPE_CHECKING:
    from pipeline.bus.kafka.bus import KafkaBus


class KafkaBusProducer:
    """Idempotent producer (acks=all): a record is durable once ``flush`` returns without raising.

    After a failed flush the unconfirmed records are forgotten: the caller must not commit,
    and redoes the batch (a record may then arrive twice: ids are idempotent).
    """

    def __init__(self, bus: KafkaBus) -> None:
        self.bus = bus
        self._producer = build(
            KafkaProducer, "start a producer", acks="all", enable_idempotence=True, linger_ms=5,
            max_block_ms=MAX_BLOCK_MS, delivery_timeout_ms=DELIVERY_TIMEOUT_MS, **bus.config)
        self._futures: list[Any] = []
        self._closed = False

    def publish(self, topic: str, key: str | None, value: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.bus.ensure_topics([topic])  # else the broker may auto-create it with its own partition count
        wire_headers = [(k, v.encode("utf-8")) for k, v in (headers or {}).items()]
        with translate(f"publish to {topic}"):
            self._futures.append(self._producer.send(
                topic, value=value, key=key.encode("utf-8") if key is not None else None, headers=wire_headers))

    def flush(self, timeout_s: float | None = None) -> None:
        """Wait for every acknowledgement; BackendUnavailable if one failed or time ran out."""
        futures, self._futures = self._futures, []
        if not futures:
            return
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else DELIVERY_TIMEOUT_MS / 1000 + 5)
        with translate("flush"):
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


