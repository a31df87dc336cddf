"""Every record is an error boundary in the NLP and index stages, and a stop abandons the batch in hand."""

from __future__ import annotations

import json

import pytest

from pipeline.bus.base import ENRICHED, RAW, dlq_topic
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import WorkerSettings
from pipeline.records import Article, EnrichedArticle, Source, decode, encode
from pipeline.runtime.shutdown import StopFlag
from pipeline.runtime.worker import Stopped, Worker
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.nlp import NlpHandler

FAST = WorkerSettings(batch_size=50, poll_timeout_s=0.05, backoff_initial_s=0.01, backoff_max_s=0.02)


def article(n: int) -> Article:
    return Article(id=f"a{n}", url=f"https://x.test/{n}", canonical_url=f"https://x.test/{n}",
                   source=Source("X"), title=f"T{n}", text=f"Text {n}.")


class Enricher:
    """A fake Enricher: ``over`` is over the budget, ``poison`` raises ``error`` (batch or alone)."""

    def __init__(self, over: str = "", poison: str = "", error: BaseException | None = None,
                 on_enrich=None) -> None:
        self.over, self.poison, self.error, self.on_enrich = over, poison, error, on_enrich

    def enrich(self, articles):
        return [enriched for enriched, _ in self.enrich_reporting(articles)]

    def enrich_reporting(self, articles):
        if self.on_enrich:
            self.on_enrich()
        if self.error is not None and any(a.id == self.poison for a in articles):
            raise self.error
        return [(EnrichedArticle(a, model="fake", extractor="fake"),
                 "a run of 99 characters without a space (max_run_chars 9)" if a.id == self.over else None)
                for a in articles]


@pytest.fixture
def bus(tmp_path):
    bus = SqliteBus(tmp_path / "bus.db")
    yield bus
    bus.close()


def publish(bus, topic, records):
    producer = bus.producer()
    for key, value in records:
        producer.publish(topic, key, value)
    producer.close()


def nlp_worker(bus, enricher, stop=None):
    return Worker(bus.consumer("nlp", [RAW]), bus.producer(), NlpHandler(enricher), FAST, stop or StopFlag())


def uncommitted(bus, group, topic):
    """The keys of ``topic`` past ``group``'s committed offsets (what would be redelivered)."""
    committed = bus.committed(group, topic)
    return [m.key for m in bus.read(topic, 10_000) if m.offset >= committed.get(m.partition, 0)]


def drain(worker):
    while worker.step(0.05):
        pass


def test_an_article_over_the_budget_is_published_without_claims_dead_lettered_and_committed(bus):
    publish(bus, RAW, [(a.id, encode(a)) for a in map(article, range(4))])
    drain(nlp_worker(bus, Enricher(over="a2")))
    assert sorted(decode(m.value).article.id for m in bus.read(ENRICHED)) == ["a0", "a1", "a2", "a3"]
    [dead] = bus.read(dlq_topic(RAW))
    error = json.loads(dead.value)["error"]
    assert dead.key == "a2" and error.startswith("over the NLP budget: a run of 99") and "without claims" in error
    assert uncommitted(bus, "nlp", RAW) == []


@pytest.mark.parametrize("error", [RecursionError("maximum recursion depth exceeded"), MemoryError(),
                                   ValueError("bad"), UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogate"),
                                   ZeroDivisionError("bug")], ids=lambda e: type(e).__name__)
def test_any_exception_of_one_article_dead_letters_it_and_the_others_are_enriched_and_committed(bus, error):
    publish(bus, RAW, [(a.id, encode(a)) for a in map(article, range(5))])
    drain(nlp_worker(bus, Enricher(poison="a3", error=error)))
    assert sorted(decode(m.value).article.id for m in bus.read(ENRICHED)) == ["a0", "a1", "a2", "a4"]
    [dead] = bus.read(dlq_topic(RAW))
    assert dead.key == "a3" and type(error).__name__ in json.loads(dead.value)["error"]
    assert uncommitted(bus, "nlp", RAW) == []


def test_a_record_too_deep_to_decode_is_dead_lettered_and_the_rest_goes_on(bus):
    publish(bus, RAW, [("a0", encode(article(0))), ("deep", b"[" * 100_000), ("a1", encode(article(1)))])
    drain(nlp_worker(bus, Enricher()))
    assert sorted(decode(m.value).article.id for m in bus.read(ENRICHED)) == ["a0", "a1"]
    assert [m.key for m in bus.read(dlq_topic(RAW))] == ["deep"]


def test_a_stop_while_a_batch_is_handled_abandons_it_uncommitted(bus):
    publish(bus, RAW, [(a.id, encode(a)) for a in map(article, range(3))])
    stop = StopFlag()
    worker = nlp_worker(bus, Enricher(on_enrich=stop.set), stop)  # SIGTERM lands mid-batch
    with pytest.raises(Stopped):
        worker.step(0.5)
    assert bus.read(ENRICHED) == [] and bus.read(dlq_topic(RAW)) == []
    assert uncommitted(bus, "nlp", RAW) == ["a0", "a1", "a2"]
    worker.consumer.close()
    drain(nlp_worker(bus, Enricher()))  # redelivered to the next run, whole
    assert sorted(decode(m.value).article.id for m in bus.read(ENRICHED)) == ["a0", "a1", "a2"]


class ExplodingIndex:
    """Upserts everything but one article id, for which it raises (any exception, not a refusal)."""

    def __init__(self, poison: str, error: BaseException) -> None:
        self.poison, self.error, self.written = poison, error, []

    def upsert(self, articles):
        if any(e.article.id == self.poison for e in articles):
            raise self.error
        self.written += [e.article.id for e in articles]
        return []


@pytest.mark.parametrize("error", [RecursionError("deep"), OverflowError("date value out of range"),
                                   KeyError("x")], ids=lambda e: type(e).__name__)
def test_an_article_the_index_stage_fails_on_is_dead_lettered_and_the_others_indexed(bus, error):
    publish(bus, ENRICHED, [(f"a{i}", encode(EnrichedArticle(article(i)))) for i in range(4)])
    index = ExplodingIndex("a1", error)
    drain(Worker(bus.consumer("indexer", [ENRICHED]), bus.producer(), IndexHandler(index), FAST, StopFlag()))
    assert sorted(index.written) == ["a0", "a2", "a3"]
    assert [m.key for m in bus.read(dlq_topic(ENRICHED))] == ["a1"]
    assert uncommitted(bus, "indexer", ENRICHED) == []
