"""The thread stage (its own consumer group on articles.enriched) on real buses and indexes.

Bus: the SQLite log and a real Kafka broker; index: SQLite and a real Elasticsearch.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from support import close_test_index, open_test_index, unique_name
from test_assign import CLAIM_A, DENIAL_B, OTHER_C  # the same three stories as the assignment tests

from pipeline.bus.base import ENRICHED, INDEX_GROUP, THREADS_GROUP, dlq_topic
from pipeline.bus.namespace import NamespacedBus
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import WorkerSettings
from pipeline.index.base import IndexFailure
from pipeline.records import EnrichedArticle, encode
from pipeline.runtime.deadletter import DeadLetter
from pipeline.runtime.shutdown import StopFlag
from pipeline.runtime.worker import Worker
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.redrive import REDRIVE_GROUP, RedriveHandler
from pipeline.stages.threader import ThreadHandler
from pipeline.threads.assign import ThreadAssigner
from pipeline.threads.decide import StanceDecider

FAST = WorkerSettings(batch_size=3, poll_timeout_s=0.2, backoff_initial_s=0.05, backoff_max_s=0.2)


@pytest.fixture(scope="module")
def articles(make_article) -> list[EnrichedArticle]:
    return [make_article("aaa", CLAIM_A), make_article("bbb", DENIAL_B, outlet="Globe Herald"),
            make_article("ccc", OTHER_C, outlet="Metro Times"), make_article("ddd", CLAIM_A, outlet="Metro Times")]


def publish(bus, arts: list[EnrichedArticle]) -> None:
    producer = bus.producer()
    for e in arts:
        producer.publish(ENRICHED, e.article.id, encode(e))
    producer.flush()
    producer.close()


def lag(bus, group: str) -> int:
    return sum(bus.lag(s, group) for s in bus.stats([ENRICHED]))


def step_until(worker: Worker, done: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        worker.step(0.2)


class Stages:
    """The indexer and the thread stage as two workers, each with its own consumer group on one bus."""

    def __init__(self, bus, index, decider: StanceDecider, index_handler: IndexHandler | None = None) -> None:
        self.bus, self.index, self.stop = bus, index, StopFlag()
        self.workers: list[Worker] = []
        self.indexer = self._worker(INDEX_GROUP, index_handler or IndexHandler(index))
        progress = lambda: bus.committed(INDEX_GROUP, ENRICHED)  # noqa: E731
        self.threads = self._worker(THREADS_GROUP, ThreadHandler(index, progress, ThreadAssigner(index, decider)))

    def _worker(self, group: str, handler) -> Worker:
        self.workers.append(Worker(self.bus.consumer(group, [ENRICHED]), self.bus.producer(), handler, FAST,
                                   self.stop))
        return self.workers[-1]

    def drain(self, worker: Worker, group: str) -> None:
        step_until(worker, lambda: lag(self.bus, group) == 0 and not worker.busy, f"{group} to drain")

    def close(self) -> None:
        for w in self.workers:
            w.consumer.close()
            w.producer.close()


def old_path_links(kind: str, where, arts: list[EnrichedArticle], decider: StanceDecider) -> dict:
    """The threads the indexer gave before the thread stage existed: upsert a batch, then assign it."""
    index = open_test_index(kind, where)
    try:
        assigner = ThreadAssigner(index, decider)
        for e in arts:
            index.upsert([e])
            assigner.assign([e])
        return index.thread_links([c.id for e in arts for c in e.claims])
    finally:
        close_test_index(index)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("elastic", marks=pytest.mark.elastic)])
def test_started_before_the_indexer_it_waits_then_gives_the_indexer_paths_threads(
        kind, bus, tmp_path: Path, index_prefix: str, articles, decider) -> None:
    bus = NamespacedBus(bus, f"{unique_name('ts')}.")
    tag = uuid.uuid4().hex[:6]
    index = open_test_index(kind, tmp_path / "index.db" if kind == "sqlite" else f"{index_prefix}s{tag}-")
    stages = Stages(bus, index, decider)
    ids = [c.id for e in articles for c in e.claims]
    try:
        publish(bus, articles)
        step_until(stages.threads, lambda: stages.threads.busy, "the thread stage to hold a batch")
        assert index.thread_links(ids) == {} and lag(bus, THREADS_GROUP) == len(articles)  # waits, commits nothing
        stages.drain(stages.indexer, INDEX_GROUP)
        stages.drain(stages.threads, THREADS_GROUP)
        links = index.thread_links(ids)
    finally:
        stages.close()
        close_test_index(index)
    expected = old_path_links(kind, tmp_path / "old.db" if kind == "sqlite" else f"{index_prefix}o{tag}-",
                              articles, decider)
    assert links == expected and set(links) == set(ids)
    a, b = articles[0].claims[0].id, next(c.id for c in articles[1].claims if c.stance == "deny")
    assert links[a].thread_id == links[b].thread_id and a in links[b].denies
    assert bus.read(dlq_topic(ENRICHED)) == []


class RefusingFirst:
    """An index that refuses one article for good the first time it is written (then it is fixed)."""

    def __init__(self, index, refuse: str) -> None:
        self._index, self.refuse = index, refuse

    def upsert(self, batch):
        keep = [e for e in batch if e.article.id != self.refuse]
        if len(keep) == len(batch):
            return self._index.upsert(batch)
        refused, self.refuse = self.refuse, None  # fixed after the first refusal
        return [*self._index.upsert(keep), IndexFailure(refused, "mapper_parsing_exception")]

    def __getattr__(self, name):
        return getattr(self._index, name)


def redrive(bus) -> int:
    worker = Worker(bus.consumer(REDRIVE_GROUP, [dlq_topic(ENRICHED)]), bus.producer(), RedriveHandler(),
                    FAST, StopFlag())
    total = 0
    while handled := worker.step(0.2):
        total += handled
    return total


def letters(bus) -> list[DeadLetter]:
    return [DeadLetter.decode(m.value) for m in bus.read(dlq_topic(ENRICHED))]


def test_an_article_the_indexer_dead_lettered_never_blocks_and_is_threaded_once_redriven(
        tmp_path: Path, articles, decider) -> None:
    from pipeline.index.sqlite import SqliteIndex

    bus, index = SqliteBus(tmp_path / "bus.db"), SqliteIndex(tmp_path / "index.db")
    stages = Stages(bus, index, decider, IndexHandler(RefusingFirst(index, "bbb")))
    a, b = articles[:2]
    try:
        publish(bus, [a, b])
        stages.drain(stages.indexer, INDEX_GROUP)
        stages.drain(stages.threads, THREADS_GROUP)  # not held for ever: the indexer passed "bbb"
        assert [(d.stage, d.key) for d in letters(bus)] == [("index", "bbb")]  # one letter, the indexer's
        assert set(index.thread_links([c.id for c in a.claims])) == {c.id for c in a.claims}
        assert index.thread_links([c.id for c in b.claims]) == {}
        assert redrive(bus) == 1
        stages.drain(stages.indexer, INDEX_GROUP)
        stages.drain(stages.threads, THREADS_GROUP)
        links = index.thread_links([c.id for c in b.claims])
    finally:
        stages.close()
        bus.close()
        index.close()
    denial = next(c.id for c in b.claims if c.stance == "deny")
    assert set(links) == {c.id for c in b.claims} and links[denial].denies == (a.claims[0].id,)
    assert len(letters(bus := SqliteBus(tmp_path / "bus.db"))) == 1
    bus.close()


class _FailsOnTram(StanceDecider):
    """Fails for one article's text (the stand-in for a bug hit by one article), until ``fixed``."""

    fixed = False

    def prepare(self, text, claims=(), entities=()):
        if "tram" in text and not self.fixed:
            raise RuntimeError("boom")
        return super().prepare(text, claims, entities)


