"""A write lock held past SQLite's busy timeout is an outage: the worker waits it out, dead-letters nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from pipeline import sqlitedb
from pipeline.bus.base import ENRICHED, INDEX_GROUP, dlq_topic
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import WorkerSettings
from pipeline.index.sqlite import SqliteIndex
from pipeline.records import Article, EnrichedArticle, Source, encode
from pipeline.runtime.shutdown import StopFlag
from pipeline.runtime.worker import Worker
from pipeline.stages.indexer import IndexHandler

FAST = WorkerSettings(batch_size=8, poll_timeout_s=0.05, backoff_initial_s=0.05, backoff_max_s=0.2)
N = 20


def _enriched(n: int) -> EnrichedArticle:
    a = Article(id=f"a{n}", url=f"https://x.test/{n}", canonical_url=f"https://x.test/{n}", source=Source("X"),
                title=f"Story {n}", text=f"Text of story {n}.")
    return EnrichedArticle(a, model="fake", extractor="fake")


def _wait_for(condition, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("locked", ["index.db", "bus.db"])
def test_a_lock_held_past_the_timeout_is_waited_out_and_every_record_indexed_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locked: str) -> None:
    monkeypatch.setattr(sqlitedb, "BUSY_TIMEOUT_S", 0.1)
    bus, index = SqliteBus(tmp_path / "bus.db"), SqliteIndex(tmp_path / "index.db")
    producer = bus.producer()
    for n in range(N):
        producer.publish(ENRICHED, f"a{n}", encode(_enriched(n)))
    producer.flush()
    stop = StopFlag()
    worker = Worker(bus.consumer(INDEX_GROUP, [ENRICHED]), bus.producer(), IndexHandler(index), FAST, stop)
    holder = sqlite3.connect(tmp_path / locked, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock, far past the timeout
    handled: list[int] = []
    runner = threading.Thread(target=lambda: handled.append(worker.step(0.5)))
    runner.start()
    try:
        _wait_for(lambda: worker.sensor.counts["index.retries"] >= 3, "the worker to retry")
        assert runner.is_alive() and not handled  # still on its first batch: nothing handled, nothing committed
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    runner.join(60)
    while worker.step(0.1):
        pass
    try:
        assert handled and handled[0] > 0
        assert index.counts()["articles"] == N  # every record indexed ...
        assert bus.read(dlq_topic(ENRICHED)) == []  # ... and none dead-lettered
        assert sum(bus.lag(s, INDEX_GROUP) for s in bus.stats([ENRICHED])) == 0  # all committed, once
    finally:
        worker.consumer.close()
        worker.producer.close()
        producer.close()
        index.close()
        bus.close()
