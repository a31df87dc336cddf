"""The poller's counts reach /metrics through the sensor's hooks (injected fetch: no feed server)."""

from __future__ import annotations

import random
import urllib.request

from pipeline.bus.base import RAW
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import PollerSettings
from pipeline.poller.fetch import FetchResult
from pipeline.poller.service import Poller
from pipeline.poller.store import FeedStore
from pipeline.runtime.prometheus import PrometheusSensor, serve_metrics

NOW = 1_750_000_000.0
RSS = (b'<rss version="2.0"><channel><title>Fake</title><item><title>A</title><link>http://fake.test/a</link>'
       b"<description>Words</description></item></channel></rss>")


def test_not_modified_and_failed_polls_are_exported(tmp_path) -> None:
    answers = [FetchResult("", 200, RSS, {"etag": '"v1"'}), FetchResult("", 304),
               FetchResult("", 304), FetchResult("", 500, error="HTTP 500 Internal Server Error")]

    def fetch(url, etag=None, last_modified=None, accept="", trusted_host=None):
        return answers.pop(0)

    bus, store = SqliteBus(tmp_path / "bus.db"), FeedStore(tmp_path / "feeds.db")
    bus.ensure_topics([RAW])
    store.add("http://fake.test/feed.xml", now=NOW)
    sensor = PrometheusSensor()
    poller = Poller(store, bus.producer(), PollerSettings(full_text=False, per_host_delay_s=0.0), fetch=fetch,
                    now=lambda: NOW, rng=random.Random(1), sensor=sensor)
    server = serve_metrics(sensor, "127.0.0.1", 0)
    try:
        for _ in range(4):
            poller.poll_once(force=True)
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        assert 'pipeline_polls_not_modified_total{stage="poll"} 2.0' in text
        assert 'pipeline_poll_errors_total{stage="poll"} 1.0' in text
        assert 'pipeline_records_out_total{stage="poll"} 1.0' in text
        assert sensor.counts["poll.not_modified"] == 2 and sensor.counts["poll.errors"] == 1
    finally:
        server.shutdown()
        server.server_close()
        poller.close()
        bus.close()
        store.close()
