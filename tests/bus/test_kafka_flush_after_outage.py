"""A flush retried after a broker outage sends again what the outage left unacknowledged (private broker).

The worker retries ``flush`` alone after an outage, then commits: so a flush whose records the
driver gave up on (an outage longer than the delivery timeout) must not forget them, or the
retry "succeeds" with nothing sent and the batch is lost.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

import pytest
from support import PrivateKafka, restart_drill, unique_name

from pipeline.errors import BackendUnavailable


@pytest.mark.kafka
@restart_drill
@pytest.mark.filterwarnings("ignore::ResourceWarning")  # refused sockets during the outage
def test_a_flush_retried_after_an_outage_delivers_the_records_it_failed(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.bus.kafka import KafkaBus
    from pipeline.bus.kafka.client import DELIVERY_TIMEOUT_MS
    from pipeline.config import BusSettings

    caplog.set_level(logging.CRITICAL + 1, logger="kafka")
    broker = PrivateKafka(tmp_path)
    topic = unique_name("outage")
    broker.start()
    bus = KafkaBus(broker.address, BusSettings(partitions=1))
    try:
        producer = bus.producer()
        producer.publish(topic, "before", b"before")
        producer.flush()
        broker.stop()
        producer.publish(topic, "during", b"during")  # buffered: the broker is gone
        with pytest.raises(BackendUnavailable):  # waits until the driver gives the record up (delivery timeout)
            producer.flush(timeout_s=DELIVERY_TIMEOUT_MS / 1000 + 10)
        broker.start()
        deadline = time.monotonic() + 90
        while True:  # what the worker does: retry the flush, nothing else
            try:
                producer.flush(timeout_s=10)
                break
            except BackendUnavailable:
                assert time.monotonic() < deadline, "the broker did not come back"
                time.sleep(1.0)
        producer.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                keys = {m.key for m in bus.read(topic)}
                break
            except BackendUnavailable:
                assert time.monotonic() < deadline
                time.sleep(1.0)
        assert keys == {"before", "during"}
    finally:
        bus.close()
        broker.stop()
        gc.collect()
