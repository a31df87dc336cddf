"""The embedded index's clause table: each kind of clause finds what it says, on real tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from invented import invented_article

from pipeline.index.base import ArticleQuery, ClaimQuery
from pipeline.index.sqlite import SqliteIndex, clauses
from pipeline.records import claim_id

ARTICLES = [
    invented_article("a1", "Daily Planet", "https://planet.example/a1", "2024-03-01T09:00:00Z", "One", [
        ("Jake Sullivan", "Sullivan", "assert", False, "the bill passed", [])]),
    invented_article("a2", "Planet Weekly", "https://weekly.example/a2", "2024-03-02T09:00:00Z", "Two", [
        ("Maria Lopez", "Lopez", "deny", False, "the bill failed", [])]),
]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SqliteIndex]:
    idx = SqliteIndex(tmp_path / "index.db")
    assert idx.upsert(ARTICLES) == []
    yield idx
    idx.close()


def article_ids(index: SqliteIndex, query: ArticleQuery) -> set[str]:
    return {h.article.id for h in index.search_articles(query).hits}  # type: ignore[union-attr]


def test_contains_finds_a_part_of_any_column_any_case(index: SqliteIndex) -> None:
    assert article_ids(index, ArticleQuery(source="PLANET")) == {"a1", "a2"}
    assert article_ids(index, ArticleQuery(source="weekly.example")) == {"a2"}
    assert article_ids(index, ArticleQuery(source="50%")) == set()  # LIKE wildcards are literal


def test_equals_finds_the_exact_value_only(index: SqliteIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(clauses.ARTICLE_CLAUSES, "source", clauses.Equals("a.source_name"))
    assert article_ids(index, ArticleQuery(source="Daily Planet")) == {"a1"}
    assert article_ids(index, ArticleQuery(source="Planet")) == set()


def test_a_tag_alone_or_beside_words_finds_the_same_claims(index: SqliteIndex) -> None:
    alone = index.search_claims(ClaimQuery(stance="deny"))
    with_words = index.search_claims(ClaimQuery(text="bill", stance="deny"))
    assert [h.claim.id for h in alone.hits] == [h.claim.id for h in with_words.hits] == [claim_id("a2", 0)]  # type: ignore[union-attr]
