"""Who says it: subjects found where the parse hides them, and non-subjects refused."""

from __future__ import annotations

from pipeline.nlp.claims import learned_candidates
from pipeline.nlp.entities import extract_entities


def speakers_of(parse, text: str, cue: str) -> set[str | None]:
    doc = parse(text)
    return {None if c.speaker is None else c.speaker.text
            for c in learned_candidates(doc, extract_entities(doc)) if c.cue.text == cue}


def test_after_saying_takes_the_main_clause_subject(parse):
    assert speakers_of(parse, "After saying the economy was strong, she left the stage.", "saying") == {"she"}


def test_a_contraction_is_never_a_speaker(parse):
    for text, cue in (("But Attorney General Eric Schneiderman isn’t saying if the foundation broke any laws.",
                       "saying"),
                      ("Trump didn’t apologize for his past statements about the birth certificate.", "apologize")):
        found = speakers_of(parse, text, cue)
        assert not found & {"n’t", "’s", "n't", "'s"}, found
