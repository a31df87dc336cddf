"""Words found in most claims stop ranking on a large index, on both backends alike; how the
Elasticsearch side remembers its word counts.

Expected values come from the corpus through plain Python; the size threshold is
shrunk with monkeypatch so a small corpus is "large".
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.index import query
from pipeline.index.base import ClaimQuery
from pipeline.index.elastic.words import WordFrequencies
from pipeline.index.sqlite import queries as sqlite_read

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import all_claims, corpus  # noqa: E402


@pytest.fixture
def large(index, monkeypatch):  # type: ignore[no-untyped-def]
    """The corpus in each backend, with every index counting as large."""
    monkeypatch.setattr(query, "COMMON_WORD_MIN_CLAIMS", 1)
    monkeypatch.setattr(sqlite_read, "COMMON_WORD_MIN_CLAIMS", 1)
    assert index.upsert(corpus()) == []
    index.refresh()
    return index


def test_a_word_in_most_claims_stops_ranking(large) -> None:  # type: ignore[no-untyped-def]
    assert large.search_claims(ClaimQuery("said")).total == len(all_claims())  # alone it still matches
    drones = {c.id for c, _ in all_claims() if "drone" in f"{c.content.text} {c.sentence.text}".lower()}
    result = large.search_claims(ClaimQuery("said drones"))  # every sentence says "said"
    assert {h.claim.id for h in result.hits} == drones and result.total == len(drones)
    histogram = large.claim_histogram(ClaimQuery("said drones"), "month")
    assert sum(n for _, n in histogram) == len(drones)


class _CountingServer:
    """A stand-in for the client: 100 claims, and the document frequencies it is given."""

    def __init__(self, frequencies: dict[str, int]) -> None:
        self.frequencies, self.calls = frequencies, 0

    def count(self, index: str) -> dict[str, int]:
        return {"count": 100}

    def mtermvectors(self, docs: list[dict], index: str = "") -> dict[str, list]:
        self.calls += 1
        return {"docs": [{"term_vectors": {f: {"terms": {w: {"doc_freq": self.frequencies.get(w)}}}
                                           for f in d["fields"]}} for d in docs for w in [d["doc"]["content"]]]}


def test_word_counts_are_remembered_for_a_while(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(query, "COMMON_WORD_MIN_CLAIMS", 1)
    now = [0.0]
    server = _CountingServer({"common": 80, "rare": 3})
    words = WordFrequencies(server, "claims", ("content^4", "sentence"), ttl_s=60, clock=lambda: now[0])
    assert words.ranking([], ["common", "rare"]) == ["rare"]
    assert words.ranking([], ["common"]) == ["common"]  # alone it stays
    assert words.ranking(["a phrase"], ["common"]) == []  # the phrase matches alone
    assert server.calls == 1
    server.frequencies["rare"] = 90  # the index changed
    now[0] = 61.0
    assert words.ranking([], ["common", "rare"]) == ["common", "rare"] and server.calls == 2
