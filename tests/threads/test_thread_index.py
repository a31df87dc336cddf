"""The index's thread-link and lookup-by-id contract, on SQLite and a real Elasticsearch."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import INDEX_BACKENDS, close_test_index, open_test_index

from pipeline.index.base import ThreadLink
from pipeline.records import Article, Claim, Cue, EnrichedArticle, Entity, Source, Span, Speaker, claim_id


def article(article_id: str, sentences: list[str], outlet: str = "Daily Planet") -> EnrichedArticle:
    """An article with one claim per sentence ("X said Y."), true offsets, one entity per claim."""
    text = " ".join(sentences)
    claims = []
    for n, sentence in enumerate(sentences):
        start = text.index(sentence)
        speaker, _, content = sentence.rstrip(".").partition(" said ")
        c0 = text.index(content, start)
        cue = text.index("said", start)
        entity = Entity(speaker, "PERSON", start, start + len(speaker), speaker)
        claims.append(Claim(claim_id(article_id, n), article_id, n,
                            Speaker(start, start + len(speaker), speaker, speaker, "PERSON"),
                            Cue(cue, cue + 4, "said", "say"), Span(c0, c0 + len(content), content),
                            sentence=Span(start, start + len(sentence), sentence), entities=(entity,)))
    a = Article(article_id, f"https://news.example/{article_id}", f"https://news.example/{article_id}",
                Source(outlet, "news.example"), f"Title {article_id}", text, published="2024-05-01T10:00:00Z")
    return EnrichedArticle(a, claims=tuple(claims), model="test", extractor="test")


A = article("a1", ["Maria Lopez said the bridge will open in June.", "John Smith said the bridge is unsafe."])
B = article("b2", ["Aiko Tanaka said the port fees will rise."], outlet="Globe Herald")


def test_links_are_stored_replaced_and_listed_by_thread(index) -> None:
    assert index.upsert([A, B]) == []
    a0, a1, b0 = (c.id for c in (*A.claims, *B.claims))
    denial = ThreadLink(a1, "a1", a0, "disagree", (a0,), "Daily Planet", "John Smith")
    index.put_thread_links([ThreadLink(a0, "a1", a0, "agree"), denial, ThreadLink(b0, "b2", b0, "agree")])
    assert index.thread_links([a1, "nope"]) == {a1: denial}
    assert [lk.claim_id for lk in index.thread_members([a0])] == [a0, a1]
    # Replaced by claim id: b2's claim moves into a0's thread.
    index.put_thread_links([ThreadLink(b0, "b2", a0, "discuss")])
    assert [lk.claim_id for lk in index.thread_members([a0])] == sorted([a0, a1, b0])
    assert index.thread_members([b0]) == []
    assert index.thread_members([]) == [] and index.thread_links([]) == {}


def test_reindexing_an_article_keeps_its_links(index) -> None:
    index.upsert([A])
    a0 = A.claims[0].id
    index.put_thread_links([ThreadLink(a0, "a1", a0, "agree")])
    index.upsert([A])
    index.refresh()
    assert index.thread_links([a0])[a0].thread_id == a0


def test_similar_claims_ranks_by_words_without_the_search_extras(index) -> None:
    index.upsert([A, B])
    index.refresh()
    found = index.similar_claims("unsafe bridge", 5)
    assert found[0] == A.claims[1] and B.claims[0] not in found
    assert index.similar_claims("port fees", 1) == [B.claims[0]]
    assert index.similar_claims("", 5) == [] and index.similar_claims("zebra", 5) == []


def test_similar_claims_many_answers_each_text_in_order(index) -> None:
    index.upsert([A, B])
    index.refresh()
    texts = ["unsafe bridge", "", "port fees", "zebra", "bridge"]
    assert index.similar_claims_many(texts, 5) == [index.similar_claims(t, 5) for t in texts]
    assert index.similar_claims_many(texts, 1)[2] == [B.claims[0]]
    assert index.similar_claims_many([], 5) == []


def test_get_articles_is_get_article_for_several_ids(index) -> None:
    index.upsert([A, B])
    got = index.get_articles(["b2", "nope", "a1", "a1"])
    assert got == {"a1": index.get_article("a1"), "b2": index.get_article("b2")}
    assert got["a1"].claims == A.claims and got["b2"].article == B.article
    assert index.get_articles([]) == {}


@pytest.mark.parametrize("kind", INDEX_BACKENDS)
def test_links_are_read_at_once_and_searchable_by_others_after_refresh(kind, tmp_path: Path,
                                                                        index_prefix: str) -> None:
    where = tmp_path / "index.db" if kind == "sqlite" else f"{index_prefix}rw-"
    writer, reader = open_test_index(kind, where), open_test_index(kind, where)
    try:
        writer.upsert([A])
        a0, a1 = (c.id for c in A.claims)
        writer.put_thread_links([ThreadLink(a0, "a1", a0, "agree"), ThreadLink(a1, "a1", a0, "disagree", (a0,))])
        assert set(reader.thread_links([a0, a1])) == {a0, a1}  # real time, before any refresh
        assert [lk.claim_id for lk in writer.thread_members([a0])] == [a0, a1]  # the writer's own search
        writer.put_thread_links([ThreadLink(a1, "a1", a1, "agree")])
        writer.refresh()
        assert [lk.claim_id for lk in reader.thread_members([a0])] == [a0]
        assert [lk.claim_id for lk in reader.thread_members([a1])] == [a1]
    finally:
        reader.close()
        close_test_index(writer)
