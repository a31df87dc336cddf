"""A record too large for Kafka is dead-lettered with the reason, never retried for ever (real broker)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from support import KAFKA_HOST, KAFKA_PORT, require_server, unique_name

from pipeline.bus.base import dlq_topic
from pipeline.config import BusSettings, WorkerSettings
from pipeline.errors import PermanentError, RecordTooLarge
from pipeline.runtime.shutdown import StopFlag
from pipeline.runtime.worker import Outcome, Outgoing, Worker

pytestmark = pytest.mark.kafka
FAST = WorkerSettings(batch_size=10, poll_timeout_s=0.5, backoff_initial_s=0.05, backoff_max_s=0.2)
HUGE = b"x" * 2_000_000  # over the producer's 1 MB max_request_size


@pytest.fixture
def kafka() -> Iterator[object]:
    require_server("Kafka", KAFKA_HOST, KAFKA_PORT)
    from pipeline.bus.kafka import KafkaBus

    bus = KafkaBus(f"{KAFKA_HOST}:{KAFKA_PORT}", BusSettings(partitions=1))
    yield bus
    bus.close()


class Inflating:
    """Echoes each record to ``out``, a 'huge' one inflated past what Kafka accepts (or ``size`` bytes)."""

    stage = "inflate"

    def __init__(self, out: str, size: bytes = HUGE) -> None:
        self.out, self.size = out, size

    def handle(self, batch):
        return Outcome(outputs=[Outgoing(self.out, m.key, self.size if m.key == "huge" else m.value)
                                for m in batch])


def _publish(bus, topic: str, keys: list[str]) -> None:
    producer = bus.producer()
    for key in keys:
        producer.publish(topic, key, f"value of {key}".encode())
    producer.flush()
    producer.close()


def _drain(worker: Worker, expected: int) -> None:
    handled = 0
    for _ in range(60):  # bounded: a record retried for ever would exhaust this, not hang the suite
        handled += worker.step(0.5)
        if handled >= expected:
            return
    raise AssertionError(f"only {handled} of {expected} records handled")


def test_a_record_over_the_producer_limit_is_refused_for_good(kafka) -> None:
    topic = unique_name("size")
    producer = kafka.producer()
    try:
        with pytest.raises(RecordTooLarge, match="too large") as refused:
            producer.publish(topic, "huge", HUGE)
        assert isinstance(refused.value, PermanentError)
        producer.publish(topic, "small", b"fits")  # the producer goes on
        producer.flush()
    finally:
        producer.close()
    assert [m.key for m in kafka.read(topic)] == ["small"]


@pytest.mark.parametrize("where", ["producer", "broker"])
def test_the_worker_dead_letters_an_oversize_output_and_the_rest_arrives(kafka, where: str) -> None:
    source, out = unique_name("size.in"), unique_name("size.out")
    size = HUGE
    if where == "broker":  # a topic whose broker limit is below the producer's: refused at flush
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=f"{KAFKA_HOST}:{KAFKA_PORT}")
        try:
            admin.create_topics({out: {"num_partitions": 1, "replication_factor": 1,
                                       "configs": {"max.message.bytes": "20000"}}})
        finally:
            admin.close()
        size = b"y" * 100_000
    _publish(kafka, source, ["a", "huge", "b"])
    worker = Worker(kafka.consumer(unique_name("g"), [source]), kafka.producer(), Inflating(out, size), FAST,
                    StopFlag())
    try:
        _drain(worker, 3)
    finally:
        worker.consumer.close()
        worker.producer.close()
    assert sorted({m.key for m in kafka.read(out)}) == ["a", "b"]
    (dead,) = kafka.read(dlq_topic(source))
    letter = json.loads(dead.value)
    assert dead.key == "huge" and letter["stage"] == "inflate" and "too large" in letter["error"]


def test_a_dead_letter_too_large_to_carry_its_payload_keeps_the_reason(kafka) -> None:
    source, out = unique_name("size.in"), unique_name("size.out")
    producer = kafka.producer()
    producer.publish(source, "huge", b"z" * 900_000)  # fits; wrapped in a dead letter (base64) it does not
    producer.flush()
    producer.close()
    worker = Worker(kafka.consumer(unique_name("g"), [source]), kafka.producer(), Inflating(out), FAST,
                    StopFlag())
    try:
        _drain(worker, 1)
    finally:
        worker.consumer.close()
        worker.producer.close()
    (dead,) = kafka.read(dlq_topic(source))
    from pipeline.runtime.deadletter import DeadLetter

    letter = DeadLetter.decode(dead.value)
    assert dead.key == "huge" and letter.payload == b"" and "too large" in letter.error
