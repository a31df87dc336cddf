"""Thread assignment against both index backends (SQLite and a real Elasticsearch)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import REPO, close_test_index, open_test_index

from pipeline.bus.base import Message
from pipeline.errors import PermanentError
from pipeline.records import Article, EnrichedArticle, Source, encode
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.threader import ThreadHandler
from pipeline.threads.assign import ThreadAssigner, is_anaphoric
from pipeline.threads.decide import StanceDecider
from pipeline.threads.view import thread_for_claim

CLAIM_A = ("US officials said on Monday that Iran is planning to sell hundreds of attack drones to Russia "
           "for the war in Ukraine.")
DENIAL_B = ("Iran's foreign minister on Tuesday denied that Iran is planning to sell attack drones to Russia, "
            "calling the claim baseless. He said Tehran opposes the war in Ukraine.")
OTHER_C = ("The mayor said on Friday that the new tram line will open in the spring. Officials said "
           "ticket prices would stay the same.")


@pytest.fixture(scope="module")
def seed(enricher) -> EnrichedArticle:
    path = next((REPO / "seeds").glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    a = Article("seed", path.as_uri(), path.as_uri(), Source("replay"), text.split("\n")[0][:80], text)
    return enricher.enrich([a])[0]


def claim_where(enriched: EnrichedArticle, speaker: str, words: str):
    return next(c for c in enriched.claims if c.speaker and speaker in c.speaker.canonical
                and words in c.content.text)


def test_seed_claim_and_its_rejection_share_a_thread(index, seed, decider) -> None:
    index.upsert([seed])
    assert ThreadAssigner(index, decider).assign([seed]) == []
    us = claim_where(seed, "United States", "Iran is planning to sell")
    rejection = claim_where(seed, "Tehran", "allegation")
    denial = claim_where(seed, "Amirabdollahian", "US claims")
    links = index.thread_links([us.id, rejection.id, denial.id])
    assert links[us.id].thread_id == links[rejection.id].thread_id == links[denial.id].thread_id
    assert links[rejection.id].stance == "disagree" and us.id in links[rejection.id].denies
    assert us.id in links[denial.id].denies
    view = thread_for_claim(index, us.id)
    assert rejection.id in {e.claim.id for e in view.of("disagree")}
    assert us.id in {e.claim.id for e in view.of("agree")}
    assert view.denied_by == 2


def test_a_denial_in_another_outlet_joins_and_is_linked(index, make_article, decider) -> None:
    a = make_article("aaa", CLAIM_A, outlet="Daily Planet")
    b = make_article("bbb", DENIAL_B, outlet="Globe Herald", published="2024-05-02T10:00:00Z")
    c = make_article("ccc", OTHER_C, outlet="Metro Times")
    assigner = ThreadAssigner(index, decider)
    for enriched in (a, b, c):  # one article at a time, as they arrive
        index.upsert([enriched])
        assigner.assign([enriched])
    claim_a = a.claims[0]
    denial = next(cl for cl in b.claims if cl.stance == "deny")
    links = index.thread_links([claim_a.id, denial.id, *(cl.id for cl in c.claims)])
    assert links[denial.id].thread_id == links[claim_a.id].thread_id == min(claim_a.id, denial.id)
    assert links[denial.id].stance == "disagree" and links[denial.id].denies == (claim_a.id,)
    assert all(links[cl.id].thread_id != links[claim_a.id].thread_id for cl in c.claims)
    view = thread_for_claim(index, denial.id)
    assert [e.article.source for e in view.of("disagree")] == ["Globe Herald"]
    assert view.outlets == 2 and view.denied_by == 1


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("elastic", marks=pytest.mark.elastic)])
def test_same_threads_in_either_order_and_on_replay(kind, tmp_path: Path, index_prefix: str,
                                                    make_article, decider) -> None:
    arts = [make_article("aaa", CLAIM_A), make_article("bbb", DENIAL_B, outlet="Globe Herald"),
            make_article("ccc", OTHER_C, outlet="Metro Times")]
    results = []
    for n, order in enumerate((arts, arts[::-1])):
        index = open_test_index(kind, tmp_path / f"{n}.db" if kind == "sqlite" else f"{index_prefix}o{n}-")
        try:
            assigner = ThreadAssigner(index, decider)
            for enriched in order:
                index.upsert([enriched])
                assigner.assign([enriched])
            ids = [c.id for e in arts for c in e.claims]
            first = index.thread_links(ids)
            for enriched in arts:  # a replay: everything again
                index.upsert([enriched])
                assigner.assign([enriched])
            assert index.thread_links(ids) == first
            results.append({cid: (lk.thread_id, lk.denies) for cid, lk in first.items()})
        finally:
            close_test_index(index)
    assert results[0] == results[1]


class _Failing(StanceDecider):
    """Fails for one article's text: the stand-in for any bug hit by one article."""

    def prepare(self, text, claims=(), entities=()):
        if "tram" in text:
            raise RuntimeError("boom")
        return super().prepare(text, claims, entities)


