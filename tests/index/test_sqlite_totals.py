"""Bounded totals on the embedded index: exact up to ``TOTAL_BOUND``, a flagged lower bound beyond, free counts exact.

The bound (and the candidate set and rank window, so a few dozen claims exercise
each search path) is lowered with monkeypatch. Expected results come from the
invented corpus below through plain Python, or from the same search run with
the default bound (the order a bounded count must not change).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from invented import HARBOR_OUTLETS, HARBOR_SPEAKERS, harbor_article

from pipeline.index import base
from pipeline.index.base import ArticleQuery, ClaimQuery, SearchResult
from pipeline.index.sqlite import SqliteIndex
from pipeline.index.sqlite import queries as sqlite_read
from pipeline.index.sqlite import totals as sqlite_totals
from pipeline.records import Claim, EnrichedArticle

BOUND = 5
SPEAKERS, OUTLETS = HARBOR_SPEAKERS, HARBOR_OUTLETS


CORPUS = [*(harbor_article(n, f"2024-05-{1 + n:02d}T10:00:00Z") for n in range(8)), harbor_article(9, None)]
CLAIMS: list[tuple[Claim, EnrichedArticle]] = [(c, e) for e in CORPUS for c in e.claims]
PLANET = [c.id for c, e in CLAIMS if e.article.source.name == "Daily Planet"]
KARIMI_DENIES = [c.id for c, _ in CLAIMS if c.speaker and c.speaker.canonical == "Ahmed Karimi" and c.stance == "deny"]
DATED_KARIMI_DENIES = [i for i in KARIMI_DENIES if any(c.id == i and e.article.published for c, e in CLAIMS)]
ASSERTS = [c.id for c, _ in CLAIMS if c.stance == "assert"]
IN_MAY_3_TO_8 = [c.id for c, e in CLAIMS if "2024-05-03" <= (e.article.published or "") < "2024-05-09"]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SqliteIndex]:
    index = SqliteIndex(tmp_path / "index.db")
    index.upsert(CORPUS)
    yield index
    index.close()


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bound, candidate set and rank window a few claims cross: every search path counts, none is complete."""
    monkeypatch.setattr(base, "TOTAL_BOUND", BOUND)
    monkeypatch.setattr(sqlite_read, "CANDIDATES", 4)
    monkeypatch.setattr(sqlite_read, "RANK_WINDOW", 3)


def totals(result: SearchResult) -> tuple[int, bool]:
    return result.total, result.total_exact


def every_page(index: SqliteIndex, query: ClaimQuery | ArticleQuery) -> list[str]:
    """The ids of every hit, page by page through next_cursor (at most 100 pages)."""
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = (index.search_claims(replace(query, after=after)) if isinstance(query, ClaimQuery)
                else index.search_articles(replace(query, after=after)))
        seen += [h.claim.id if hasattr(h, "claim") else h.article.id for h in page.hits]  # type: ignore[union-attr]
        if page.next_cursor is None:
            return seen
        after = page.next_cursor
    raise AssertionError("paging did not end")


def test_the_corpus_crosses_the_bound_in_every_kind() -> None:
    assert len(CLAIMS) == 27 and len(PLANET) > BOUND and len(ASSERTS) > BOUND and len(IN_MAY_3_TO_8) > BOUND
    assert 0 < len(DATED_KARIMI_DENIES) < len(KARIMI_DENIES) < BOUND


@pytest.mark.parametrize("query", [
    ClaimQuery("harbor"),  # words: the rank window, then a count
    ClaimQuery("harbor", facets=False),  # an export ranks every match
    ClaimQuery("harbor", source="Planet"),  # words and a filter: the window by ids
    ClaimQuery("harbor", since=date(2024, 5, 3), until=date(2024, 5, 8)),  # words and dates: one pass
    ClaimQuery(source="Planet"),  # a name filter alone: counted first
    ClaimQuery(source="Planet", facets=False),
    ClaimQuery(speaker="a", stance="assert"),  # names and a counted filter
    ClaimQuery(since=date(2024, 5, 3), source="Planet"),
], ids=["text", "text-export", "text+filter", "text+dates", "names", "names-export", "names+stance", "names+dates"])
def test_over_the_bound_a_search_reports_the_bound_as_a_lower_bound(index, small, query: ClaimQuery) -> None:  # type: ignore[no-untyped-def]
    assert totals(index.search_claims(query)) == (BOUND, False)


def test_over_the_bound_articles_report_the_bound(index, small) -> None:  # type: ignore[no-untyped-def]
    for query in (ArticleQuery(), ArticleQuery("harbor"), ArticleQuery(since=date(2024, 5, 2))):
        assert totals(index.search_articles(query)) == (BOUND, False), query
    assert totals(index.search_articles(ArticleQuery(source="Planet"))) == (4, True)


def test_counted_filters_keep_their_exact_total_beyond_the_bound(index, small) -> None:  # type: ignore[no-untyped-def]
    """Stance, language and dates alone: the day counts know the total without a pass, so it stays exact."""
    assert totals(index.search_claims(ClaimQuery(stance="assert"))) == (len(ASSERTS), True)
    assert totals(index.search_claims(ClaimQuery(since=date(2024, 5, 3), until=date(2024, 5, 8)))) \
        == (len(IN_MAY_3_TO_8), True)
    assert totals(index.search_claims(ClaimQuery())) == (len(CLAIMS), True)


