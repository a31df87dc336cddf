"""The cue lexicon's decisions on single tokens (fake tokens: the lexicon reads only their attributes)."""

from __future__ import annotations

from types import SimpleNamespace

from pipeline.nlp.cues import CueEntry, cue_score, is_cue


def verb(lemma: str) -> SimpleNamespace:
    """A verb token with no dependents (the "bare" frame)."""
    return SimpleNamespace(lemma_=lemma, pos_="VERB", dep_="ROOT", children=[])


def test_a_lemma_seen_once_as_a_cue_is_left_to_the_learned_scorer():
    once = {"quip|V": CueEntry(1, 1, {"bare": (1, 1)})}
    assert cue_score(verb("quip"), once) == 1.0  # the learned path still sees it as a candidate
    assert not is_cue(verb("quip"), once)


def test_a_lemma_seen_twice_is_a_rule_cue_when_precise():
    twice = {"quip|V": CueEntry(2, 2, {"bare": (2, 2)})}
    assert is_cue(verb("quip"), twice)
    assert not is_cue(verb("quip"), {"quip|V": CueEntry(2, 200, {"bare": (2, 200)})})
