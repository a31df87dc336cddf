"""Rollover on a real Elasticsearch: backing indices behind the claims and articles aliases.

Each test has its own index prefix, dropped afterwards. Expected results come
from the invented corpus (or from one index of the same corpus never rolled
over), not from the layout under test.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from invented import invented_article
from support import ES_HOST, ES_PORT, require_server

from pipeline.config import IndexSettings, RolloverSettings
from pipeline.index import query
from pipeline.index.base import ArticleQuery, ClaimQuery, CopyEntry
from pipeline.index.elastic import rollover as ro
from pipeline.index.elastic.mappings import ARTICLES, CLAIMS
from pipeline.records import EnrichedArticle

URL = f"http://{ES_HOST}:{ES_PORT}"
OFF = RolloverSettings(max_age="", max_docs=0, max_primary_shard_size="", check_s=0)


def _article(aid: str, published: str | None, claims: int = 2, outlet: str = "Daily Planet") -> EnrichedArticle:
    specs = [("Maria Lopez" if n % 2 else f"Speaker {aid}", "Lopez" if n % 2 else f"Speaker {aid}",
              "deny" if n % 3 == 2 else "assert", n == 0, f"{aid} said fact number {n} about the harbor budget",
              [("Port Authority", "Port Authority", "ORG")] if n % 2 else []) for n in range(claims)]
    return invented_article(aid, outlet, f"https://dp.example/{aid}", published, f"Story {aid}", specs)


CORPUS = [_article(f"a{i}", f"2024-0{1 + i % 6}-1{i % 9}T10:00:00Z", claims=1 + i % 4,
                   outlet=("Daily Planet", "Globe Herald", "Metro Times")[i % 3]) for i in range(9)]


def _open(prefix: str, rollover: RolloverSettings = OFF) -> Any:
    from pipeline.index.elastic import ElasticIndex

    index = ElasticIndex(URL, IndexSettings(url=URL, rollover=rollover), prefix=prefix)
    index.ensure_schema()
    return index


@pytest.fixture
def prefix() -> str:
    require_server("Elasticsearch", ES_HOST, ES_PORT)
    return f"t{uuid.uuid4().hex[:10]}-roll-"


@pytest.fixture
def es(prefix: str) -> Iterator[Any]:
    """A raw client for looking at the layout; drops ``prefix``'s indices afterwards."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(URL)
    yield client
    for name in client.indices.get(index=f"{prefix}*", expand_wildcards="all").body:
        client.indices.delete(index=name, ignore_unavailable=True)
    for kind in ("claims", "articles", "threads", "copies"):
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}{kind}")
    client.close()


@pytest.fixture
def rolled(prefix: str, es: Any) -> Iterator[Any]:
    """The corpus written in three parts, claims and articles rolled over after each of the first two."""
    index = _open(prefix)
    assert index.upsert(CORPUS[:3]) == []
    for part in (CORPUS[3:6], CORPUS[6:]):
        assert index.rollover("claims", force=True) and index.rollover("articles", force=True)
        assert index.upsert(part) == []
    index.refresh()
    yield index
    index.close()


def _copies_per_id(es: Any, alias: str) -> Counter[str]:
    """How many documents each id has over every backing index (1 everywhere: no duplicates)."""
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=1000, query={"match_all": {}}, source=False)["hits"]["hits"]
    return Counter(h["_id"] for h in hits)


def _owner(es: Any, alias: str, doc_id: str) -> list[str]:
    es.indices.refresh(index=alias)
    return [h["_index"] for h in es.search(index=alias, query={"ids": {"values": [doc_id]}})["hits"]["hits"]]


# --- names and conditions (no server) -------------------------------------------


