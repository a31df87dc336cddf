"""KafkaBus.drop_namespace: a run's topics and groups go, nobody else's (benches and tests clean up with it)."""

from __future__ import annotations

import time

import pytest
from support import KAFKA_HOST, KAFKA_PORT, require_server, unique_name

pytestmark = pytest.mark.kafka


def test_drop_namespace_deletes_the_prefixs_topics_and_groups_only() -> None:
    require_server("Kafka", KAFKA_HOST, KAFKA_PORT)
    from pipeline.bus.kafka import KafkaBus
    from pipeline.config import BusSettings

    bus = KafkaBus(f"{KAFKA_HOST}:{KAFKA_PORT}", BusSettings(partitions=1))
    mine, other = unique_name("dropme") + ".", unique_name("keepme") + "."
    try:
        bus.ensure_topics([f"{mine}a", f"{mine}b", f"{other}a"])
        producer = bus.producer()
        producer.publish(f"{mine}a", "k", b"v")
        producer.flush()
        producer.close()
        consumer = bus.consumer(f"{mine}group", [f"{mine}a"])
        consumer.commit(consumer.poll(10, 5.0))
        consumer.close()
        assert bus.drop_namespace(mine) == [f"{mine}a", f"{mine}b"]
        deadline = time.monotonic() + 10  # a deletion reaches the broker's metadata within moments
        while (left := bus.drop_namespace(mine)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == []  # nothing of it is left
        [stats] = bus.stats([f"{other}a"])  # the other namespace's topic is still there
        assert stats.topic == f"{other}a"
        with pytest.raises(ValueError):
            bus.drop_namespace("")
    finally:
        bus.drop_namespace(mine)
        bus.drop_namespace(other)
        bus.close()
