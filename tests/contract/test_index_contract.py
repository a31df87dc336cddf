"""The index contract (pipeline.index.base), run against SQLite FTS5 and a real Elasticsearch.

Both backends must pass the same assertions. Expected results come from the
corpus below through plain Python predicates, not from either backend.
Elasticsearch cases skip when no server listens (fail in CI; see conftest).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date

import pytest
from invented import ClaimSpec, invented_article
from support import ES_HOST, ES_PORT, INDEX_BACKENDS, close_test_index, open_test_index, require_server

from pipeline.errors import BackendUnavailable, InputError
from pipeline.filters import CLAIM_FILTERS
from pipeline.index.base import ArticleQuery, ClaimQuery
from pipeline.records import Article, Claim, claim_id

# --- corpus --------------------------------------------------------------------

ARTICLES: list[tuple[str, str, str, str | None, str, list[ClaimSpec]]] = [
    ("a1", "Daily Planet", "https://dailyplanet.example/a1", "2024-03-01T09:00:00Z", "Senate passes climate bill", [
        ("Jake Sullivan", "Sullivan", "assert", True,
         "the climate bill will cut carbon emissions in half", [("Senate", "Senate", "ORG")]),
        ("Maria Lopez", "Maria Lopez", "deny", False, "the bill raises energy prices for families", []),
    ]),
    ("a2", "Globe Herald", "https://globeherald.example/a2", "2024-03-03T12:30:00Z", "Harbor project delayed", [
        ("Jake Sullivan", "Jake Sullivan", "assert", False, "the harbor project is on schedule",
         [("Port Authority", "Port Authority", "ORG")]),
        # The same entity twice under two spellings: facets still count the claim once.
        ("Port Authority", "the Authority", "deny", False, "any contract was signed with the builder",
         [("Port Authority", "Port Authority", "ORG"), ("Port Authority", "the Authority", "ORG")]),
        (None, None, "assert", False, "ferry fares will rise next year", [("Port Authority", "port authority", "ORG")]),
    ]),
    ("a3", "Metro Times", "https://metrotimes.example/a3", "2024-03-05T23:59:00Z", "Mayor answers critics", [
        ("Anna Berg", "Mayor Berg", "assert", True, "crime fell sharply in the city last year",
         [("City Council", "City Council", "ORG")]),
        ("Anna Berg", "Berg", "deny", False, "the city council cut the police budget",
         [("City Council", "city council", "ORG")]),
        ("Maria Lopez", "Lopez", "assert", False, "energy prices doubled since the climate bill",
         [("Senate", "Senate", "ORG")]),
    ]),
    ("a4", "Daily Planet", "https://dailyplanet.example/a4", "2024-03-07T08:00:00Z", "Ferries win riders", [
        ("Sam Okafor", "Okafor", "assert", True, "ferries are the cleanest way to travel",
         [("Port Authority", "Port Authority", "ORG")]),
    ]),
    # No publication date: excluded by date filters, listed last when newest come first.
    ("a5", "Wire Service", "https://wire.example/a5", None, "Budget talks resume", [
        ("Maria Lopez", "Lopez", "assert", False, "talks on the budget will resume on Monday", []),
    ]),
]


# One article in French (its claims as written stand in for French ones): the language filter's case.
CORPUS = [invented_article(*a) for a in ARTICLES]
CORPUS[3] = replace(CORPUS[3], article=replace(CORPUS[3].article, language="fr"))
ALL_CLAIMS = {c.id: (c, e.article) for e in CORPUS for c in e.claims}


def claim_ids_where(keep: Callable[[Claim, Article], bool]) -> set[str]:
    return {cid for cid, (c, a) in ALL_CLAIMS.items() if keep(c, a)}


def search_all(index, query: ClaimQuery | ArticleQuery) -> list:
    """Every hit, page by page through next_cursor (at most 50 pages)."""
    search = index.search_claims if isinstance(query, ClaimQuery) else index.search_articles
    hits, cursor = [], None
    for _ in range(50):
        page = search(replace(query, after=cursor))
        hits += page.hits
        cursor = page.next_cursor
        if cursor is None:
            return hits
    raise AssertionError("paging did not end")


def ids(hits) -> list[str]:
    return [h.claim.id if hasattr(h, "claim") else h.article.id for h in hits]


@pytest.fixture(scope="module", params=INDEX_BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           index_prefix: str) -> Iterator[object]:
    """The corpus, written once per backend and module; for read-only tests."""
    where = tmp_path_factory.mktemp("index") / "index.db" if request.param == "sqlite" else f"{index_prefix}ro-"
    backend = open_test_index(request.param, where)
    assert backend.upsert(CORPUS) == []
    backend.refresh()
    yield backend
    close_test_index(backend)


# --- writing -------------------------------------------------------------------


def test_upsert_twice_leaves_the_same_documents(index) -> None:
    assert index.upsert(CORPUS) == []
    index.refresh()
    first = index.counts()
    assert index.upsert(CORPUS) == []
    index.refresh()
    assert index.counts() == first == {"articles": len(CORPUS), "claims": len(ALL_CLAIMS)}


def test_reupsert_with_fewer_claims_removes_the_stale_one(index) -> None:
    full = CORPUS[2]
    index.upsert([full])  # no refresh before the rewrite: stale claims must go even so
    shorter = replace(full, claims=full.claims[:2])
    assert index.upsert([shorter]) == []
    index.refresh()
    assert index.counts() == {"articles": 1, "claims": 2}
    assert index.search_claims(ClaimQuery("doubled")).total == 0
    assert sorted(ids(search_all(index, ClaimQuery()))) == [c.id for c in shorter.claims]


def test_empty_batch_is_a_no_op(index) -> None:
    assert index.upsert([]) == []
    index.refresh()
    assert index.counts() == {"articles": 0, "claims": 0}


# --- claims: text ----------------------------------------------------------------


def test_ranking_puts_the_obviously_best_claim_first(loaded) -> None:
    result = loaded.search_claims(ClaimQuery("carbon emissions climate bill"))
    assert result.hits[0].claim.id == claim_id("a1", 0)
    assert result.hits[0].score >= result.hits[-1].score
    assert claim_id("a3", 2) in ids(result.hits)  # OR semantics: "climate bill" alone matches too


def test_quoted_phrase_must_match_as_a_phrase(loaded) -> None:
    assert set(ids(search_all(loaded, ClaimQuery('"energy prices"')))) == {claim_id("a1", 1), claim_id("a3", 2)}
    assert loaded.search_claims(ClaimQuery('"prices energy"')).total == 0


def test_hits_carry_the_claim_and_its_article(loaded) -> None:
    hit = loaded.search_claims(ClaimQuery("harbor schedule")).hits[0]
    claim, article = ALL_CLAIMS[claim_id("a2", 0)]
    assert hit.claim == claim
    assert (hit.article.id, hit.article.title, hit.article.url, hit.article.source) == (
        article.id, article.title, article.url, article.source.name)
    assert hit.article.published == article.published


def test_highlights_mark_the_matched_words(loaded) -> None:
    hit = loaded.search_claims(ClaimQuery("emissions")).hits[0]
    assert hit.highlight is not None and "[[emissions]]" in hit.highlight


# --- claims: filters -------------------------------------------------------------

FILTERS: list[tuple[str, dict, Callable[[Claim, Article], bool]]] = [
    ("speaker-partial-any-case", {"speaker": "sULLiv"}, lambda c, a: bool(c.speaker) and "Sullivan" in c.speaker.canonical),
    ("speaker-as-written", {"speaker": "mayor"}, lambda c, a: bool(c.speaker) and c.speaker.text == "Mayor Berg"),
    ("entity-name", {"entity": "port auth"}, lambda c, a: any(e.canonical == "Port Authority" for e in c.entities)),
    ("entity-as-written", {"entity": "the authority"}, lambda c, a: any(e.text == "the Authority" for e in c.entities)),
    ("stance", {"stance": "deny"}, lambda c, a: c.stance == "deny"),
    ("source-name", {"source": "planet"}, lambda c, a: a.source.name == "Daily Planet"),
    ("source-domain", {"source": "globeherald.example"}, lambda c, a: a.source.name == "Globe Herald"),
    ("since-inclusive", {"since": date(2024, 3, 5)}, lambda c, a: a.id in ("a3", "a4")),
    ("until-inclusive", {"until": date(2024, 3, 3)}, lambda c, a: a.id in ("a1", "a2")),
    ("one-day", {"since": date(2024, 3, 5), "until": date(2024, 3, 5)}, lambda c, a: a.id == "a3"),
    ("combined", {"speaker": "lopez", "stance": "assert"}, lambda c, a: c.id in (claim_id("a3", 2), claim_id("a5", 0))),
    ("with-text", {"text": "energy", "source": "metro"}, lambda c, a: c.id == claim_id("a3", 2)),
    ("language", {"language": "fr"}, lambda c, a: a.language == "fr"),
    ("language-with-text", {"text": "cleanest", "language": "en"}, lambda c, a: False),
    ("language-beside-a-name", {"speaker": "okafor", "language": "fr"}, lambda c, a: a.id == "a4"),
]


@pytest.mark.parametrize(("filters", "expected"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_each_filter_narrows_correctly(loaded, filters: dict, expected) -> None:
    hits = search_all(loaded, ClaimQuery(limit=3, **filters))
    assert set(ids(hits)) == claim_ids_where(expected)
    assert len(hits) == len(set(ids(hits)))


def test_every_declared_filter_has_a_case_here() -> None:
    covered = {name for _, filters, _ in FILTERS for name in filters}
    assert {f.name for f in CLAIM_FILTERS} <= covered  # a new filter needs its contract case


def test_since_after_until_is_an_input_error(loaded) -> None:
    with pytest.raises(InputError):
        loaded.search_claims(ClaimQuery(since=date(2024, 3, 5), until=date(2024, 3, 1)))


def test_a_garbled_cursor_is_an_input_error(loaded) -> None:
    with pytest.raises(InputError):
        loaded.search_claims(ClaimQuery(after="not-a-cursor!"))


TEXT_FILTERS = [f.name for f in CLAIM_FILTERS if f.kind == "text"]
SHAPES = {"alone": {}, "text": {"text": "energy bill"}, "stance": {"stance": "assert"},
          "dates": {"since": date(2024, 3, 1)}, "text-and-dates": {"text": "energy", "until": date(2024, 3, 9)}}


@pytest.mark.parametrize("facets", [True, False], ids=["facets", "no-facets"])
@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("name", TEXT_FILTERS)
def test_a_filter_that_matches_no_name_gives_an_empty_result(loaded, name: str, shape: str, facets: bool) -> None:
    query = ClaimQuery(**{**SHAPES[shape], name: "zzqx-nobody"}, facets=facets)  # a user's typo
    result = loaded.search_claims(query)
    assert (result.total, result.hits, result.next_cursor) == (0, [], None)
    assert all(not values for values in result.facets.values())
    assert loaded.claim_histogram(query, "day") == []


def test_a_source_that_matches_nothing_gives_no_articles(loaded) -> None:
    for text in ("", "harbor"):
        assert loaded.search_articles(ArticleQuery(text, source="zzqx-nowhere")).total == 0


# --- claims: facets and paging ---------------------------------------------------


def expected_facets(keep: Callable[[Claim, Article], bool]) -> dict[str, list[tuple[str, int]]]:
    counters: dict[str, Counter] = {k: Counter() for k in ("speakers", "entities", "stances", "sources", "languages")}
    for c, a in ALL_CLAIMS.values():
        if not keep(c, a):
            continue
        if c.speaker:
            counters["speakers"][c.speaker.canonical] += 1
        counters["entities"].update({e.canonical for e in c.entities})  # claims, not mentions
        counters["stances"][c.stance] += 1
        counters["sources"][a.source.name] += 1
        counters["languages"][a.language] += 1
    return {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:10] for k, v in counters.items()}


@pytest.mark.parametrize("query", [ClaimQuery(), ClaimQuery(stance="deny"), ClaimQuery("energy bill")],
                         ids=["all", "deny", "text"])
def test_facet_counts(loaded, query: ClaimQuery) -> None:
    words = query.text.split()
    keep = {
        "": lambda c, a: c.stance == "deny" if query.stance else True,
    }.get(query.text, lambda c, a: any(w in c.content.text for w in words))
    result = loaded.search_claims(query)
    assert {k: list(v) for k, v in result.facets.items()} == expected_facets(keep)
    assert result.total == len(claim_ids_where(keep))


def test_no_facets_when_not_asked(loaded) -> None:
    assert not loaded.search_claims(ClaimQuery(facets=False)).facets


@pytest.mark.parametrize("query", [ClaimQuery(limit=2), ClaimQuery("the energy bill city project", limit=1)],
                         ids=["newest-first", "ranked"])
def test_paging_visits_every_hit_exactly_once(loaded, query: ClaimQuery) -> None:
    first = loaded.search_claims(query)
    hits = search_all(loaded, query)
    assert len(hits) == len(set(ids(hits))) == first.total
    if not query.text:
        assert set(ids(hits)) == set(ALL_CLAIMS)
        published = [h.article.published or "" for h in hits]
        assert published == sorted(published, reverse=True)
        assert hits[-1].article.id == "a5"


def test_last_page_has_no_cursor(loaded) -> None:
    result = loaded.search_claims(ClaimQuery(limit=len(ALL_CLAIMS)))
    assert len(result.hits) == result.total == len(ALL_CLAIMS)
    assert result.next_cursor is None


BOUNDED = [ClaimQuery(limit=2), ClaimQuery(limit=2, facets=False), ClaimQuery("the energy bill city project", limit=2),
           ClaimQuery("the energy bill city project", limit=2, facets=False), ClaimQuery(speaker="a", limit=2),
           ClaimQuery(stance="assert", limit=2), ArticleQuery(limit=2)]


@pytest.mark.parametrize("query", BOUNDED, ids=["newest", "newest-export", "ranked", "ranked-export", "names",
                                                "stance", "articles"])
def test_a_total_is_exact_or_the_flagged_bound_and_paging_goes_past_it(loaded, monkeypatch, query) -> None:
    """With TOTAL_BOUND lowered under the matches, a total is either exact (a backend may know it for free) or
    the bound with total_exact false; up to the bound it is exact; paging visits every match either way."""
    from pipeline.index import base

    everything = search_all(loaded, query)
    monkeypatch.setattr(base, "TOTAL_BOUND", 3)
    assert len(everything) > 3
    search = loaded.search_claims if isinstance(query, ClaimQuery) else loaded.search_articles
    first = search(query)
    assert (first.total, first.total_exact) in {(len(everything), True), (3, False)}
    assert ids(search_all(loaded, query)) == ids(everything)
    monkeypatch.setattr(base, "TOTAL_BOUND", len(everything))
    assert (search(query).total, search(query).total_exact) == (len(everything), True)


# --- articles --------------------------------------------------------------------


def test_article_search_by_text(loaded) -> None:
    result = loaded.search_articles(ArticleQuery("harbor"))
    assert ids(result.hits) == ["a2"]
    assert result.hits[0].article.title == "Harbor project delayed"
    assert loaded.search_articles(ArticleQuery("ferries")).hits[0].article.id == "a4"  # title outranks text


def test_article_search_by_source_and_date(loaded) -> None:
    assert set(ids(search_all(loaded, ArticleQuery(source="planet", limit=1)))) == {"a1", "a4"}
    assert ids(search_all(loaded, ArticleQuery(source="metrotimes.example"))) == ["a3"]
    assert ids(search_all(loaded, ArticleQuery(since=date(2024, 3, 3), until=date(2024, 3, 5)))) == ["a3", "a2"]


def test_an_index_with_its_schema_exists(loaded) -> None:
    assert loaded.exists() is True


def test_counts(loaded) -> None:
    assert loaded.counts() == {"articles": len(CORPUS), "claims": len(ALL_CLAIMS)}


# --- Elasticsearch only: failures, outages, schema migration ---------------------


@pytest.fixture
def elastic(index_prefix: str) -> Iterator[object]:
    from uuid import uuid4

    backend = open_test_index("elastic", f"{index_prefix}{uuid4().hex[:6]}-")
    yield backend
    close_test_index(backend)


@pytest.mark.elastic
def test_refused_documents_come_back_as_failures(elastic) -> None:
    bad = replace(CORPUS[1], article=replace(CORPUS[1].article, published="not a date"))
    failures = elastic.upsert([CORPUS[0], bad])
    assert [f.article_id for f in failures] == ["a2"]
    assert "published" in failures[0].reason
    elastic.refresh()
    assert elastic.counts() == {"articles": 1, "claims": len(CORPUS[0].claims)}


@pytest.mark.elastic
def test_an_index_without_its_schema_does_not_exist_and_asking_creates_nothing(index_prefix: str) -> None:
    from uuid import uuid4

    from pipeline.config import IndexSettings
    from pipeline.index.elastic import ElasticIndex

    require_server("Elasticsearch", ES_HOST, ES_PORT)
    url = f"http://{ES_HOST}:{ES_PORT}"
    fresh = ElasticIndex(url, IndexSettings(url=url), prefix=f"{index_prefix}{uuid4().hex[:6]}-")
    try:
        assert fresh.exists() is False
        assert fresh.exists() is False  # the first look created nothing
    finally:
        fresh.close()


@pytest.mark.elastic
def test_unreachable_server_is_backend_unavailable() -> None:
    from pipeline.config import IndexSettings
    from pipeline.index.elastic import ElasticIndex

    url = "http://127.0.0.1:9"  # discard port: nothing listens on loopback
    down = ElasticIndex(url, IndexSettings(url=url), timeout_s=1.0)
    try:
        with pytest.raises(BackendUnavailable):
            down.upsert(CORPUS[:1])
        with pytest.raises(BackendUnavailable):
            down.search_claims(ClaimQuery("bill"))
    finally:
        down.close()


@pytest.mark.elastic
def test_facets_count_a_bounded_sample_of_the_best_matches(elastic, monkeypatch) -> None:
    """Over FACET_SAMPLE matches, facets count the best-scored ones, or the newest without words; totals stay exact."""
    from pipeline.index.elastic import queries

    elastic.upsert(CORPUS)
    elastic.refresh()
    monkeypatch.setattr(queries, "FACET_SAMPLE", 2)
    denials = elastic.search_claims(ClaimQuery(stance="deny"))  # a1 (March 1st), a2 (3rd), a3 (5th)
    assert denials.total == 3
    assert dict(denials.facets["sources"]) == {"Globe Herald": 1, "Metro Times": 1}
    ranked = elastic.search_claims(ClaimQuery("bill"))  # three claims
    assert ranked.total == 3
    assert sum(n for _, n in ranked.facets["stances"]) == 2
    everything = elastic.search_claims(ClaimQuery(all_copies=True, facets=False))  # the undated claim too
    assert everything.total == len(ALL_CLAIMS)


@pytest.mark.elastic
def test_mapping_version_bump_reindexes_and_swaps_the_alias(elastic) -> None:
    from pipeline.config import IndexSettings
    from pipeline.index.elastic import ElasticIndex
    from pipeline.index.elastic import mappings as m

    elastic.upsert(CORPUS)
    elastic.refresh()
    mappings = {**m.CLAIMS.mappings, "properties": {**m.CLAIMS.mappings["properties"], "extra": {"type": "keyword"}}}
    bumped = (replace(m.CLAIMS, version=m.CLAIMS.version + 1, mappings=mappings), m.ARTICLES)
    url = f"http://{ES_HOST}:{ES_PORT}"
    v2 = ElasticIndex(url, IndexSettings(url=url), prefix=elastic.prefix, schemas=bumped)
    try:
        v2.ensure_schema()
        v2.ensure_schema()  # idempotent once migrated
        v2.refresh()
        assert v2.indices() == {"claims": [f"{elastic.prefix}claims-v{m.CLAIMS.version + 1}"], "articles": [f"{elastic.prefix}articles-v{m.ARTICLES.version}"]}
        assert v2.counts() == {"articles": len(CORPUS), "claims": len(ALL_CLAIMS)}
        assert v2.search_claims(ClaimQuery("carbon emissions")).hits[0].claim.id == claim_id("a1", 0)
        assert v2.upsert(CORPUS[:1]) == []  # writes go through the swapped alias
    finally:
        v2.close()


def test_articles_are_counted_per_language(loaded) -> None:
    want = Counter(e.article.language for e in CORPUS)
    assert loaded.language_counts() == dict(sorted(want.items(), key=lambda kv: (-kv[1], kv[0])))