def test_backing_index_names_follow_the_first_one() -> None:
    assert ro.order("p-claims-v2") == (2, 1)
    assert ro.order("p-claims-v2-000010") == (2, 10)
    assert ro.next_name("p-claims", "p-claims-v2") == "p-claims-v2-000002"
    assert ro.next_name("p-claims", "p-claims-v2-000009") == "p-claims-v2-000010"
    names = ["c-v2-000010", "c-v2", "c-v2-000002", "c-v3"]
    assert sorted(names, key=ro.order) == ["c-v2", "c-v2-000002", "c-v2-000010", "c-v3"]


def test_conditions_come_from_the_settings() -> None:
    assert ro.conditions(RolloverSettings()) == {"max_age": "30d", "max_primary_shard_size": "50gb", "min_docs": 1}
    assert ro.conditions(replace(OFF, max_docs=5)) == {"max_docs": 5, "min_docs": 1}
    assert ro.conditions(OFF) == {}  # nothing to check: the indexer never asks


# --- rollover --------------------------------------------------------------------


@pytest.mark.elastic
def test_the_indexer_rolls_over_when_a_condition_is_met(prefix: str, es: Any) -> None:
    index = _open(prefix, replace(OFF, max_docs=4))
    try:
        assert index.upsert(CORPUS[:2]) == []  # 1 + 2 claims, 2 articles: below max_docs
        index.refresh()  # the condition counts searchable documents
        assert index.upsert(CORPUS[2:4]) == []  # checked first: 3 claims < 4, nothing rolls; now 3 + 7
        index.refresh()
        assert index.indices()["claims"] == [f"{prefix}claims-v{CLAIMS.version}"]
        assert index.upsert(CORPUS[4:5]) == []  # 10 claims ≥ 4: claims roll over; 4 articles ≥ 4 too
        index.refresh()
        assert index.indices()["claims"] == [f"{prefix}claims-v{CLAIMS.version}", f"{prefix}claims-v{CLAIMS.version}-000002"]
        assert index.indices()["articles"] == [f"{prefix}articles-v{ARTICLES.version}", f"{prefix}articles-v{ARTICLES.version}-000002"]
        assert _owner(es, f"{prefix}articles", "a4") == [f"{prefix}articles-v{ARTICLES.version}-000002"]  # written after it
        assert _owner(es, f"{prefix}claims", CORPUS[4].claims[0].id) == [f"{prefix}claims-v{CLAIMS.version}-000002"]
        alias = es.indices.get_alias(name=f"{prefix}claims").body
        assert alias[f"{prefix}claims-v{CLAIMS.version}-000002"]["aliases"][f"{prefix}claims"]["is_write_index"] is True
        assert index.counts() == {"articles": 5, "claims": sum(len(e.claims) for e in CORPUS[:5])}
    finally:
        index.close()


@pytest.mark.elastic
def test_the_index_that_rolled_over_is_merged_to_one_segment(prefix: str, es: Any) -> None:
    index = _open(prefix)
    try:
        for part in (CORPUS[:3], CORPUS[3:6]):  # two refreshed writes: two segments at least
            assert index.upsert(part) == []
            index.refresh()
        old = f"{prefix}claims-v{CLAIMS.version}"
        assert _segments(es, old) >= 2
        assert index.rollover("claims", force=True)
        deadline = time.monotonic() + 30  # a background task: wait for it
        while _segments(es, old) > 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _segments(es, old) == 1
        assert index.counts()["claims"] == sum(len(e.claims) for e in CORPUS[:6])
    finally:
        index.close()


def _segments(es: Any, index: str) -> int:
    shards = es.indices.segments(index=index)["indices"][index]["shards"]
    return sum(len(copy["segments"]) for copies in shards.values() for copy in copies)


