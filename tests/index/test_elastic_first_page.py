"""Paging on from a first page fetched in a multi-search (``threads._all(first=...)``), on a fake client."""

from __future__ import annotations

from typing import Any

from pipeline.index.elastic import threads


class FakeEs:
    """Hits 0 … n-1 sorted by number, served a page at a time through search_after."""

    def __init__(self, n: int) -> None:
        self.hits = [{"_source": {"n": i}, "sort": [i]} for i in range(n)]
        self.calls = 0

    def search(self, index: str, **body: Any) -> dict[str, Any]:
        self.calls += 1
        start = body["search_after"][0] + 1 if "search_after" in body else 0
        return {"hits": {"hits": self.hits[start:start + body["size"]]}}


def test_a_short_first_page_is_every_hit_without_a_request() -> None:
    es = FakeEs(5)
    assert threads._all(es, "x", {}, sort=[], first=es.hits) == es.hits  # type: ignore[arg-type]
    assert es.calls == 0


def test_a_full_first_page_pages_on_from_its_last_hit() -> None:
    es = FakeEs(threads._PAGE * 2 + 3)
    got = threads._all(es, "x", {}, sort=[], first=es.hits[:threads._PAGE])  # type: ignore[arg-type]
    assert got == es.hits and es.calls == 2
    assert threads._all(FakeEs(7), "x", {}, sort=[]) == FakeEs(7).hits  # type: ignore[arg-type]
