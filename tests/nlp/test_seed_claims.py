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


# Every claim of the seed, in text order: (cue lemma, speaker canonical, stance, content opening).
# Thirteen are the named speakers' statements pinned one by one below; the others are attributions
# as PolNeAR annotates them: three without a source ("is alleged to", "are expected to"), Iran's
# refusal and blame, and what the imagery Sullivan released purportedly showed.
EXPECTED = [
    ("double down", "United States", "assert", "its claim that Iran is planning"),  # "on" goes with the cue
    ("reject", "Tehran", "deny", "the allegation"),
    ("reiterate", "Jake Sullivan", "assert", "that Iran wants to sell"),
    ("release", "Jake Sullivan", "assert", "that a Russian delegation visited an airfield"),
    ("allege", None, "assert", "The Russian delegation is alleged"),
    ("claim", "Jake Sullivan", "assert", "that Iran is training Russian forces"),
    ("say", "Jake Sullivan", "assert", "it is unclear if any drones"),
    ("deny", "Hossein Amirabdollahian", "deny", "the US claims"),
    ("say", "Hossein Amirabdollahian", "assert", "Iran will not do anything"),
    ("say", "Hossein Amirabdollahian", "assert", "the claims are aimed at"),
    ("tell", "Hossein Amirabdollahian", "assert", "“The fundamental and explicit stance"),
    ("add", "Hossein Amirabdollahian", "assert", "that Iran also opposes"),
    ("expect", None, "assert", "Russian President Vladimir Putin"),
    ("expect", None, "assert", "The leaders are expected to hold bilateral meetings"),  # subject, then complement
    ("say", "Iran", "assert", "it wants the fighting to stop"),
    ("refuse", "Iran", "assert", "to condemn Russia"),
    ("blame", "Iran", "assert", "NATO’s expansion in Europe"),
    ("claim", "US officials", "assert", "that Russia had turned to China"),
    ("confirm", "Jake Sullivan", "deny", "that the US has seen no evidence"),
]


def test_every_claim_speaker_and_stance(seed):
    got = [(c.cue.lemma, c.speaker.canonical if c.speaker else None, c.stance, c.content.text) for c in seed[1]]
    assert len(got) == len(EXPECTED) == 19, got
    for row, want in zip(got, EXPECTED, strict=True):
        assert row[:3] == want[:3] and row[3].startswith(want[3]), (row, want)


def test_spans_ids_and_order(seed):
    text, claims = seed
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


def test_imagery_sullivan_released_carries_his_claim(seed):
    # "He released satellite imagery ... that purportedly showed that X": he claims X (PolNeAR's source
    # is the one who releases, as in "released data that suggest X"), not the imagery and its recipient.
    c = only(seed[1], "a Russian delegation visited an airfield")
    assert c.content.text == "that a Russian delegation visited an airfield in central Kashan at least twice in the last month"
    assert c.speaker.text == "He" and c.speaker.canonical == "Jake Sullivan" and c.cue.lemma == "release"
    assert c.stance == "assert" and c.quote is False
    assert not find(seed[1], "satellite imagery")


def test_iran_blames_nato(seed):
    c = only(seed[1], "NATO’s expansion in Europe as the root cause")
    assert c.speaker.canonical == "Iran" and c.cue.lemma == "blame" and c.stance == "assert"


def test_pronoun_he_resolves_to_sullivan(seed):
    he = [c for c in seed[1] if c.speaker is not None and c.speaker.text == "He"]
    assert he and all(c.speaker.canonical == "Jake Sullivan" for c in he)
