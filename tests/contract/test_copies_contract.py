"""Wire copies on both backends: entries, marks, collapsed searches, re-pointing (pipeline.index.base)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from copies_stories import COPY, ORIGINAL, OTHER

from pipeline.copies.detect import CopyDetector
from pipeline.index.base import ArticleQuery, ClaimQuery


def _write(index, *batches) -> None:
    detector = CopyDetector(index)
    for batch in batches:
        assert index.upsert(batch) == []
        detector.mark([e.article for e in batch])
    index.refresh()


def _articles(result) -> list[str]:
    return sorted(h.article.id for h in result.hits)


def test_a_copy_is_collapsed_under_its_original(index) -> None:
    _write(index, [ORIGINAL], [COPY, OTHER])
    claims = index.search_claims(ClaimQuery("harbor"))
    assert _articles(claims) == ["orig", "other"] and claims.total == 2
    [hit] = [h for h in claims.hits if h.article.id == "orig"]
    assert [(r.id, r.source, r.url) for r in hit.copies] == [("copy", "Daily Planet", COPY.article.url)]
    # A total the embedded index could read off its day counts (counted filters alone) leaves copies out too.
    unranked = index.search_claims(ClaimQuery(stance="assert"))
    assert unranked.total == 2 and [r.id for h in unranked.hits if h.article.id == "orig" for r in h.copies] == ["copy"]
    assert index.search_claims(ClaimQuery(stance="assert", all_copies=True)).total == 3
    articles = index.search_articles(ArticleQuery())
    assert _articles(articles) == ["orig", "other"]
    assert [r.id for r in next(h for h in articles.hits if h.article.id == "orig").copies] == ["copy"]


def test_every_copy_is_shown_on_request(index) -> None:
    _write(index, [ORIGINAL, COPY, OTHER])
    claims = index.search_claims(ClaimQuery("harbor", all_copies=True))
    assert _articles(claims) == ["copy", "orig", "other"] and all(h.copies == () for h in claims.hits)
    assert _articles(index.search_articles(ArticleQuery(all_copies=True))) == ["copy", "orig", "other"]


def test_an_earlier_original_indexed_later_takes_over_the_cluster(index) -> None:
    _write(index, [COPY], [ORIGINAL])
    assert {i: e.copy_of for i, e in index.copy_entries(["orig", "copy"]).items()} == {"orig": None, "copy": "orig"}
    assert _articles(index.search_claims(ClaimQuery("harbor"))) == ["orig"]
    assert index.copies_of(["orig"])["orig"][0].id == "copy"


def test_re_indexing_a_copy_keeps_it_collapsed(index) -> None:
    _write(index, [ORIGINAL], [COPY])
    assert index.upsert([COPY]) == []  # as a redelivery or a re-poll would, with no marking after it
    index.refresh()
    assert _articles(index.search_claims(ClaimQuery("harbor"))) == ["orig"]


def test_candidates_are_the_entries_sharing_a_band(index) -> None:
    _write(index, [ORIGINAL])
    [entry] = index.copy_entries(["orig"]).values()
    assert [e.article_id for e in index.copy_candidates(list(entry.bands[:1]))] == ["orig"]
    assert index.copy_candidates(["12345"]) == []


def test_pruning_an_original_makes_its_earliest_remaining_copy_the_original(index) -> None:
    later = replace(COPY, article=replace(COPY.article, published="2024-03-05T10:00:00Z"))
    _write(index, [ORIGINAL], [later])
    assert _articles(index.search_claims(ClaimQuery("harbor"))) == ["orig"]
    while index.prune_batch(date(2024, 3, 2), 10).articles:
        pass
    index.refresh()
    assert {i: e.copy_of for i, e in index.copy_entries(["orig", "copy"]).items()} == {"copy": None}
    assert _articles(index.search_claims(ClaimQuery("harbor"))) == ["copy"]  # no longer hidden
