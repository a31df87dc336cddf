"""The alternative contents the learned path proposes for a cue (the ranker chooses among them).

Invented sentences, parsed as the NLP stage parses them; each test pins that a
construction yields the content a reader would mark, among the cue's candidates.
"""

from __future__ import annotations

from pipeline.nlp.claims import learned_candidates
from pipeline.nlp.content import alternatives, verb_content
from pipeline.nlp.entities import extract_entities


def options_of(parse, text: str, cue: str) -> dict[str, str]:
    """The alternatives of the first token ``cue``, by rule name, as text."""
    doc = parse(text)
    tok = next(t for t in doc if t.text == cue)
    return {how: doc[s:e].text for (s, e), how in alternatives(tok, verb_content(tok))}


def test_clause_in_the_middle_gives_the_whole_sentence(parse):
    found = options_of(parse, "The monthly fee, the company says, would rise to $40 next year.", "says")
    assert found["around"] == "The monthly fee, the company says, would rise to $40 next year"


def test_passive_cue_gives_its_subject(parse):
    found = options_of(parse, "The hiring freeze was first reported by the Daily Ledger.", "reported")
    assert found["passive"] == "The hiring freeze"


def test_participle_cue_gives_the_noun_it_modifies(parse):
    found = options_of(parse, "The mayor offered a plan endorsed by three unions.", "endorsed")
    assert found["passive"] == "a plan"


def test_raised_passive_keeps_its_own_content(parse):
    found = options_of(parse, "The general was reported to have resigned.", "reported")
    assert "passive" not in found


def test_quote_opening_the_next_sentence_is_a_candidate(parse):
    text = ("“These are hard weeks,” said Tom Reyes, a farmer near the river who has grown corn and soy beans "
            "there for thirty years, like his father and his grandfather before him. "
            "“I do not know how we will pay the bank this winter.”")
    doc = parse(text)
    contents = {text[c.start:c.end] for c in learned_candidates(doc, extract_entities(doc)) if c.cue.text == "said"}
    assert "“I do not know how we will pay the bank this winter.”" in contents


def test_the_quotation_after_a_cue_inside_a_quote_is_a_candidate_alone(parse):
    text = "“The plan is dead,” she said, “and nobody in the council will vote for it this year.”"
    doc = parse(text)
    contents = {text[c.start:c.end] for c in learned_candidates(doc, extract_entities(doc)) if c.cue.text == "said"}
    assert text in contents
    assert "“and nobody in the council will vote for it this year.”" in contents