def test_one_failing_article_does_not_stop_indexing(index, make_article, decider) -> None:
    arts = [make_article("aaa", CLAIM_A), make_article("ccc", OTHER_C, outlet="Metro Times")]
    batch = [Message("articles.enriched", 0, n, e.article.id, encode(e)) for n, e in enumerate(arts)]
    assert IndexHandler(index).handle(batch).failures == []
    threads = ThreadHandler(index, dict, ThreadAssigner(index, _Failing(decider.model)))
    [failure] = threads.handle(batch).failures  # dead-lettered by the thread stage; the article stays indexed
    assert failure.message.key == "ccc" and "thread assignment failed" in failure.reason
    index.refresh()
    assert index.counts() == {"articles": 2, "claims": sum(len(e.claims) for e in arts)}
    links = index.thread_links([c.id for e in arts for c in e.claims])
    assert set(links) == {c.id for c in arts[0].claims}


def test_anaphoric_contents() -> None:
    assert is_anaphoric("the allegation") and is_anaphoric("the US claims in a phone call")
    assert is_anaphoric("these reports") and is_anaphoric("that")
    assert not is_anaphoric("Iran is selling drones to Russia")
    assert not is_anaphoric("that the US has seen no evidence that China helped")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("elastic", marks=pytest.mark.elastic)])
def test_one_batch_gives_the_threads_of_one_article_at_a_time(kind, tmp_path: Path, index_prefix: str,
                                                               make_article, decider) -> None:
    arts = [make_article("aaa", CLAIM_A), make_article("bbb", DENIAL_B, outlet="Globe Herald"),
            make_article("ccc", OTHER_C, outlet="Metro Times"), make_article("ddd", CLAIM_A, outlet="Metro Times")]
    ids = [c.id for e in arts for c in e.claims]
    results = []
    for n, batches in enumerate(([arts], [[e] for e in arts])):
        index = open_test_index(kind, tmp_path / f"{n}.db" if kind == "sqlite" else f"{index_prefix}b{n}-")
        try:
            assigner = ThreadAssigner(index, decider)
            for batch in batches:
                index.upsert(batch)
                assert assigner.assign(batch) == []
            results.append(index.thread_links(ids))
        finally:
            close_test_index(index)
    assert results[0] == results[1]
    assert results[0][arts[0].claims[0].id].thread_id == results[0][arts[3].claims[0].id].thread_id


class _RefusingLinks:
    """An index that refuses every thread link for good (as Elasticsearch does a malformed document)."""

    def __init__(self, index) -> None:
        self._index = index

    def put_thread_links(self, links) -> None:
        raise PermanentError("thread links refused: mapper_parsing_exception")

    def __getattr__(self, name):
        return getattr(self._index, name)


def test_refused_links_leave_the_batch_indexed_and_are_reported(index, make_article, decider) -> None:
    arts = [make_article("aaa", CLAIM_A), make_article("bbb", DENIAL_B, outlet="Globe Herald")]
    refusing = _RefusingLinks(index)
    batch = [Message("articles.enriched", 0, n, e.article.id, encode(e)) for n, e in enumerate(arts)]
    assert IndexHandler(refusing).handle(batch).failures == []
    failures = ThreadHandler(refusing, dict, ThreadAssigner(refusing, decider)).handle(batch).failures
    assert sorted(f.message.key for f in failures) == ["aaa", "bbb"] and "refused" in failures[0].reason
    index.refresh()
    assert index.counts()["articles"] == 2 and index.thread_links([c.id for e in arts for c in e.claims]) == {}
