"""The poller with an injected fetch function and clock: no sockets at all."""

from __future__ import annotations

import random
from email.utils import formatdate

from pipeline.bus.base import RAW
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import PollerSettings
from pipeline.poller.fetch import FetchResult
from pipeline.poller.service import Poller
from pipeline.poller.store import FeedStore

NOW = 1_750_000_000.0
SETTINGS = PollerSettings(full_text=False, per_host_delay_s=0.0, min_interval_s=60.0, concurrency=2)
RSS = (
    b'<rss version="2.0"><channel><title>Fake</title><item><title>A</title><link>http://fake.test/a</link>'
    b"<pubDate>Tue, 03 Jun 2025 09:30:00 GMT</pubDate><description>Words</description></item></channel></rss>"
)


def _poller(tmp_path, fetch) -> tuple[Poller, SqliteBus, FeedStore]:
    bus, store = SqliteBus(tmp_path / "bus.db"), FeedStore(tmp_path / "feeds.db")
    bus.ensure_topics([RAW])
    store.add("http://fake.test/feed.xml", now=NOW)
    return (
        Poller(store, bus.producer(), SETTINGS, fetch=fetch, now=lambda: NOW, rng=random.Random(1)),
        bus,
        store,
    )


def test_injected_fetch_and_clock(tmp_path) -> None:
    calls = []

    def fetch(url, etag=None, last_modified=None, accept="", trusted_host=None):
        calls.append((url, etag))
        if etag:
            return FetchResult(url, 304, headers={"etag": etag})
        return FetchResult(url, 200, RSS, {"content-type": "application/rss+xml", "etag": '"v1"'})

    poller, bus, store = _poller(tmp_path, fetch)
    try:
        assert poller.poll_once().articles == 1
        assert poller.poll_once(force=True).unchanged == 1
        assert calls == [("http://fake.test/feed.xml", None), ("http://fake.test/feed.xml", '"v1"')]
        feed = store.get(1)
        assert feed.last_success == NOW and 1620 <= feed.next_poll - NOW <= 1980  # default ±10%
    finally:
        poller.close()
        bus.close()


def test_503_with_an_http_date_retry_after(tmp_path) -> None:
    when = formatdate(NOW + 900, usegmt=True)

    def fetch(url, etag=None, last_modified=None, accept="", trusted_host=None):
        return FetchResult(url, 503, headers={"retry-after": when}, error="HTTP 503 Service Unavailable")

    poller, bus, store = _poller(tmp_path, fetch)
    try:
        poller.poll_once()
        feed = store.get(1)
        assert feed.retry_until == NOW + 900 and NOW + 900 <= feed.next_poll <= NOW + 990
        assert feed.last_error == "HTTP 503 Service Unavailable; Retry-After 900s"
    finally:
        poller.close()
        bus.close()