def test_a_complete_candidate_set_gives_the_exact_total(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(base, "TOTAL_BOUND", BOUND)  # candidates (2000) hold every match: no count needed
    assert totals(index.search_claims(ClaimQuery(source="Planet"))) == (len(PLANET), True)
    assert totals(index.search_claims(ClaimQuery(source="Planet", facets=False))) == (BOUND, False)


@pytest.mark.parametrize(("query", "want"), [
    (ClaimQuery(speaker="Karimi", stance="deny"), KARIMI_DENIES),
    (ClaimQuery("harbor", speaker="Karimi", stance="deny"), KARIMI_DENIES),
    (ClaimQuery("harbor", speaker="Karimi", stance="deny", facets=False), KARIMI_DENIES),
    (ClaimQuery("harbor", speaker="Karimi", stance="deny", since=date(2024, 5, 1)), DATED_KARIMI_DENIES),
    (ClaimQuery(speaker="Karimi", stance="deny", since=date(2024, 5, 1)), DATED_KARIMI_DENIES),
], ids=["names", "text", "export", "text+dates", "names+dates"])
def test_up_to_the_bound_totals_are_exact(index, small, query: ClaimQuery, want: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = index.search_claims(query)
    assert totals(result) == (len(want), True) and sorted(h.claim.id for h in result.hits) == sorted(want)


def test_at_the_bound_the_total_is_exact(index, small, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(base, "TOTAL_BOUND", len(PLANET))
    assert totals(index.search_claims(ClaimQuery(source="Planet"))) == (len(PLANET), True)
    assert totals(index.search_articles(ArticleQuery())) == (len(CORPUS), True)  # 9 articles, bound 12
    monkeypatch.setattr(base, "TOTAL_BOUND", len(PLANET) - 1)
    assert totals(index.search_claims(ClaimQuery(source="Planet"))) == (len(PLANET) - 1, False)


@pytest.mark.parametrize("query", [
    ClaimQuery(limit=4), ClaimQuery(limit=4, facets=False),
    ClaimQuery("harbor", limit=4, facets=False), ClaimQuery("harbor budget", limit=2, facets=False),
    ClaimQuery(source="Planet", limit=2), ClaimQuery(source="Planet", limit=2, facets=False),
    ClaimQuery(speaker="a", limit=3), ClaimQuery(stance="assert", limit=4),
    ClaimQuery("harbor", source="Planet", limit=2, facets=False),
], ids=["newest", "newest-export", "text-export", "words-export", "names", "names-export", "speaker", "stance",
        "text+filter-export"])
def test_paging_goes_past_the_bound_in_the_same_order(index, small, monkeypatch, query: ClaimQuery) -> None:  # type: ignore[no-untyped-def]
    """Every match once, in the order of one page holding them all (the next page is not read off the total)."""
    paged = every_page(index, query)
    monkeypatch.setattr(base, "TOTAL_BOUND", 10_000)
    whole = [h.claim.id for h in index.search_claims(replace(query, limit=100, facets=False)).hits]
    assert paged == whole and len(paged) == len(set(paged)) > BOUND


def test_a_windowed_search_pages_through_its_window_past_the_bound(index, small) -> None:  # type: ignore[no-untyped-def]
    """Interactive text searches list the newest RANK_WINDOW matches (3 here); the last page has no cursor."""
    harbor = sorted(c.id for c, _ in CLAIMS)
    for query in (ClaimQuery("harbor", limit=2), ClaimQuery("harbor", source="Planet", limit=2)):
        paged = every_page(index, query)
        assert len(paged) == len(set(paged)) == sqlite_read.RANK_WINDOW and set(paged) <= set(harbor), query


def test_articles_page_past_the_bound(index, small) -> None:  # type: ignore[no-untyped-def]
    for query in (ArticleQuery(limit=2), ArticleQuery("harbor", limit=2)):
        assert sorted(every_page(index, query)) == sorted(e.article.id for e in CORPUS), query


def test_a_count_stops_one_past_the_bound(index, small) -> None:  # type: ignore[no-untyped-def]
    conn = index._conn
    assert sqlite_totals.count_upto(conn, "FROM claims", []) == BOUND + 1
    assert sqlite_totals.count(conn, ClaimQuery("harbor"), '"harbor"') == ((BOUND, False), BOUND + 1)
    assert sqlite_totals.count(conn, ClaimQuery("harbor"), '"harbor"', decide=20) == ((BOUND, False), 21)
    assert sqlite_totals.count(conn, ClaimQuery("harbor"), '"harbor"', decide=100) == ((BOUND, False), len(CLAIMS))
    assert sqlite_totals.bounded(BOUND) == (BOUND, True) and sqlite_totals.bounded(0) == (0, True)


@pytest.mark.parametrize("claims", [1, 1_000, 40_000, 100_000, 1_000_000, 3_000_000, 10_000_000])
def test_counting_one_past_the_scan_threshold_decides_as_a_full_count(claims: int) -> None:
    decide = sqlite_totals.scan_threshold(claims)
    query = ClaimQuery(source="Planet")
    for matches in {0, 1, decide - 1, decide, decide + 1, decide + 2, 2 * decide, claims, 4 * sqlite_read.CANDIDATES,
                    4 * sqlite_read.CANDIDATES + 1} - {-1}:
        seen = min(matches, max(base.TOTAL_BOUND, decide) + 1)
        assert sqlite_totals.newest_first_scan(query, "", seen, claims) \
            == sqlite_totals.newest_first_scan(query, "", matches, claims), (claims, matches)
