"""The learned content start (pipeline.nlp.start_model): options, choice, the shipped file, the cue it extends."""

from __future__ import annotations

import numpy as np

from pipeline.nlp.choice_model import ChoiceModel
from pipeline.nlp.claim_features import hash_features
from pipeline.nlp.claims import extract_claims
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.start_model import refined_start, start_options


def _cue(doc, word):
    return next(t for t in doc if t.text == word)


def test_options_are_words_after_the_cue_inside_the_content(parse):
    doc = parse("Trump continued, on Sunday, to question Cruz's temperament.")
    cue = _cue(doc, "continued")
    start = _cue(doc, "to").idx
    end = doc.text.index(".")
    options = start_options(cue, start, end)
    assert [o.shift for o in options][:1] != [] and 0 in [o.shift for o in options]
    assert [o.start for o in options] == sorted(o.start for o in options)
    by_start = {t.idx: t for t in doc}
    for o in options:
        tok = by_start[o.start]
        assert tok.i > cue.i and o.start < end and not (tok.is_punct and not tok.is_quote) and not tok.is_space
        assert o.features and all(isinstance(f, str) for f in o.features)
    assert doc.text.index(",") not in [o.start for o in options]  # never on a comma


def test_a_content_before_its_cue_or_off_a_token_has_no_options(parse):
    doc = parse('"The bridge will reopen," the mayor said.')
    cue = _cue(doc, "said")
    assert start_options(cue, 0, doc.text.index(",")) == []
    doc = parse("The mayor said that the bridge will reopen.")
    cue = _cue(doc, "said")
    assert start_options(cue, doc.text.index("that") + 1, len(doc.text) - 1) == []  # not a token start


def test_no_model_keeps_the_start_and_a_model_picks_its_best_option(parse):
    doc = parse("Trump continued to question Cruz's temperament.")
    cue = _cue(doc, "continued")
    start, end = _cue(doc, "to").idx, len(doc.text) - 1
    assert refined_start(None, cue, start, end) == start
    options = start_options(cue, start, end)
    target = options[-1]
    model = ChoiceModel(np.zeros(1 << 10))
    assert refined_start(model, cue, start, end) == options[0].start  # all tied: the first option
    weights = np.zeros(1 << 10)
    weights[hash_features([f"k={target.shift}"], 1 << 10)] = 5.0
    assert refined_start(ChoiceModel(weights), cue, start, end) == target.start


def test_the_shipped_model_moves_the_words_polnear_counts_with_the_cue(claims_of):
    claims = claims_of("Trump continued to question Cruz's temperament on Sunday.")
    c = next(c for c in claims if c.cue.lemma == "continue")
    assert c.content.text == "Cruz's temperament on Sunday"
    assert c.cue.text == "continued to question" and c.cue.lemma == "continue"
    c = claims_of("The White House expressed doubt that North Korea had the capability to strike.")[0]
    assert c.content.text.startswith("that North Korea") and c.cue.text == "expressed doubt"


def test_without_the_model_the_rules_start_stays(parse):
    doc = parse("Trump continued to question Cruz's temperament on Sunday.")
    c = next(c for c in extract_claims(doc, extract_entities(doc), "t", starts=None) if c.cue.lemma == "continue")
    assert c.content.text.startswith("to question") and c.cue.text == "continued"