@pytest.mark.elastic
def test_the_indexer_asks_at_most_every_check_s(prefix: str, es: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    index = _open(prefix, replace(OFF, max_docs=1, check_s=3600))
    try:
        asked: list[str] = []
        roll = index._rollover.roll
        monkeypatch.setattr(index._rollover, "roll", lambda kind, force=False: asked.append(kind) or roll(kind))
        for part in (CORPUS[:1], CORPUS[1:2], CORPUS[2:3]):
            assert index.upsert(part) == []
        assert sorted(asked) == ["articles", "claims"]  # once per alias, on the first batch only
    finally:
        index.close()


@pytest.mark.elastic
def test_a_rollover_without_a_condition_met_changes_nothing(prefix: str, es: Any) -> None:
    index = _open(prefix, replace(OFF, max_docs=1000))
    try:
        assert index.upsert(CORPUS) == []
        index.refresh()
        assert index.rollover("claims") is None
        assert index.indices()["claims"] == [f"{prefix}claims-v{CLAIMS.version}"]
    finally:
        index.close()


# --- reading across backing indices ---------------------------------------------------


@pytest.mark.elastic
def test_searches_facets_and_totals_span_the_backing_indices(rolled: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(rolled.indices()["claims"]) == 3 and len(rolled.indices()["articles"]) == 3
    one = _open(f"{rolled.prefix}one-")  # the same corpus in one index
    try:
        assert one.upsert(CORPUS) == []
        one.refresh()
        assert rolled.counts() == one.counts() == {"articles": len(CORPUS),
                                                    "claims": sum(len(e.claims) for e in CORPUS)}
        # bm25 statistics are per shard, so ranked orders may differ on indices this small (as they would over
        # several shards): ranked searches are compared as sets, date-ordered ones as lists.
        for q in (ClaimQuery("harbor budget", limit=100), ClaimQuery("fact", limit=100), ClaimQuery(limit=5),
                  ClaimQuery("harbor", source="Globe Herald", limit=100), ClaimQuery(limit=4, stance="deny")):
            mine, theirs = rolled.search_claims(q), one.search_claims(q)
            assert mine.total == theirs.total > 0
            ids, want = [h.claim.id for h in mine.hits], [h.claim.id for h in theirs.hits]
            assert (sorted(ids) == sorted(want)) if q.text else (ids == want)
            assert mine.facets == theirs.facets
            assert rolled.claim_histogram(q, "month") == one.claim_histogram(q, "month")
        page = rolled.search_claims(ClaimQuery(limit=4))
        rest = rolled.search_claims(ClaimQuery(limit=100, after=page.next_cursor))
        assert len({h.claim.id for h in page.hits + rest.hits}) == rolled.counts()["claims"]  # pages span them
        articles = rolled.search_articles(ArticleQuery("harbor", limit=100))
        assert articles.total == len(CORPUS)
        assert rolled.language_counts() == one.language_counts()
        assert rolled.get_articles([e.article.id for e in CORPUS]) == one.get_articles([e.article.id for e in CORPUS])
        assert rolled.get_claim(CORPUS[0].claims[0].id) == one.get_claim(CORPUS[0].claims[0].id)
        monkeypatch.setattr(query, "COMMON_WORD_MIN_CLAIMS", 1)  # term statistics summed over the indices
        for text in ("said harbor", "Lopez fact"):
            assert ({h.claim.id for h in rolled.search_claims(ClaimQuery(text, limit=50)).hits}
                    == {h.claim.id for h in one.search_claims(ClaimQuery(text, limit=50)).hits})
    finally:
        one.drop()
        one.close()


# --- writing across backing indices ---------------------------------------------------


@pytest.mark.elastic
def test_a_record_reindexed_after_rollover_overwrites_its_document(rolled: Any, es: Any) -> None:
    first, middle = CORPUS[1], CORPUS[4]  # in the oldest backing index, and in the one before the write index
    fewer = replace(first, claims=first.claims[:1], article=replace(first.article, title="Story a1, updated"))
    assert len(first.claims) == 2
    assert rolled.upsert([fewer, middle]) == []
    rolled.refresh()
    for kind in ("claims", "articles"):
        per_id = _copies_per_id(es, rolled.alias(kind))
        assert set(per_id.values()) == {1}, f"duplicated {kind}"
    assert _owner(es, rolled.alias("articles"), first.article.id) == [f"{rolled.prefix}articles-v{ARTICLES.version}"]
    assert rolled.get_article(first.article.id).article.title == "Story a1, updated"
    assert rolled.get_claim(first.claims[1].id) is None  # the stale claim was deleted where it lived
    assert rolled.counts()["claims"] == sum(len(e.claims) for e in CORPUS) - 1


@pytest.mark.elastic
def test_a_reupsert_right_after_a_rollover_finds_unrefreshed_documents(prefix: str, es: Any) -> None:
    index = _open(prefix)
    try:
        assert index.upsert(CORPUS[:2]) == []  # no refresh before the rollover
        assert index.rollover("claims", force=True) and index.rollover("articles", force=True)
        assert index.upsert(CORPUS[:2]) == []  # at once, again
        assert index.upsert(CORPUS[:2]) == []
        for kind in ("claims", "articles"):
            assert set(_copies_per_id(es, index.alias(kind)).values()) == {1}
        assert index.counts() == {"articles": 2, "claims": sum(len(e.claims) for e in CORPUS[:2])}
    finally:
        index.close()


@pytest.mark.elastic
def test_copy_marks_after_rollover_land_on_the_documents_where_they_live(rolled: Any, es: Any) -> None:
    original, copy = CORPUS[5], CORPUS[0]  # the copy sits in the oldest backing index
    entry = CopyEntry(copy.article.id, original.article.id, copy.article.published, "2024-01-01T00:00:00Z", 100,
                      b"\x00" * 8, ("band1",))
    rolled.put_copies([entry])
    rolled.refresh()
    for kind in ("claims", "articles"):
        assert set(_copies_per_id(es, rolled.alias(kind)).values()) == {1}
    hits = es.search(index=rolled.alias("claims"), query={"term": {"copy_of": original.article.id}},
                     source=["id"])["hits"]["hits"]
    assert sorted(h["_id"] for h in hits) == sorted(c.id for c in copy.claims)
    assert {h["_index"] for h in hits} == {f"{rolled.prefix}claims-v{CLAIMS.version}"}
    assert rolled.copies_of([original.article.id])[original.article.id][0].id == copy.article.id
    collapsed = rolled.search_claims(ClaimQuery(limit=100, facets=False))
    assert not {c.id for c in copy.claims} & {h.claim.id for h in collapsed.hits}  # the copy's claims collapse


# --- pruning ---------------------------------------------------------------------------


@pytest.mark.elastic
def test_prune_drops_whole_old_indices_and_keeps_the_write_index(prefix: str, es: Any) -> None:
    index = _open(prefix)
    try:
        old = [_article("o1", "2023-03-01T00:00:00Z"), _article("o2", "2023-04-01T00:00:00Z", claims=3)]
        mixed = [_article("o3", "2023-05-01T00:00:00Z"), _article("n1", "2024-02-01T00:00:00Z")]
        latest = [_article("o4", "2023-06-01T00:00:00Z")]  # old, but in the write index
        assert index.upsert(old) == []
        for part in (mixed, latest):
            assert index.rollover("claims", force=True) and index.rollover("articles", force=True)
            assert index.upsert(part) == []
        index.refresh()
        before = date(2024, 1, 1)
        whole = [f"{prefix}claims-v{CLAIMS.version}", f"{prefix}articles-v{ARTICLES.version}"]
        plan = index.prune_plan(before)
        assert sorted(plan.whole_indices) == sorted(whole)
        assert plan.counts.articles == 4 and plan.counts.claims == 2 + 3 + 2 + 2
        assert sorted(index.drop_expired_indices(before)) == sorted(whole)
        while index.prune_batch(before, 10).articles:
            pass
        index.refresh()
        assert index.indices()["claims"] == [f"{prefix}claims-v{CLAIMS.version}-000002", f"{prefix}claims-v{CLAIMS.version}-000003"]
        assert index.counts() == {"articles": 1, "claims": 2}
        assert {h.claim.article_id for h in index.search_claims(ClaimQuery(limit=50)).hits} == {"n1"}
        assert index.upsert([_article("n2", "2024-03-01T00:00:00Z")]) == []  # the write index still takes writes
        index.refresh()
        assert _owner(es, index.alias("articles"), "n2") == [f"{prefix}articles-v{ARTICLES.version}-000003"]
    finally:
        index.close()


# --- migration -------------------------------------------------------------------------


@pytest.mark.elastic
def test_the_single_index_layout_becomes_the_first_backing_index(prefix: str, es: Any) -> None:
    old = _open(prefix)
    assert old.upsert(CORPUS[:4]) == []
    old.close()
    for kind, index in ((k, i[0]) for k, i in _targets(es, prefix).items()):  # as the code before rollover left it
        es.indices.update_aliases(actions=[{"remove": {"index": index, "alias": f"{prefix}{kind}"}},
                                           {"add": {"index": index, "alias": f"{prefix}{kind}"}}])
        assert "is_write_index" not in es.indices.get_alias(name=f"{prefix}{kind}")[index]["aliases"][f"{prefix}{kind}"]
    upgraded = _open(prefix)
    try:
        assert upgraded.upsert(CORPUS[4:6]) == []
        assert upgraded.rollover("claims", force=True) and upgraded.rollover("articles", force=True)
        assert upgraded.upsert(CORPUS) == []  # re-sent: overwritten in place
        upgraded.refresh()
        assert upgraded.indices()["claims"] == [f"{prefix}claims-v{CLAIMS.version}", f"{prefix}claims-v{CLAIMS.version}-000002"]
        assert upgraded.counts() == {"articles": len(CORPUS), "claims": sum(len(e.claims) for e in CORPUS)}
        assert _owner(es, upgraded.alias("articles"), CORPUS[0].article.id) == [f"{prefix}articles-v{ARTICLES.version}"]
        assert _owner(es, upgraded.alias("articles"), CORPUS[8].article.id) == [f"{prefix}articles-v{ARTICLES.version}-000002"]
    finally:
        upgraded.close()


def _targets(es: Any, prefix: str) -> dict[str, list[str]]:
    return {kind: sorted(es.indices.get_alias(name=f"{prefix}{kind}").body) for kind in ("claims", "articles")}


class _TwoIndices:
    """A stand-in client: 10 claims over two backing indices, ``said`` in 3 claims of each."""

    def count(self, index: str) -> dict[str, int]:
        return {"count": 10}

    def mtermvectors(self, docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        freq = {"said": 3, "harbor": 1}
        return {"docs": [{"term_vectors": {f: {"terms": {d["doc"][f]: {"doc_freq": freq[d["doc"][f]]}}}
                                           for f in d["fields"]}} for d in docs]}


def test_word_counts_are_summed_over_the_backing_indices(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.index.elastic.words import WordFrequencies

    monkeypatch.setattr(query, "COMMON_WORD_MIN_CLAIMS", 1)
    words = WordFrequencies(_TwoIndices(), "claims", ("content^4", "sentence"), indices=lambda: ["c-v2", "c-v2-000002"])
    assert words.ranking([], ["said", "harbor"]) == ["harbor"]  # 6 of 10 claims say "said": it stops ranking
    alone = WordFrequencies(_TwoIndices(), "claims", ("content^4", "sentence"), indices=lambda: ["c-v2"])
    assert alone.ranking([], ["said", "harbor"]) == ["said", "harbor"]  # 3 of 10 in one index would not


@pytest.mark.elastic
def test_a_condition_the_server_refuses_is_logged_and_indexing_goes_on(prefix: str, es: Any,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    index = _open(prefix, replace(OFF, max_age="thirty days"))
    try:
        assert index.upsert(CORPUS[:2]) == []
        assert "rollover" in caplog.text and "refused" in caplog.text
        index.refresh()
        assert index.counts()["articles"] == 2
    finally:
        index.close()


@pytest.mark.elastic
def test_a_mapping_version_bump_gathers_every_backing_index_into_one(rolled: Any, es: Any) -> None:
    from pipeline.index.elastic import ElasticIndex
    from pipeline.index.elastic import mappings as m

    bumped = (replace(m.CLAIMS, version=m.CLAIMS.version + 1), m.ARTICLES, m.THREADS, m.COPIES)
    v = m.CLAIMS.version + 1
    upgraded = ElasticIndex(URL, IndexSettings(url=URL, rollover=OFF), prefix=rolled.prefix, schemas=bumped)
    try:
        upgraded.ensure_schema()
        assert upgraded.indices()["claims"] == [f"{rolled.prefix}claims-v{v}"]
        assert upgraded.counts()["claims"] == sum(len(e.claims) for e in CORPUS)
        assert upgraded.rollover("claims", force=True) == f"{rolled.prefix}claims-v{v}-000002"
        assert upgraded.upsert(CORPUS) == []
        upgraded.refresh()
        assert set(_copies_per_id(es, upgraded.alias("claims")).values()) == {1}
    finally:
        upgraded.close()  # the old backing indices, kept for a rollback, go with the prefix (the es fixture)


@pytest.mark.elastic
def test_a_writer_that_has_not_seen_two_rollovers_still_writes_no_duplicate(prefix: str, es: Any) -> None:
    roller, other = _open(prefix), _open(prefix)  # two indexers
    try:
        assert other.upsert(CORPUS[:3]) == []  # other reads the layout now: one backing index
        assert roller.rollover("claims", force=True) and roller.rollover("articles", force=True)
        assert roller.upsert(CORPUS[3:6]) == []  # not refreshed: only the rollover after it refreshes them
        assert roller.rollover("claims", force=True) and roller.rollover("articles", force=True)
        assert other._owners.backing("claims") == [f"{prefix}claims-v{CLAIMS.version}"]  # still the old picture
        assert other.upsert(CORPUS) == []  # the first part, the middle one, and new ids
        other.refresh()
        for kind in ("claims", "articles"):
            assert set(_copies_per_id(es, other.alias(kind)).values()) == {1}
        assert _owner(es, other.alias("articles"), CORPUS[4].article.id) == [f"{prefix}articles-v{ARTICLES.version}-000002"]
        assert _owner(es, other.alias("articles"), CORPUS[7].article.id) == [f"{prefix}articles-v{ARTICLES.version}-000003"]
    finally:
        other.close()
        roller.close()


@pytest.mark.elastic
def test_an_indexer_goes_on_after_a_prune_dropped_an_index_it_knew(prefix: str, es: Any) -> None:
    indexer, pruner = _open(prefix), _open(prefix)
    try:
        assert indexer.upsert([_article("o1", "2023-03-01T00:00:00Z")]) == []
        assert indexer.rollover("claims", force=True) and indexer.rollover("articles", force=True)
        assert indexer.upsert([_article("o2", "2023-04-01T00:00:00Z")]) == []
        assert indexer.rollover("claims", force=True) and indexer.rollover("articles", force=True)
        assert indexer.upsert([_article("n1", "2024-02-01T00:00:00Z")]) == []
        indexer.refresh()
        assert len(pruner.drop_expired_indices(date(2024, 1, 1))) == 4  # the two oldest of each kind
        assert len(indexer._owners.backing("claims")) == 3  # the indexer's picture still has them
        assert indexer.upsert([_article("n1", "2024-02-01T00:00:00Z"), _article("n2", "2024-02-02T00:00:00Z")]) == []
        indexer.refresh()
        assert indexer.counts() == {"articles": 2, "claims": 4}
        assert set(_copies_per_id(es, indexer.alias("claims")).values()) == {1}
    finally:
        pruner.close()
        indexer.close()
