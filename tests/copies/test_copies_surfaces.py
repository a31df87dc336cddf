"""Wire copies where users see them: the query flag, JSON, the CLI listing, the API and page, thread counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from copies_stories import COPY, ORIGINAL, OTHER
from fastapi.testclient import TestClient

from pipeline import search
from pipeline.cli.search_cmd import format_claims
from pipeline.copies.detect import CopyDetector
from pipeline.errors import InputError
from pipeline.http import HttpOptions, create_app
from pipeline.index.base import ThreadLink
from pipeline.index.sqlite import SqliteIndex
from pipeline.runtime.prometheus import PrometheusSensor
from pipeline.threads.view import summarize, thread_for_claim


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SqliteIndex]:
    idx = SqliteIndex(tmp_path / "index.db")
    batch = [ORIGINAL, COPY, OTHER]
    idx.upsert(batch)
    CopyDetector(idx).mark([e.article for e in batch])
    yield idx
    idx.close()


@pytest.fixture
def client(index: SqliteIndex) -> Iterator[TestClient]:
    with TestClient(create_app(index, HttpOptions(rate_per_s=0), PrometheusSensor())) as c:
        yield c


def test_copies_all_shows_each_and_anything_else_is_refused() -> None:
    assert search.claim_query("x", copies="all").all_copies and not search.claim_query("x").all_copies
    assert search.article_query(copies="all").all_copies
    with pytest.raises(InputError, match="copies"):
        search.claim_query("x", copies="some")


def test_the_cli_listing_says_also_in_n_outlets_with_links(index: SqliteIndex) -> None:
    text = format_claims(index.search_claims(search.claim_query('"harbor reopens"')))
    assert "also in 1 outlet: Daily Planet" in text and COPY.article.url in text
    assert "also in" not in format_claims(index.search_claims(search.claim_query('"harbor reopens"', copies="all")))


def test_the_api_collapses_by_default_and_copies_all_shows_each(client: TestClient) -> None:
    collapsed = client.get("/api/claims", params={"q": '"harbor reopens"'}).json()
    assert [h["article"]["id"] for h in collapsed["hits"]] == ["orig"]
    assert [c["id"] for c in collapsed["hits"][0]["copies"]] == ["copy"]
    every = client.get("/api/claims", params={"q": '"harbor reopens"', "copies": "all"}).json()
    assert sorted(h["article"]["id"] for h in every["hits"]) == ["copy", "orig"]
    assert client.get("/api/articles", params={"copies": "all"}).json()["total"] == 3
    assert client.get("/api/claims", params={"copies": "bad"}).status_code == 400


def test_the_page_shows_one_card_with_its_copies(client: TestClient) -> None:
    page = client.get("/", params={"q": '"harbor reopens"'}).text
    assert page.count('class="card"') == 1 and "also in 1 outlet" in page and COPY.article.url in page
    assert client.get("/", params={"q": '"harbor reopens"', "copies": "all"}).text.count('class="card"') == 2


def test_threads_count_outlets_reporting_apart_from_those_copying() -> None:
    links = [ThreadLink(f"c{n}", aid, "c0", "agree", source=src)
             for n, (aid, src) in enumerate([("a", "Wire"), ("b", "Times"), ("x", "Daily"), ("y", "Herald"),
                                             ("z", "Times")])]
    summary = summarize("c0", links, copies={"x", "y", "z"})
    assert (summary.outlets, summary.copied_by) == (2, 2)  # Times reports itself: not counted as copying


def test_a_thread_view_counts_the_copy_apart(index: SqliteIndex) -> None:
    [claim] = ORIGINAL.claims
    [copied] = COPY.claims
    index.put_thread_links([ThreadLink(claim.id, "orig", claim.id, "agree", source="Wire Service"),
                            ThreadLink(copied.id, "copy", claim.id, "agree", source="Daily Planet")])
    view = thread_for_claim(index, claim.id)
    assert (view.outlets, view.copied_by) == (1, 1)
