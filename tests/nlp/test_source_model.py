"""The learned speaker choice (pipeline.nlp.source_model): options, choice, the shipped file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.nlp.choice_model import ChoiceModel
from pipeline.nlp.claim_features import hash_features
from pipeline.nlp.claims import extract_claims
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.source_model import refined_speaker_head, speaker_options

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f319ce151999f482.txt"

TEXT = "At the hearing on Monday, the senator told reporters that the audit was flawed."


def _tok(doc, word):
    return next(t for t in doc if t.text == word)


def test_options_are_noun_heads_outside_the_content_with_the_rules_head(parse):
    doc = parse(TEXT)
    cue, rule = _tok(doc, "told"), _tok(doc, "senator")
    start = doc.text.index("that")
    options = speaker_options(cue, start, len(doc.text) - 1, rule)
    heads = [t for t, _ in options]
    assert rule in heads and [t.i for t in heads] == sorted(t.i for t in heads)
    assert all(t.pos_ in ("NOUN", "PROPN", "PRON") or t.i == rule.i for t in heads)
    assert all(t.idx < start and t.i != cue.i for t in heads)  # never in the content, never the cue
    assert _tok(doc, "audit") not in heads


def test_no_model_keeps_the_rules_head_and_a_model_can_pick_another(parse):
    doc = parse(TEXT)
    cue, rule = _tok(doc, "told"), _tok(doc, "senator")
    end = len(doc.text) - 1
    start = doc.text.index("that")
    assert refined_speaker_head(None, cue, start, end, rule) is rule
    weights = np.zeros(1 << 10)
    weights[hash_features(["pos=NOUN", "dep=dobj"], 1 << 10)] = [1.0, 5.0]
    assert refined_speaker_head(ChoiceModel(weights), cue, start, end, rule).text == "reporters"


def test_the_shipped_model_keeps_a_plain_subject(claims_of):
    c = claims_of(TEXT)[0]
    assert c.speaker.text == "the senator" and c.cue.text == "told"


def test_without_the_model_the_rules_speaker_stays(parse):
    doc = parse(TEXT)
    a = extract_claims(doc, extract_entities(doc), "t", sources=None)
    b = extract_claims(doc, extract_entities(doc), "t")
    assert [c.speaker for c in a] == [c.speaker for c in b]  # agreeing on a plain case


def test_a_model_can_move_the_speaker_but_never_into_the_content(parse):
    # a model that wants any prepositional object: it takes "Helsinki" over "Officials in Helsinki"
    weights = np.zeros(1 << 18)
    weights[hash_features(["dep=pobj"], 1 << 18)] = 9.0
    model = ChoiceModel(weights)
    doc = parse("Officials in Helsinki raised concerns about the plan for the first time on Monday.")
    c = extract_claims(doc, extract_entities(doc), "t", sources=model)[0]
    assert c.speaker.text == "Helsinki"
    seed = parse(SEED.read_text(encoding="utf-8"))
    rules = {c.cue: c.speaker for c in extract_claims(seed, extract_entities(seed), "s", sources=None)}
    for c in extract_claims(seed, extract_entities(seed), "s", sources=model):
        if c.speaker is not None and c.speaker != rules.get(c.cue):
            assert c.speaker.end <= c.content.start or c.content.end <= c.speaker.start
