"""A memoised stand-in for spaCy's rule lemmatizer (part of the NLP stage's spaCy adapter).

spaCy's rule lemmatizer looks at every token of a parsed sentence: it builds
a Token, reads its part of speech and morphology, and (for base forms, which
its own cache skips) runs ``is_base_form`` each time (PolNeAR dev: about 0.2
CPU seconds in one process). The lemma it picks is a function of (word,
coarse part of speech, morphology) alone, so :class:`MemoLemmatizer` asks the
lemmatizer once per such key and writes the lemmas of a whole Doc with one
array read and one array write (dev: about 0.05 CPU seconds).

Guarantee: the same lemmas as the wrapped lemmatizer's for every token
(``tests/nlp/test_lemmas.py``), including its ``overwrite`` rule (a lemma
already set, e.g. by the attribute ruler, is kept unless it overwrites).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.tokens import Doc

_READ = [ORTH, POS, MORPH, LEMMA]
MAX_KEYS = 200_000  # distinct (word, POS, morphology) keys kept: a few MB; the oldest go first


class MemoLemmatizer:
    """Applies ``lemmatizer`` (spaCy's ``Lemmatizer`` in rule mode) to Docs, memoised per
    (ORTH, POS, MORPH) key; bounded to ``max_keys`` keys (first in, first out)."""

    def __init__(self, lemmatizer: Any, max_keys: int = MAX_KEYS) -> None:
        if not getattr(lemmatizer, "_validated", True):  # spaCy's own first check: missing tables fail here
            lemmatizer._validate_tables()
        self.lemmatizer = lemmatizer
        self.overwrite = bool(lemmatizer.overwrite)
        self.max_keys = max_keys
        self._memo: dict[tuple[int, int, int], int] = {}  # key -> lemma string id

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        arr = doc.to_array(_READ)
        memo = self._memo
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(arr.tolist()):
            if lemma and not self.overwrite:
                lemmas.append(lemma)
                continue
            key = (orth, pos, morph)
            found = memo.get(key)
            if found is None:
                found = self._learn(key, doc[i])
            lemmas.append(found)
        arr[:, 3] = lemmas
        doc.from_array([LEMMA], arr[:, 3:])  # type: ignore[arg-type]  # thinc's Ints2d is an ndarray alias mypy cannot see through
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 0) -> Iterator[Doc]:
        """Like a spaCy component's ``pipe``: each Doc annotated in place, lazily."""
        for doc in docs:
            yield self(doc)

    def _learn(self, key: tuple[int, int, int], token: Any) -> int:
        if len(self._memo) >= self.max_keys:
            del self._memo[next(iter(self._memo))]
        lemma: int = token.vocab.strings.add(self.lemmatizer.lemmatize(token)[0])
        self._memo[key] = lemma
        return lemma


def memoised_lemmatizer(lemmatizer: Any) -> Any:
    """:class:`MemoLemmatizer` over ``lemmatizer`` when it is a rule lemmatizer; else it unchanged."""
    return MemoLemmatizer(lemmatizer) if getattr(lemmatizer, "mode", None) == "rule" else lemmatizer
