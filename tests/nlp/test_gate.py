"""The claim gate: which sentences the NLP stage parses (pure word test, no spaCy)."""

from __future__ import annotations

from pipeline.nlp.cues import CueEntry
from pipeline.nlp.gate import ClaimGate, gated_lemmas

EXCEPTIONS = {"verb": {"said": ["say"], "told": ["tell"]}, "noun": {}}
RULES = {"verb": [["s", ""], ["ed", ""], ["ing", ""], ["ies", "y"]], "noun": [["s", ""]]}


def gate(*lemmas: str) -> ClaimGate:
    return ClaimGate(lemmas, EXCEPTIONS, RULES)


def test_inflections_of_a_gated_lemma_pass():
    g = gate("say", "admit", "deny")
    assert all(g.may_cue(w) for w in ("said", "Says", "saying", "admitted", "denies", "according"))
    assert not g.may_cue("museum") and not g.may_cue("closed")


def test_a_sentence_passes_when_one_word_may_be_a_cue():
    g = gate("say")
    assert g.passes(["The", "senator", "said", "so", "."])
    assert not g.passes(["The", "museum", "is", "closed", "."])


def test_gated_lemmas_need_frequency_and_precision():
    lexicon = {"say|V": CueEntry(500, 600, {}), "be|V": CueEntry(400, 20000, {}),
               "quip|V": CueEntry(3, 4, {}), "claim|N": CueEntry(50, 80, {}), "said|ADJ": CueEntry(9, 9, {})}
    lemmas = gated_lemmas(lexicon, min_precision=0.2, min_cues=5)
    assert {"say", "claim", "accord"} <= lemmas
    assert "be" not in lemmas and "quip" not in lemmas and "said" not in lemmas
