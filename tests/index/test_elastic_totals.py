"""Bounded totals and the newest-first facet sample on a real Elasticsearch.

Totals are exact up to ``TOTAL_BOUND`` matches and a flagged lower bound beyond
(lowered here so a dozen claims cross it); the facets of a search without words
count the newest ``FACET_SAMPLE`` matches, ties at the cutoff date included.
Expected results come from the invented corpus below through plain Python.
The module's index has its own prefix, dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from invented import HARBOR_OUTLETS, HARBOR_SPEAKERS, harbor_article
from support import close_test_index, open_test_index

from pipeline.index import base
from pipeline.index.base import FACET_SIZE, ArticleQuery, ClaimQuery
from pipeline.index.elastic import queries
from pipeline.records import Claim, EnrichedArticle

pytestmark = pytest.mark.elastic

SPEAKERS, OUTLETS = HARBOR_SPEAKERS, HARBOR_OUTLETS


# Four dated articles of three claims each (12 claims: ties on every date), then one undated.
DATED = [harbor_article(n, f"2024-05-0{1 + n}T10:00:00Z") for n in range(4)]
UNDATED = harbor_article(9, None)


@pytest.fixture(scope="module")
def loaded() -> Iterator[Any]:
    """The corpus under a private prefix, shared by the module's tests (they only read it)."""
    index = open_test_index("elastic", f"t{uuid.uuid4().hex[:10]}-totals-")
    try:
        assert index.upsert([*DATED, UNDATED]) == []
        index.refresh()
        yield index
    finally:
        close_test_index(index)


# --- total_of --------------------------------------------------------------------


def test_total_of_reads_an_exact_count() -> None:
    assert queries.total_of({"value": 42, "relation": "eq"}) == (42, True)
    assert queries.total_of({"value": 0, "relation": "eq"}) == (0, True)


def test_total_of_reads_a_lower_bound() -> None:
    assert queries.total_of({"value": 10_000, "relation": "gte"}) == (10_000, False)


def test_search_body_counts_up_to_the_bound_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert queries.search_body(None, [], 10, None)["track_total_hits"] == base.TOTAL_BOUND == 10_000
    monkeypatch.setattr(base, "TOTAL_BOUND", 5)
    assert queries.search_body(None, [], 10, None)["track_total_hits"] == 5


# --- totals against the server ---------------------------------------------------


def test_totals_beyond_the_bound_are_a_flagged_lower_bound(loaded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "TOTAL_BOUND", 5)
    for query in (ClaimQuery(), ClaimQuery("harbor"), ClaimQuery(source="Planet"), ClaimQuery(facets=False)):
        result = loaded.search_claims(query)
        assert (result.total, result.total_exact) == (5, False), query
    articles = loaded.search_articles(ArticleQuery(all_copies=True))
    assert (articles.total, articles.total_exact) == (5, True)  # five articles: at the bound is still exact
    monkeypatch.setattr(base, "TOTAL_BOUND", 3)
    articles = loaded.search_articles(ArticleQuery())
    assert (articles.total, articles.total_exact) == (3, False)


def test_totals_up_to_the_bound_are_exact(loaded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "TOTAL_BOUND", 5)
    claims = [c for e in (*DATED, UNDATED) for c in e.claims]
    want = sum(1 for c in claims if c.speaker and c.speaker.canonical == "Ahmed Karimi" and c.stance == "deny")
    assert 0 < want < 5
    for query in (ClaimQuery(speaker="Karimi", stance="deny"), ClaimQuery("harbor", speaker="Karimi", stance="deny")):
        result = loaded.search_claims(query)
        assert (result.total, result.total_exact) == (want, True), query
    one = loaded.search_claims(ClaimQuery(since=date(2024, 5, 4)))  # the newest article's claims
    assert (one.total, one.total_exact) == (3, True)
    monkeypatch.setattr(base, "TOTAL_BOUND", 10_000)
    everything = loaded.search_claims(ClaimQuery())
    assert (everything.total, everything.total_exact) == (len(claims), True)


