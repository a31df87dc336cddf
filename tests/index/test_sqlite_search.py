"""The embedded index's search strategy: upgrades of old files, capped candidates, common words, windows.

Expected values come from the corpus through plain Python; the limits are
shrunk with monkeypatch so a small corpus exercises them.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from pipeline.index.base import FACET_SIZE, ClaimQuery
from pipeline.index.sqlite import SqliteIndex
from pipeline.index.sqlite import facets as sqlite_facets
from pipeline.index.sqlite import queries as sqlite_read
from pipeline.index.sqlite import schema as sqlite_schema
from pipeline.index.sqlite.documents import NAME_SEPARATOR
from pipeline.records import to_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import all_claims, corpus  # noqa: E402

# The first layout (wide claim rows holding the records), as older versions wrote it.
V1_SCHEMA = """
CREATE TABLE articles(rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT, url TEXT, source_name TEXT,
    source_domain TEXT, published TEXT, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, source, tokenize='porter unicode61');
CREATE TABLE claims(rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL, speaker_text TEXT,
    speaker_canonical TEXT, stance TEXT NOT NULL, quote INTEGER NOT NULL, source_name TEXT,
    source_domain TEXT, published TEXT, doc TEXT NOT NULL);
CREATE INDEX claims_by_article ON claims(article_id);
CREATE INDEX claims_by_speaker ON claims(speaker_canonical COLLATE NOCASE);
CREATE TABLE claim_entities(claim_rid INTEGER NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX claim_entities_by_claim ON claim_entities(claim_rid);
CREATE INDEX claim_entities_by_name ON claim_entities(name COLLATE NOCASE);
CREATE VIRTUAL TABLE claims_fts USING fts5(content, sentence, speaker, tokenize='porter unicode61');
"""


def write_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    for enriched in corpus():
        a = enriched.article
        conn.execute("INSERT INTO articles(id, title, url, source_name, source_domain, published, doc)"
                     " VALUES (?,?,?,?,?,?,?)", (a.id, a.title, a.url, a.source.name, a.source.domain,
                                                 a.published, json.dumps(to_dict(a))))
        for c in enriched.claims:
            conn.execute("INSERT INTO claims(id, article_id, speaker_text, speaker_canonical, stance, quote,"
                         " source_name, source_domain, published, doc) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (c.id, a.id, c.speaker.text if c.speaker else None,
                          c.speaker.canonical if c.speaker else None, c.stance, int(c.quote), a.source.name,
                          a.source.domain, a.published, json.dumps(to_dict(c))))
    conn.commit()
    conn.close()


def test_an_old_file_is_upgraded_in_place(tmp_path: Path) -> None:
    write_v1(tmp_path / "index.db")
    index = SqliteIndex(tmp_path / "index.db")
    try:
        assert index.counts() == {"articles": len(corpus()), "claims": len(all_claims())}
        got = index.search_claims(ClaimQuery("drones", speaker="sullivan"))
        want = {c.id for c, _ in all_claims() if c.speaker and "Sullivan" in c.speaker.canonical
                and "drone" in c.content.text}
        assert {h.claim.id for h in got.hits} == want
        first = corpus()[0]
        assert index.get_article(first.article.id).claims == first.claims  # type: ignore[union-attr]
    finally:
        index.close()
    assert sqlite3.connect(tmp_path / "index.db").execute("PRAGMA user_version").fetchone()[0] == sqlite_schema.VERSION


def test_facets_count_the_best_candidates_and_the_total_stays_exact(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_read, "CANDIDATES", 3)
    result = index.search_claims(ClaimQuery(""))
    newest = sorted(all_claims(), key=lambda ca: (ca[1].published or "", -int(ca[0].id[-4:])), reverse=True)
    assert result.total == len(all_claims())
    assert sum(n for _, n in result.facets["stances"]) == 3
    assert [h.claim.id for h in result.hits] == [c.id for c, _ in newest[:10]]  # pages past the candidates too


def test_pages_follow_one_order_past_the_candidates(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_read, "CANDIDATES", 3)
    seen, after = [], None
    while True:
        page = index.search_claims(ClaimQuery("", limit=2, after=after))
        seen += [h.claim.id for h in page.hits]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(c.id for c, _ in all_claims()) and len(seen) == len(set(seen))


def test_a_word_in_most_claims_stops_ranking_on_a_large_index(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_read, "COMMON_WORD_MIN_CLAIMS", 1)
    common = "said"  # every sentence of the corpus has it
    assert index.search_claims(ClaimQuery(common)).total == len(all_claims())  # alone it still matches
    drones = {c.id for c, _ in all_claims() if "drone" in c.content.text or "drone" in c.sentence.text}
    result = index.search_claims(ClaimQuery(f"{common} drones"))
    assert {h.claim.id for h in result.hits} == drones and result.total == len(drones)


def test_a_window_bounds_ranking_for_the_page_but_not_for_exports(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_read, "RANK_WINDOW", 2)
    harbor = [c.id for c, _ in all_claims() if "harbor" in f"{c.content.text} {c.sentence.text}".lower()]
    page = index.search_claims(ClaimQuery("harbor", limit=10))
    assert page.total == len(harbor) and len(page.hits) == 2 and page.next_cursor is None
    assert {h.claim.id for h in page.hits} == set(sorted(harbor)[-2:])  # the newest two matches
    export = index.search_claims(ClaimQuery("harbor", limit=10, facets=False))
    assert sorted(h.claim.id for h in export.hits) == sorted(harbor)


def test_hits_in_a_rank_window_are_highlighted_as_outside_one(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_read, "RANK_WINDOW", 2)
    page = index.search_claims(ClaimQuery("harbor closed", limit=10))  # the highlights walk from the window's start
    export = {h.claim.id: h.highlight for h in index.search_claims(ClaimQuery("harbor closed", facets=False)).hits}
    assert len(page.hits) == 2 and len(export) > 2
    assert all(h.highlight == export[h.claim.id] and "[[harbor]]" in (h.highlight or "") for h in page.hits)


def test_a_window_with_dates_ranks_the_newest_matches_in_range(index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_read, "RANK_WINDOW", 2)
    in_range = [c.id for c, a in all_claims() if "harbor" in f"{c.content.text} {c.sentence.text}".lower()
                and "2024-03-05" <= (a.published or "") < "2024-05"]
    page = index.search_claims(ClaimQuery("harbor", since=date(2024, 3, 5), until=date(2024, 4, 30)))
    assert len(in_range) > 2 and page.total == len(in_range)  # the total stays exact
    assert {h.claim.id for h in page.hits} == set(sorted(in_range)[-2:]) and page.next_cursor is None


@pytest.mark.parametrize("value", ["%", "_", "\\\\"])
def test_like_wildcards_in_filters_are_literal(index, value: str) -> None:  # type: ignore[no-untyped-def]
    assert index.search_claims(ClaimQuery("", speaker=value)).total == 0
    assert index.search_claims(ClaimQuery("", source=value)).total == 0


def test_claim_rows_keep_entity_names_for_facets(index) -> None:  # type: ignore[no-untyped-def]
    result = index.search_claims(ClaimQuery("", entity="russia"))
    want = [c for c, _ in all_claims() if any(e.canonical == "Russia" for e in c.entities)]
    assert result.total == len(want) and dict(result.facets["entities"])["Russia"] == len(want)
    assert asdict(result.hits[0].claim.entities[0])  # the records come back whole


def test_a_shared_cache_answers_repeats_until_any_write(tmp_path: Path) -> None:
    from pipeline.index.result_cache import ResultCache
    from pipeline.index.threaded import PerThreadIndex

    cache = ResultCache()
    index = PerThreadIndex(lambda: SqliteIndex(tmp_path / "index.db", cache=cache))
    writer = SqliteIndex(tmp_path / "index.db")  # another process, as the indexer is
    try:
        writer.upsert(corpus()[:2])
        first = index.search_claims(ClaimQuery("harbor"))
        assert index.search_claims(ClaimQuery("harbor")) is first and cache.hits == 1
        writer.upsert(corpus()[2:])  # new matches: the cached answer is stale
        fresh = index.search_claims(ClaimQuery("harbor"))
        want = {c.id for c, _ in all_claims() if "harbor" in f"{c.content.text} {c.sentence.text}".lower()}
        assert {h.claim.id for h in fresh.hits} == want and fresh.total > first.total
    finally:
        writer.close()
        index.close()


def test_facets_keep_the_top_values_by_count_then_name_when_ties_cross_the_cut() -> None:
    speakers = [f"speaker {i % 23}" for i in range(300)] + ["speaker 7"] * 5 + ["speaker 3"] * 5
    entities = [NAME_SEPARATOR.join(sorted({f"e{i % 13}", f"e{i % 17}"})) for i in range(len(speakers))]
    rows = [(i, 0.0, s, "assert" if i % 3 else "deny", None, e or None, "fr" if i % 4 else "en")
            for i, (s, e) in enumerate(zip(speakers, entities, strict=True))]
    got = sqlite_facets.facets(rows)

    def top(values: list[str]) -> list[tuple[str, int]]:
        counted: dict[str, int] = {}
        for v in values:
            counted[v] = counted.get(v, 0) + 1
        return sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]

    assert got["speakers"] == top(speakers)
    assert got["entities"] == top([n for e in entities for n in e.split(NAME_SEPARATOR)])
    assert got["stances"] == top(["assert" if i % 3 else "deny" for i in range(len(speakers))])
    assert got["sources"] == []
    assert got["languages"] == top(["fr" if i % 4 else "en" for i in range(len(speakers))])
    counts = sorted((speakers.count(s) for s in set(speakers)), reverse=True)
    assert counts[FACET_SIZE - 1] == counts[FACET_SIZE]  # the cut falls inside a tie: the names decide
