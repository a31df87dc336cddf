"""The seed article (Iranian drones for Russia): every attributed claim, speaker and stance pinned."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.records import claim_id

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f319ce151999f482.txt"


@pytest.fixture(scope="module")
def seed(claims_of):
    text = SEED.read_text(encoding="utf-8")
    return text, claims_of(text, "seed000")


def find(claims, words: str):
    """The claims whose content contains ``words``."""
    return [c for c in claims if words in c.content.text]


def only(claims, words: str):
    found = find(claims, words)
    assert len(found) == 1, [(c.cue.text, c.content.text[:60]) for c in found]
    return found[0]


def test_spans_ids_and_order(seed):
    text, claims = seed
    assert len(claims) >= 12
    for i, c in enumerate(claims):
        assert c.ordinal == i and c.id == claim_id("seed000", i)
        for span in (c.speaker, c.cue, c.content, c.sentence):
            if span is not None:
                assert text[span.start:span.end] == span.text
        assert c.sentence.start <= c.cue.start < c.sentence.end
    assert [c.content.start for c in claims] == sorted(c.content.start for c in claims)


def test_us_claim_of_drone_sales(seed):
    c = only(seed[1], "Iran is planning to sell")
    assert c.speaker.canonical == "United States" and c.stance == "assert"
    assert {e.text for e in c.entities} >= {"Iran", "Russia"}


def test_tehran_rejection_is_deny(seed):
    c = [c for c in seed[1] if c.cue.lemma == "reject"][0]
    assert c.speaker.canonical == "Tehran" and c.stance == "deny"


def test_sullivan_statements(seed):
    wants = only(seed[1], "Iran wants to sell weapons-capable")
    training = only(seed[1], "Iran is training Russian forces")
    unclear = only(seed[1], "it is unclear if any drones")
    for c in (wants, training, unclear):
        assert c.speaker.canonical == "Jake Sullivan" and c.speaker.label == "PERSON"
        assert c.stance == "assert" and c.quote is False
    assert wants.speaker.text == "Jake Sullivan" and training.speaker.text == "Sullivan"
    assert training.cue.lemma == "claim" and unclear.cue.lemma == "say"


def test_amirabdollahian_denies_us_claims(seed):
    c = [c for c in seed[1] if c.cue.lemma == "deny"][0]
    assert c.speaker.canonical == "Hossein Amirabdollahian" and c.stance == "deny"
    assert "the US claims" in c.content.text


def test_amirabdollahian_remarks(seed):
    saying = only(seed[1], "Iran will not do anything to prolong the fighting")
    aimed = only(seed[1], "the claims are aimed at advancing")
    for c in (saying, aimed):
        assert c.speaker.canonical == "Hossein Amirabdollahian" and c.stance == "assert"
    assert aimed.speaker.text == "Amirabdollahian"


def test_quote_to_kuleba(seed):
    c = [c for c in seed[1] if c.cue.lemma == "tell"][0]
    assert c.quote is True and c.content.text.startswith("“The fundamental and explicit stance")
    assert c.speaker.canonical == "Hossein Amirabdollahian"
    opposes = only(seed[1], "Iran also opposes the fighting")
    assert opposes.speaker.canonical == "Hossein Amirabdollahian" and opposes.cue.lemma == "add"


def test_iran_stated_position(seed):
    c = only(seed[1], "it wants the fighting to stop through dialogue")
    assert c.speaker.canonical == "Iran" and c.stance == "assert"


def test_us_officials_march_claim_about_china(seed):
    c = only(seed[1], "Russia had turned to China for help")
    assert c.speaker.text == "US officials" and c.cue.lemma == "claim" and c.stance == "assert"


def test_sullivan_no_evidence_is_deny(seed):
    # Decision (see pipeline.nlp.stance): "has seen no evidence that X" is a denial of X.
    c = only(seed[1], "the US has seen no evidence that China has provided")
    assert c.speaker.canonical == "Jake Sullivan" and c.stance == "deny" and c.cue.lemma == "confirm"


def test_no_speaker_for_authorial_statement(seed):
    # "So far, there has been no evidence of Chinese arms ..." has no source: not a claim.
    assert not find(seed[1], "no evidence of Chinese arms")


def test_pronoun_he_resolves_to_sullivan(seed):
    he = [c for c in seed[1] if c.speaker is not None and c.speaker.text == "He"]
    assert he and all(c.speaker.canonical == "Jake Sullivan" for c in he)
