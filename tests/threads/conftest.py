"""Fixtures for the thread tests: the NLP stage's Enricher and the stance decider, loaded once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline.config import NlpSettings
from pipeline.records import Article, EnrichedArticle, Source
from pipeline.threads.body import Body
from pipeline.threads.decide import StanceDecider


@pytest.fixture(scope="session")
def enricher():
    pytest.importorskip("spacy")
    from pipeline.nlp.enricher import Enricher

    return Enricher(NlpSettings())


@pytest.fixture(scope="session")
def decider() -> StanceDecider:
    return StanceDecider()


@pytest.fixture(scope="session")
def body_of(enricher, decider) -> Callable[[str], Body]:
    """A text parsed by the NLP stage and prepared for decisions."""

    def prepare(text: str) -> Body:
        entities, claims = next(enricher.analyse([("b", text)]))
        return decider.prepare(text, claims, entities)

    return prepare


@pytest.fixture(scope="session")
def make_article(enricher) -> Callable[..., EnrichedArticle]:
    """An enriched article from a text, through the NLP stage."""

    def make(article_id: str, text: str, outlet: str = "Daily Planet",
             published: str = "2024-05-01T10:00:00Z") -> EnrichedArticle:
        a = Article(article_id, f"https://{outlet.lower().replace(' ', '')}.example/{article_id}",
                    f"https://{outlet.lower().replace(' ', '')}.example/{article_id}", Source(outlet, "x.example"),
                    text.split(".")[0][:80], text, published=published)
        return enricher.enrich([a])[0]

    return make
