"""The ClaimReview draft of a thread, through the API (``?format=claimreview``) and the CLI (``--claimreview``)."""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from test_assign import CLAIM_A, DENIAL_B  # noqa: E402

from pipeline.cli import thread_cmd  # noqa: E402
from pipeline.http import HttpOptions, create_app  # noqa: E402
from pipeline.index.base import ArticleRef  # noqa: E402
from pipeline.threads.assign import ThreadAssigner  # noqa: E402
from pipeline.threads.claimreview import FILL_IN, claim_review  # noqa: E402
from pipeline.threads.view import Entry, ThreadView  # noqa: E402

RATING = {"@type": "Rating", "ratingValue": "", "bestRating": "", "worstRating": "", "alternateName": "",
          "name": ""}


@pytest.fixture
def thread(index, make_article, decider):
    arts = [make_article("aaa", CLAIM_A, published="2024-05-01T10:00:00+00:00"),
            make_article("bbb", DENIAL_B, outlet="Globe Herald", published="2024-05-02T09:00:00+00:00")]
    assigner = ThreadAssigner(index, decider)
    for enriched in arts:
        index.upsert([enriched])
        assigner.assign([enriched])
    index.refresh()
    return index, arts


def check_draft(draft: dict, arts: list) -> None:
    """Each property Google's ClaimReview guidelines list, as the thread fills it or leaves it."""
    claim = arts[0].claims[0]
    assert draft["@context"] == "https://schema.org" and draft["@type"] == "ClaimReview"
    assert draft["claimReviewed"] == claim.content.text
    item = draft["itemReviewed"]
    assert item["@type"] == "Claim"
    speaker = claim.speaker
    assert speaker is not None
    assert item["author"] == {"@type": "Person" if speaker.label in (None, "PERSON") else "Organization",
                              "name": speaker.canonical}
    first, second = item["appearance"]
    assert first == {"@type": "CreativeWork", "url": arts[0].article.url, "headline": arts[0].article.title,
                     "publisher": {"@type": "Organization", "name": "Daily Planet"},
                     "datePublished": "2024-05-01T10:00:00+00:00"}
    assert second["url"] == arts[1].article.url and second["publisher"]["name"] == "Globe Herald"
    assert item["firstAppearance"] == first and item["datePublished"] == "2024-05-01T10:00:00+00:00"
    assert draft["url"].startswith(FILL_IN) and draft["datePublished"].startswith(FILL_IN)
    assert draft["author"]["@type"] == "Organization" and draft["author"]["name"].startswith(FILL_IN)
    assert draft["reviewRating"] == RATING


def test_the_api_answers_a_claimreview_draft(thread):
    index, arts = thread
    with TestClient(create_app(index, HttpOptions(rate_per_s=0)), raise_server_exceptions=False) as c:
        url = f"/api/claims/{arts[0].claims[0].id}/thread"
        answer = c.get(url, params={"format": "claimreview"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/ld+json")
        check_draft(answer.json(), arts)
        assert "agree" in c.get(url).json()  # the default is still the thread document
        bad = c.get(url, params={"format": "xml"})
        assert bad.status_code == 400 and "error" in bad.json()
        assert c.get("/api/claims/nope/thread", params={"format": "claimreview"}).status_code == 404


def test_the_cli_prints_the_same_draft(thread, capsys):
    index, arts = thread
    parser = argparse.ArgumentParser()
    thread_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["thread", arts[0].claims[0].id, "--claimreview"])
    assert thread_cmd.run(args, SimpleNamespace(index=index)) == 0
    check_draft(json.loads(capsys.readouterr().out), arts)


def test_an_unattributed_claim_asks_for_its_author_and_each_article_appears_once():
    one = ArticleRef("a1", "Headline", "https://x.test/1", None, "")
    two = ArticleRef("a2", "Earlier", "https://x.test/2", "2024-01-01T00:00:00+00:00", "Outlet")
    view = ThreadView(None, "Some claim", None, (Entry(one, "agree", None), Entry(one, "discuss", None),
                                                 Entry(two, "disagree", None)), 2, 2, 1)
    draft = claim_review(view)
    item = draft["itemReviewed"]
    assert item["author"]["name"].startswith(FILL_IN) and draft["claimReviewed"] == "Some claim"
    assert [w["url"] for w in item["appearance"]] == ["https://x.test/2", "https://x.test/1"]
    assert "publisher" not in item["appearance"][1] and "datePublished" not in item["appearance"][1]
