"""The worker loop on the real SQLite bus, with fast fake handlers and enrichers."""

import json
import threading
import time

import pytest

from pipeline.bus.base import ENRICHED, RAW, dlq_topic
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import WorkerSettings
from pipeline.errors import BackendUnavailable, PermanentError, TransientError
from pipeline.index.base import IndexFailure
from pipeline.records import Article, EnrichedArticle, Source, decode, encode
from pipeline.runtime.deadletter import DeadLetter
from pipeline.runtime.shutdown import StopFlag
from pipeline.runtime.worker import NotReady, Outcome, Outgoing, Stopped, Worker
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.nlp import NlpHandler

FAST = WorkerSettings(batch_size=50, poll_timeout_s=0.05, backoff_initial_s=0.01, backoff_max_s=0.02)


def article(n: int) -> Article:
    return Article(id=f"a{n}", url=f"https://x.test/{n}", canonical_url=f"https://x.test/{n}",
                   source=Source("X"), title=f"T{n}", text=f"Text {n}.")


class FakeEnricher:
    def __init__(self, poison: str | None = None) -> None:
        self.poison = poison

    def enrich(self, articles):
        if any(a.id == self.poison for a in articles):
            raise RuntimeError("parser crashed")
        return [EnrichedArticle(a, model="fake", extractor="fake") for a in articles]

    def enrich_reporting(self, articles):
        return [(e, None) for e in self.enrich(articles)]


@pytest.fixture
def bus(tmp_path):
    bus = SqliteBus(tmp_path / "bus.db")
    yield bus
    bus.close()


def publish(bus, topic, values):
    producer = bus.producer()
    for key, value in values:
        producer.publish(topic, key, value)
    producer.close()


def drain(worker: Worker) -> None:
    while worker.step(0.05):
        pass


def test_poison_records_reach_the_dead_letter_topic_and_the_rest_goes_on(bus):
    good = [(a.id, encode(a)) for a in map(article, range(5))]
    poison = [("x", b"\x00garbage"), ("y", encode(EnrichedArticle(article(9)))), ("a7", encode(article(7)))]
    publish(bus, RAW, good[:2] + poison + good[2:])
    worker = Worker(bus.consumer("nlp", [RAW]), bus.producer(), NlpHandler(FakeEnricher(poison="a7")),
                    FAST, StopFlag())
    drain(worker)
    assert sorted(decode(m.value).article.id for m in bus.read(ENRICHED)) == [f"a{i}" for i in range(5)]
    dead = bus.read(dlq_topic(RAW))
    reasons = {m.key: json.loads(m.value)["error"] for m in dead}
    assert set(reasons) == {"x", "y", "a7"}
    assert "not JSON" in reasons["x"] and "expected article" in reasons["y"] and "parser crashed" in reasons["a7"]
    assert DeadLetter.decode(dead[0].value).payload == b"\x00garbage"
    assert dead[0].headers["dlq.stage"] == "nlp"


class Flaky:
    stage = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def handle(self, batch):
        self.calls += 1
        if self.calls <= self.failures:
            raise TransientError("index overloaded")
        return Outcome(outputs=[Outgoing("out", m.key, m.value) for m in batch])


def test_transient_failures_retry_the_batch_then_publish_once(bus):
    publish(bus, "in", [(f"k{i}", b"v") for i in range(3)])
    handler = Flaky(failures=2)
    worker = Worker(bus.consumer("g", ["in"]), bus.producer(), handler, FAST, StopFlag())
    drain(worker)
    assert handler.calls == 3
    assert len(bus.read("out")) == 3
    assert worker.sensor.counts["flaky.retries"] == 2


class BrokenProducer:
    def publish(self, *args, **kwargs):
        pass

    def flush(self, timeout_s=None):
        raise BackendUnavailable("bus down")

    def close(self):
        pass


def test_nothing_is_committed_while_outputs_cannot_be_flushed(bus):
    publish(bus, "in", [("k", b"v")])
    stop = StopFlag()
    worker = Worker(bus.consumer("g", ["in"]), BrokenProducer(), Flaky(0), FAST, stop)
    threading.Timer(0.3, stop.set).start()
    with pytest.raises(Stopped):
        worker.step(0.05)
    worker.consumer.close()
    assert [m.value for m in bus.consumer("g", ["in"]).poll(10, 0.5)] == [b"v"]  # redelivered


class RefusingIndex:
    def __init__(self, refuse: str) -> None:
        self.refuse, self.written = refuse, []

    def upsert(self, batch):
        self.written.extend(e.article.id for e in batch)
        return [IndexFailure(self.refuse, "mapper_parsing_exception")]


def test_documents_the_index_refuses_are_dead_lettered(bus):
    publish(bus, ENRICHED, [(f"a{i}", encode(EnrichedArticle(article(i)))) for i in range(3)])
    index = RefusingIndex("a1")
    drain(Worker(bus.consumer("indexer", [ENRICHED]), bus.producer(), IndexHandler(index), FAST, StopFlag()))
    assert sorted(index.written) == ["a0", "a1", "a2"]
    [dead] = bus.read(dlq_topic(ENRICHED))
    assert dead.key == "a1" and "mapper_parsing_exception" in json.loads(dead.value)["error"]


class CommitFailsTwice:
    def __init__(self, inner) -> None:
        self.inner, self.failures = inner, 2

    def poll(self, max_records, timeout_s):
        return self.inner.poll(max_records, timeout_s)

    def commit(self, messages):
        if self.failures:
            self.failures -= 1
            raise BackendUnavailable("coordinator unreachable")
        self.inner.commit(messages)

    def close(self):
        self.inner.close()


