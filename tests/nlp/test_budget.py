"""The NLP budget: each cap, at its boundary, and what an article past it gets (no claims, a reason)."""

from __future__ import annotations

import pytest

from pipeline.config import NlpSettings
from pipeline.nlp.budget import long_run

CLAIM = "The minister said on Monday that the bridge would open in June."
CAPS = NlpSettings(max_run_chars=40, max_tokens=200, max_sentence_tokens=30)


@pytest.fixture(scope="module")
def capped():
    pytest.importorskip("spacy")
    from pipeline.nlp.enricher import Enricher

    return Enricher(CAPS)


def assess(enricher, text):
    [analysis] = enricher.assess([("t", text)])
    return analysis


def test_the_default_run_cap_refuses_the_200k_quotes_before_the_tokenizer():
    assert long_run('"' * 200_000, NlpSettings().max_run_chars) is not None
    assert long_run("a few ordinary words, https://example.com/a/b?c=d", NlpSettings().max_run_chars) is None


def test_run_cap_boundary_counts_characters_between_whitespace():
    assert long_run("x " + "(" * 40 + "\n y", 40) is None
    assert "41 characters" in long_run("x\t" + "(" * 41 + " y", 40)


def test_a_run_past_the_cap_gets_no_entities_no_claims_and_names_the_cap(capped):
    within = assess(capped, f"{CLAIM} {'x' * 40}")
    assert within.over_budget is None and within.claims
    over = assess(capped, f"{CLAIM} {'x' * 41}")
    assert over.claims == [] and over.entities == []
    assert "max_run_chars 40" in over.over_budget


def test_too_many_tokens_gets_no_claims_and_names_the_cap(capped):
    sentence = "Mr. Smith said the plan would fail. "  # 9 tokens (with the trailing space's none)
    over = assess(capped, CLAIM + " " + sentence * 25)
    assert over.claims == [] and over.entities == []
    assert "max_tokens 200" in over.over_budget


def test_a_long_sentence_keeps_the_entities_but_gets_no_claims(capped):
    long_sentence = "Officials in Paris said that " + " ".join(["the plan"] * 14) + " would fail."
    over = assess(capped, f"{CLAIM} {long_sentence}")
    assert over.claims == [] and "max_sentence_tokens 30" in over.over_budget
    assert {e.text for e in over.entities} >= {"Paris"}


def test_within_every_cap_the_claims_are_those_of_the_unbudgeted_extractor(capped, claims_of):
    text = f"{CLAIM} Officials in Paris denied that the plan had failed."
    analysis = assess(capped, text)
    assert analysis.over_budget is None
    assert [c.content.text for c in analysis.claims] == [c.content.text for c in claims_of(text)]
    assert len(analysis.claims) == 2


def test_the_articles_of_a_batch_keep_their_order_around_refused_ones(capped):
    results = list(capped.assess([("a", CLAIM), ("b", '"' * 100), ("c", CLAIM.replace("minister", "mayor"))]))
    assert [r.over_budget is None for r in results] == [True, False, True]
    assert "mayor" in results[2].claims[0].speaker.text
