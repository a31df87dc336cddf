"""Threads over HTTP (``/api/claims/{id}/thread``, ``/api/thread``, the thread page and the card line),
on both index backends."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from test_assign import CLAIM_A, DENIAL_B, OTHER_C  # noqa: E402

from pipeline.http import HttpOptions, create_app  # noqa: E402
from pipeline.threads.assign import ThreadAssigner  # noqa: E402


@pytest.fixture
def client(index, make_article, decider):
    arts = [make_article("aaa", CLAIM_A), make_article("bbb", DENIAL_B, outlet="Globe <Herald>"),
            make_article("ccc", OTHER_C, outlet="Metro Times")]
    assigner = ThreadAssigner(index, decider)
    for enriched in arts:
        index.upsert([enriched])
        assigner.assign([enriched])
    index.refresh()
    with TestClient(create_app(index, HttpOptions(rate_per_s=0)), raise_server_exceptions=False) as c:
        yield c, arts


def test_claim_thread_api(client) -> None:
    c, arts = client
    claim_a = arts[0].claims[0]
    denial = next(cl for cl in arts[1].claims if cl.stance == "deny")
    body = c.get(f"/api/claims/{claim_a.id}/thread").json()
    assert [e["claim"]["id"] for e in body["disagree"]] == [denial.id]
    assert body["disagree"][0]["denies"] == [claim_a.id]
    assert body["outlets"] == 2 and body["denied_by"] == 1
    missing = c.get("/api/claims/nope/thread")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]


def test_text_thread_api(client) -> None:
    c, arts = client
    body = c.get("/api/thread", params={"text": "Iran plans to sell drones to Russia"}).json()
    related = {e["article"]["id"] for s in ("agree", "disagree", "discuss") for e in body[s]}
    assert related == {"aaa", "bbb"} and body["thread"] is None
    for bad in ("", "   ", "x" * 5000):
        r = c.get("/api/thread", params={"text": bad})
        assert r.status_code == 400 and "error" in r.json()


def test_card_line_opens_the_escaped_thread_page(client) -> None:
    c, arts = client
    claim_a = arts[0].claims[0]
    page = c.get("/", params={"q": "Iran drones Russia"}).text
    assert f'href="/claims/{claim_a.id}/thread">reported by 2 outlets · denied by 1</a>' in page
    thread = c.get(f"/claims/{claim_a.id}/thread")
    assert thread.status_code == 200
    assert "Globe &lt;Herald&gt;" in thread.text and "Globe <Herald>" not in thread.text
    assert "denied by 1" in thread.text
    assert c.get("/claims/nope/thread").status_code == 404
