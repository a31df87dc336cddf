"""Filters as FTS5 tags in the embedded index: the same matches as checks on the claim rows, and files
of layout 2 (no tags) upgraded in place.

Expected values come from the corpus through plain Python.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pipeline.index.base import ClaimQuery
from pipeline.index.sqlite import SqliteIndex
from pipeline.index.sqlite import schema as sqlite_schema
from pipeline.index.sqlite import tags as sqlite_tags
from pipeline.records import Article, Claim

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import all_claims, corpus  # noqa: E402


def _said(c: Claim) -> str:
    return f"{c.content.text} {c.sentence.text if c.sentence else ''}".lower()


def _speaker(c: Claim, part: str) -> bool:
    return bool(c.speaker) and any(part.lower() in n.lower() for n in (c.speaker.canonical, c.speaker.text))


CASES: list[tuple[ClaimQuery, Callable[[Claim, Article], bool]]] = [
    (ClaimQuery("", speaker="sullivan"), lambda c, a: _speaker(c, "sullivan")),
    (ClaimQuery("", speaker="Lopez", stance="assert"), lambda c, a: _speaker(c, "lopez") and c.stance == "assert"),
    (ClaimQuery("", entity="authority"),
     lambda c, a: any("authority" in f"{e.canonical} {e.text}".lower() for e in c.entities)),
    (ClaimQuery("", source="globeherald"), lambda c, a: "globeherald" in a.source.domain),
    (ClaimQuery("harbor", source="planet"), lambda c, a: "harbor" in _said(c) and "Planet" in a.source.name),
    (ClaimQuery("drones", speaker="Sullivan", since=date(2024, 3, 5), until=date(2024, 3, 31)),
     lambda c, a: "drones" in _said(c) and _speaker(c, "sullivan") and "2024-03-05" <= (a.published or "") < "2024-04"),
    (ClaimQuery("harbor", stance="deny"), lambda c, a: "harbor" in _said(c) and c.stance == "deny"),
    (ClaimQuery("", speaker="nobody at all"), lambda c, a: False),
]


def _ids(index: SqliteIndex, query: ClaimQuery) -> tuple[int, set[str]]:
    result = index.search_claims(query)
    return result.total, {h.claim.id for h in result.hits}


@pytest.mark.parametrize("max_tokens", [sqlite_tags.MAX_TOKENS, 0], ids=["tags", "claim-rows"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_filters_find_the_same_claims_as_tags_or_on_the_rows(index, monkeypatch, case: int,  # type: ignore[no-untyped-def]
                                                            max_tokens: int) -> None:
    monkeypatch.setattr(sqlite_tags, "MAX_TOKENS", max_tokens)  # 0: every name filter is checked on the rows
    monkeypatch.setattr(sqlite_tags, "MAX_TOKENS_BESIDE", max_tokens and sqlite_tags.MAX_TOKENS_BESIDE)
    query, keep = CASES[case]
    want = {c.id for c, a in all_claims() if keep(c, a)}
    assert _ids(index, query) == (len(want), want)


def test_search_words_never_match_the_tags(index) -> None:  # type: ignore[no-untyped-def]
    tag = sqlite_tags.token("speaker", "Jake Sullivan")
    assert index.search_claims(ClaimQuery(tag)).total == 0
    assert index.search_claims(ClaimQuery("", speaker="Jake Sullivan")).total == 2


# What layouts before 5 lacked: the day counts and their triggers.
WITHOUT_DAYS = """
    DROP TRIGGER claims_counted; DROP TRIGGER claims_uncounted; DROP TRIGGER claims_recounted;
    DROP TABLE claim_days;
"""


def _downgrade_to_layout_2(path: Path) -> None:
    """The claims' FTS table as layout 2 had it: no tags column."""
    conn = sqlite3.connect(path)
    conn.executescript(WITHOUT_DAYS + """
        CREATE VIRTUAL TABLE old_fts USING fts5(content, sentence, speaker, tokenize='porter unicode61');
        INSERT INTO old_fts(rowid, content, sentence, speaker) SELECT rowid, content, sentence, speaker FROM claims_fts;
        DROP TABLE claims_fts;
        ALTER TABLE old_fts RENAME TO claims_fts;
        PRAGMA user_version=2;
    """)
    conn.commit()
    conn.close()


def test_a_layout_2_file_gets_its_tags_in_place(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    SqliteIndex(path).upsert(corpus())
    _downgrade_to_layout_2(path)
    index = SqliteIndex(path)
    try:
        for query, keep in CASES:
            want = {c.id for c, a in all_claims() if keep(c, a)}
            assert _ids(index, query) == (len(want), want)
    finally:
        index.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == sqlite_schema.VERSION
    assert "tags" in {row[1] for row in conn.execute("PRAGMA table_info(claims_fts)")}


def _downgrade_to_layout_3(path: Path, languages: set[str]) -> None:
    """As layout 3 had it: no language columns, no language tags."""
    conn = sqlite3.connect(path)
    conn.executescript(WITHOUT_DAYS + """
        DROP INDEX claims_by_language;
        ALTER TABLE claims DROP COLUMN language;
        ALTER TABLE articles DROP COLUMN language;
        PRAGMA user_version=3;
    """)
    for language in languages:
        conn.execute("UPDATE claims_fts SET tags = trim(replace(tags, ?, ''))", (sqlite_tags.token("language", language),))
    conn.commit()
    conn.close()


def test_a_layout_3_file_gets_the_language_in_place(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    articles = corpus()
    articles[0] = replace(articles[0], article=replace(articles[0].article, language="fr"))
    SqliteIndex(path).upsert(articles)
    _downgrade_to_layout_3(path, {"fr", "en"})
    index = SqliteIndex(path)
    try:
        french = {c.id for c in articles[0].claims}
        assert french and _ids(index, ClaimQuery("", language="fr")) == (len(french), french)
        speaker = articles[0].claims[0].speaker
        assert speaker is not None  # beside a name filter the language is matched as a tag
        beside = {c.id for c in articles[0].claims if c.speaker and c.speaker.canonical == speaker.canonical}
        assert _ids(index, ClaimQuery("", speaker=speaker.canonical, language="fr"))[1] >= beside
        assert index.search_claims(ClaimQuery("", speaker=speaker.canonical, language="de")).total == 0
    finally:
        index.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == sqlite_schema.VERSION
    assert conn.execute("SELECT COUNT(*) FROM claims WHERE language IS NULL").fetchone()[0] == 0
