"""Which sentences can carry a claim: the cheap word test that decides where the parser runs.

The NLP stage parses only the sentences this gate lets through (see
``pipeline.nlp.spacy.parser``); the others get entities but no parse, so no cue.
The test looks at lower-cased word forms only, before any tagging: a
sentence passes when one of its words may be an inflection of a cue lemma
that the mined lexicon (:mod:`pipeline.nlp.cues`) saw as a cue at least
:data:`GATE_MIN_CUES` times with precision at least :data:`GATE_MIN_PRECISION`,
or of a core reporting word, or is "according". (Measured on PolNeAR dev:
the gate passes 79 % of the tokens at no loss of lenient F1; rarer cue
lemmas cost more parse than the claims they add.)

Guarantee: for the gated lemmas the test over-approximates. A form passes
when *any* reading of it (the word itself, an irregular form from the
lemmatizer's exception table, a suffix rule, a doubled final consonant) is a
gated lemma, so a token of a gated lemma is never in a sentence left unparsed. Pure Python; the lemmatizer tables are passed in as plain mappings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pipeline.nlp.cues import CORE_NOUNS, CORE_VERBS, CueEntry

GATE_MIN_PRECISION = 0.2  # share of a lemma's occurrences that were cues, to open the parser
GATE_MIN_CUES = 5  # and how often it was a cue in PolNeAR train
_TAGS = ("V", "N")


def gated_lemmas(lexicon: Mapping[str, CueEntry], min_precision: float = GATE_MIN_PRECISION,
                 min_cues: int = GATE_MIN_CUES) -> frozenset[str]:
    """Lemmas of verb and noun cues frequent and reliable enough, plus the core reporting words."""
    found = {key.rsplit("|", 1)[0] for key, entry in lexicon.items()
             if key.rsplit("|", 1)[1] in _TAGS and entry.cue >= min_cues
             and entry.cue >= min_precision * entry.total}
    return frozenset(found | CORE_VERBS | CORE_NOUNS | {"accord"})


class ClaimGate:
    """The word test: ``passes(words)`` is True when a sentence may hold a cue worth parsing.

    ``exceptions`` maps a part of speech ("verb", "noun") to {form: [lemmas]}
    and ``rules`` maps it to [[suffix, replacement], ...], as in spaCy's
    English rule lemmatizer tables.
    """

    def __init__(self, lemmas: Iterable[str], exceptions: Mapping[str, Mapping[str, Sequence[str]]],
                 rules: Mapping[str, Sequence[Sequence[str]]]) -> None:
        self.lemmas = frozenset(lemmas)
        self._exceptions = exceptions
        self._rules = [(old, new) for pos_rules in rules.values() for old, new in pos_rules]
        self._known: dict[str, bool] = {"according": True}

    def passes(self, words: Iterable[str]) -> bool:
        """Whether any of the (original-case) ``words`` may be a gated cue."""
        return any(self.may_cue(w) for w in words)

    def may_cue(self, word: str) -> bool:
        """Whether ``word`` may be a form of a gated lemma (cached per lower-cased form)."""
        form = word.lower()
        known = self._known.get(form)
        if known is None:
            known = self._known[form] = not self.lemmas.isdisjoint(self._readings(form))
        return known

    def _readings(self, form: str) -> set[str]:
        out = {form}
        for table in self._exceptions.values():
            out.update(table.get(form, ()))
        for old, new in self._rules:
            if form.endswith(old) and len(form) > len(old):
                stem = form[: len(form) - len(old)] + new
                out.add(stem)
                if len(stem) > 2 and stem[-1] == stem[-2]:
                    out.add(stem[:-1])  # "admitted" -> "admitt" -> "admit"
        return out
