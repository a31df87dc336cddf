"""A flush that times out with batches still in flight sends them again on a fresh producer (fake driver).

CI once saw a producer whose in-flight batches never completed after a broker restart: every
retried flush timed out on the same stuck producer and the NLP service stalled for good. The
real-broker drill is ``tests/distributed/test_services.py``; this pins the rule without one.
"""

from __future__ import annotations

from typing import Any

import kafka.errors as kerr
import pytest

from pipeline.bus.kafka.producer import KafkaBusProducer
from pipeline.errors import BackendUnavailable


class FakeFuture:
    def __init__(self, acknowledged: bool) -> None:
        self.acknowledged = acknowledged

    def get(self, timeout: float | None = None) -> object:
        if not self.acknowledged:
            raise kerr.KafkaTimeoutError(f"Timeout after waiting for {timeout} secs.")
        return object()


class FakeDriver:
    """A kafka-python producer that acknowledges only the values in ``acknowledges``; flush times out otherwise."""

    def __init__(self, acknowledges: set[bytes] | None) -> None:
        self.acknowledges = acknowledges  # None: every record
        self.sent: list[bytes] = []
        self.closed = False

    def _acknowledged(self, value: bytes) -> bool:
        return self.acknowledges is None or value in self.acknowledges

    def send(self, topic: str, value: bytes, key: bytes | None, headers: list[Any]) -> FakeFuture:
        self.sent.append(value)
        return FakeFuture(self._acknowledged(value))

    def flush(self, timeout: float | None = None) -> None:
        if not all(self._acknowledged(v) for v in self.sent):
            raise kerr.KafkaTimeoutError("Timeout waiting for future")

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


class FakeBus:
    config: dict[str, Any] = {}

    def ensure_topics(self, topics: list[str]) -> None:
        pass


@pytest.fixture
def drivers(monkeypatch: pytest.MonkeyPatch) -> list[FakeDriver]:
    """The drivers the producer builds, in order: the first one is stuck on b"b" and b"c"."""
    built: list[FakeDriver] = []

    def new_driver(self: KafkaBusProducer) -> FakeDriver:
        built.append(FakeDriver({b"a"} if not built else None))
        return built[-1]

    monkeypatch.setattr(KafkaBusProducer, "_new_producer", new_driver)
    return built


def test_a_timed_out_flush_resends_the_unacknowledged_on_a_fresh_producer(drivers: list[FakeDriver]) -> None:
    producer = KafkaBusProducer(FakeBus())  # type: ignore[arg-type]
    for value in (b"a", b"b", b"c"):
        producer.publish("t", None, value)
    with pytest.raises(BackendUnavailable, match="2 record"):
        producer.flush(timeout_s=0.1)
    producer.flush(timeout_s=0.1)  # the retry the worker makes
    stuck, fresh = drivers
    assert stuck.closed, "the stuck producer is dropped"
    assert fresh.sent == [b"b", b"c"], "only what was not acknowledged is sent again, in order"
    producer.flush(timeout_s=0.1)
    assert fresh.sent == [b"b", b"c"], "nothing is sent twice once acknowledged"