class CountingIndex:
    def __init__(self, index) -> None:
        self._index, self.upserted = index, []

    def upsert(self, batch):
        self.upserted += [e.article.id for e in batch]
        return self._index.upsert(batch)

    def __getattr__(self, name):
        return getattr(self._index, name)


def test_its_failures_are_its_own_dead_letters_and_redrive_reaches_only_it(tmp_path: Path, articles,
                                                                            decider) -> None:
    from pipeline.index.sqlite import SqliteIndex

    bus, index = SqliteBus(tmp_path / "bus.db"), SqliteIndex(tmp_path / "index.db")
    counting, failing = CountingIndex(index), _FailsOnTram(decider.model)
    stages = Stages(bus, index, failing, IndexHandler(counting))
    a, c = articles[0], articles[2]
    try:
        publish(bus, [a, c])
        stages.drain(stages.indexer, INDEX_GROUP)
        stages.drain(stages.threads, THREADS_GROUP)
        [letter] = letters(bus)
        assert (letter.stage, letter.key) == ("threads", "ccc") and "thread assignment failed" in letter.error
        assert index.counts()["articles"] == 2 and index.thread_links([x.id for x in c.claims]) == {}
        failing.fixed = True
        assert redrive(bus) == 1
        stages.drain(stages.indexer, INDEX_GROUP)
        stages.drain(stages.threads, THREADS_GROUP)
        assert sorted(counting.upserted) == ["aaa", "ccc"]  # the indexer did not write "ccc" again
        assert set(index.thread_links([x.id for x in c.claims])) == {x.id for x in c.claims}
        assert json.loads(bus.read(dlq_topic(ENRICHED))[0].value)["stage"] == "threads"
    finally:
        stages.close()
        bus.close()
        index.close()