def test_a_commit_lost_to_an_outage_is_retried_not_fatal(bus):
    publish(bus, "in", [("k", b"v")])
    consumer = CommitFailsTwice(bus.consumer("g", ["in"]))
    worker = Worker(consumer, bus.producer(), Flaky(0), FAST, StopFlag())
    assert worker.step(0.5) == 1
    assert consumer.failures == 0 and worker.sensor.counts["flaky.retries"] == 2
    consumer.close()
    assert bus.consumer("g", ["in"]).poll(10, 0.3) == []  # committed in the end


class RefusesPoisonBatches:
    """Fails a whole batch for good when it holds the poison key (like a bulk request the server rejects)."""

    stage = "strict"

    def handle(self, batch):
        if any(m.key == "poison" for m in batch):
            raise PermanentError("request rejected: 413 too large")
        return Outcome(outputs=[Outgoing("out", m.key, m.value) for m in batch])


def test_a_batch_that_fails_for_good_is_split_and_only_the_poison_dead_lettered(bus):
    publish(bus, "in", [("a", b"1"), ("poison", b"2"), ("b", b"3")])
    drain(Worker(bus.consumer("g", ["in"]), bus.producer(), RefusesPoisonBatches(), FAST, StopFlag()))
    assert sorted(m.key for m in bus.read("out")) == ["a", "b"]
    [dead] = bus.read(dlq_topic("in"))
    assert dead.key == "poison" and "413 too large" in json.loads(dead.value)["error"]


class Buggy:
    stage = "buggy"

    def handle(self, batch):
        raise KeyError("surprise")


def test_a_handler_bug_dead_letters_instead_of_crashing_the_service(bus):
    publish(bus, "in", [("a", b"1")])
    worker = Worker(bus.consumer("g", ["in"]), bus.producer(), Buggy(), FAST, StopFlag())
    assert worker.step(0.5) == 1
    [dead] = bus.read(dlq_topic("in"))
    assert "KeyError" in json.loads(dead.value)["error"]


def test_a_lasting_outage_is_logged_again_while_it_lasts_then_its_end(monkeypatch, caplog):
    from pipeline.runtime import worker as worker_module

    monkeypatch.setattr(worker_module, "OUTAGE_REPORT_EVERY_S", 0.05)
    calls = {"n": 0}

    def flaky() -> str:
        calls["n"] += 1
        if calls["n"] < 12:  # ~12 backoffs of 0.01-0.02 s: more than one report interval
            raise BackendUnavailable("kafka: down")
        return "ok"

    with caplog.at_level("WARNING", logger="pipeline.runtime.worker"):
        assert worker_module.retry_transient(flaky, FAST, StopFlag(), "nlp flush") == "ok"
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) >= 3  # its start, at least one report while it lasts (not silent), its end
    assert all("nlp flush" in r.getMessage() and "kafka: down" in r.getMessage() for r in warnings[:-1])
    assert "12 attempt(s)" in warnings[-1].getMessage()


class WaitsForAnotherStage:
    """Not ready until ``ready`` is set (the thread stage waiting for the indexer)."""

    stage = "waiting"

    def __init__(self) -> None:
        self.ready, self.handled, self.tries = False, [], 0

    def handle(self, batch):
        self.tries += 1
        if not self.ready:
            raise NotReady("the other stage is behind")
        self.handled.extend(m.key for m in batch)
        return Outcome()


def test_a_batch_not_ready_is_held_uncommitted_then_handled_once(bus):
    publish(bus, "in", [("a", b"1"), ("b", b"2")])
    handler = WaitsForAnotherStage()
    worker = Worker(bus.consumer("g", ["in"]), bus.producer(), handler, FAST, StopFlag())
    assert worker.step(0.5) == 0 and worker.busy and handler.handled == []
    publish(bus, "in", [("c", b"3")])
    for _ in range(3):  # held: offered again after the backoff, no new poll meanwhile
        worker.step(0.05)
    assert handler.tries >= 2 and worker.busy
    assert sum(bus.lag(s, "g") for s in bus.stats(["in"])) == 3  # nothing committed while held
    handler.ready = True
    while worker.busy:
        worker.step(0.05)
    drain(worker)
    assert handler.handled == ["a", "b", "c"] and bus.read(dlq_topic("in")) == []
    assert sum(bus.lag(s, "g") for s in bus.stats(["in"])) == 0


def test_a_batch_held_for_long_is_reported_again_while_it_waits(bus, monkeypatch, caplog):
    from pipeline.runtime import worker as worker_module

    monkeypatch.setattr(worker_module, "OUTAGE_REPORT_EVERY_S", 0.05)
    publish(bus, "in", [("a", b"1")])
    worker = Worker(bus.consumer("g", ["in"]), bus.producer(), WaitsForAnotherStage(), FAST, StopFlag())
    with caplog.at_level("WARNING", logger="pipeline.runtime.worker"):
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            worker.step(0.05)
    assert worker.busy  # still held: nothing was given up or dead-lettered
    warning = caplog.records[0]  # a stall is never silent: the held batch is named, with the reason
    assert warning.levelname == "WARNING" and "waiting" in warning.getMessage()
    assert "the other stage is behind" in warning.getMessage()


def test_a_one_shot_run_gives_up_on_a_batch_that_never_gets_ready(bus):
    publish(bus, "in", [("a", b"1")])
    worker = Worker(bus.consumer("g", ["in"]), bus.producer(), WaitsForAnotherStage(), FAST, StopFlag(),
                    give_up_after=3)
    with pytest.raises(BackendUnavailable, match="the other stage is behind"):
        for _ in range(100):
            worker.step(0.05)
    assert bus.read(dlq_topic("in")) == []