def test_paging_visits_every_match_past_the_bound(loaded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "TOTAL_BOUND", 5)
    for text in ("", "harbor"):
        seen: list[str] = []
        after = None
        while True:
            page = loaded.search_claims(ClaimQuery(text, limit=4, after=after, facets=False))
            seen += [h.claim.id for h in page.hits]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert sorted(seen) == sorted(c.id for e in (*DATED, UNDATED) for c in e.claims), text


# --- facets: the newest sample -----------------------------------------------------


def _claims_newest_first() -> list[tuple[str | None, Claim, EnrichedArticle]]:
    found = [(e.article.published, c, e) for e in (*DATED, UNDATED) for c in e.claims]
    dated = sorted((f for f in found if f[0]), key=lambda f: f[0] or "", reverse=True)
    return [*dated, *(f for f in found if not f[0])]


def _brute_facets(sample: int) -> dict[str, list[tuple[str, int]]]:
    """The facets of a search without words, by hand: every claim from the sample-th newest's date on
    (all of them when there are fewer, or when that one is undated)."""
    ordered = _claims_newest_first()
    cutoff = ordered[sample - 1][0] if len(ordered) >= sample else None
    counted = [f for f in ordered if cutoff is None or (f[0] is not None and f[0] >= cutoff)]
    values: dict[str, Counter[str]] = {name: Counter() for name in queries.FACET_FIELDS}
    for _, claim, enriched in counted:
        if claim.speaker and claim.speaker.canonical:
            values["speakers"][claim.speaker.canonical] += 1
        values["entities"].update({e.canonical for e in claim.entities})
        values["stances"][claim.stance] += 1
        values["sources"][enriched.article.source.name] += 1
        values["languages"][enriched.article.language] += 1
    return {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE] for name, c in values.items()}


@pytest.mark.parametrize("sample", [1, 3, 4, 5, 9, 12, 13, 15, 100])
def test_newest_sample_facets_match_a_brute_force_count(loaded: Any, monkeypatch: pytest.MonkeyPatch,
                                                         sample: int) -> None:
    """Cutoffs inside a run of equal dates (4, 5), on its edge (3, 9, 12), on the undated claims (13)
    and past the last match (15, 100)."""
    monkeypatch.setattr(queries, "FACET_SAMPLE", sample)
    monkeypatch.setattr(base, "TOTAL_BOUND", 5)  # a bounded total leaves the facets whole
    facets = loaded.search_claims(ClaimQuery(all_copies=True)).facets
    assert {name: list(v) for name, v in facets.items()} == _brute_facets(sample)


@pytest.mark.parametrize("sample", range(1, 17))
def test_the_date_sort_finds_the_cutoff_of_the_date_then_id_sort(loaded: Any, monkeypatch: pytest.MonkeyPatch,
                                                                  sample: int) -> None:
    monkeypatch.setattr(queries, "FACET_SAMPLE", sample)
    body = queries.newest_sample_body(queries.filters_of(ClaimQuery()))
    by_date_and_id = {**body, "sort": queries.NEWEST}
    new, old = loaded._msearch("claims", [body, by_date_and_id])
    assert queries.newest_cutoff(new) == queries.newest_cutoff(old)


def test_the_newest_sample_stops_early_on_the_index_sort(loaded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the claims index sorted by date, the date-only sample reads about FACET_SAMPLE documents per
    segment, not every match (the profile API's count of documents the query stepped to)."""
    monkeypatch.setattr(queries, "FACET_SAMPLE", 2)
    loaded._es.indices.forcemerge(index=loaded.alias("claims"), max_num_segments=1)
    loaded.refresh()
    body = queries.newest_sample_body(queries.filters_of(ClaimQuery(all_copies=True)))
    matches = sum(len(e.claims) for e in (*DATED, UNDATED))

    def stepped(sort: list[Any]) -> int:
        (resp,) = loaded._msearch("claims", [{**body, "sort": sort, "profile": True}])
        return sum(q["breakdown"]["next_doc_count"] for shard in resp["profile"]["shards"]
                   for search in shard["searches"] for q in search["query"])

    assert stepped(queries.NEWEST) >= matches  # date then id: every match is compared
    assert stepped(body["sort"]) <= 2 + 1
