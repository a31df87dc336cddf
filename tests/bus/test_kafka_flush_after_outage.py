"""A flush retried after a broker outage sends again what the outage left unacknowledged (private broker).

The worker retries ``flush`` alone after an outage, then commits: so a flush whose records the
driver gave up on (an outage longer than the delivery timeout) must not forget them, or the
retry "succeeds" with nothing sent and the batch is lost.
"""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import time
from pathlib import Path

import pytest
from support import unique_name

from pipeline.errors import BackendUnavailable


@pytest.mark.kafka
@pytest.mark.skipif(os.environ.get("TEST_KAFKA_RESTART_DRILL") != "1",
                    reason="restarts a private broker on KAFKA_DRILL_PORT (default 19092): set TEST_KAFKA_RESTART_DRILL=1")
@pytest.mark.filterwarnings("ignore::ResourceWarning")  # refused sockets during the outage
def test_a_flush_retried_after_an_outage_delivers_the_records_it_failed(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.bus.kafka import KafkaBus
    from pipeline.bus.kafka.client import DELIVERY_TIMEOUT_MS
    from pipeline.config import BusSettings

    caplog.set_level(logging.CRITICAL + 1, logger="kafka")
    port = os.environ.get("KAFKA_DRILL_PORT", "19092")
    cache = tmp_path / "servers"  # own run dir, shared downloads: the shared broker is left alone
    cache.mkdir()
    (cache / "dist").symlink_to(Path.home() / ".cache/news-claims-pipeline/dist")
    env = {**os.environ, "PIPELINE_SERVERS_CACHE": str(cache), "KAFKA_PORT": port}

    def servers(command: str) -> None:
        subprocess.run(["scripts/servers", command, "kafka"], env=env, check=True, capture_output=True, timeout=180)

    topic = unique_name("outage")
    servers("start")
    bus = KafkaBus(f"127.0.0.1:{port}", BusSettings(partitions=1))
    try:
        producer = bus.producer()
        producer.publish(topic, "before", b"before")
        producer.flush()
        servers("stop")
        producer.publish(topic, "during", b"during")  # buffered: the broker is gone
        with pytest.raises(BackendUnavailable):  # waits until the driver gives the record up (delivery timeout)
            producer.flush(timeout_s=DELIVERY_TIMEOUT_MS / 1000 + 10)
        servers("start")
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
        servers("stop")
        gc.collect()
