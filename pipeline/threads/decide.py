"""The stance of an article toward a claim: agree, disagree, discuss or unrelated.

One decision code for ``pipeline stance`` (the measuring point), thread
assignment in the indexer and ``pipeline thread --text``. Guarantees:

* any claim text and any body give an answer, never an exception: a claim
  without content words, or a body without sentences, is ``unrelated``;
  :func:`check_claim_text` is the strict check user-facing commands apply;
* deterministic: same model, texts and extracted claims, same decision;
* the deciding claim is the body claim closest to the claim text (for
  ``disagree``, the closest ``deny`` claim when there is one), or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipeline.errors import InputError
from pipeline.records import Claim, Entity
from pipeline.threads import text as tx
from pipeline.threads.body import Body, BodyClaim, body_claim, prepare_body
from pipeline.threads.features import ClaimText, dense_features, lexical_terms, prepare_claim
from pipeline.threads.model import StanceModel, load_model

MAX_CLAIM_CHARS = 2_000
STANCES = ("agree", "disagree", "discuss", "unrelated")


@dataclass(frozen=True, slots=True)
class Decision:
    """A stance, the body claim that decides it (if any) and the model's related probability."""

    stance: str
    claim: Claim | None = None
    related: float = 0.0


def check_claim_text(text: str) -> str:
    """The claim text stripped; InputError when it is empty, enormous or has no words."""
    text = (text or "").strip()
    if not text:
        raise InputError("claim text is empty")
    if len(text) > MAX_CLAIM_CHARS:
        raise InputError(f"claim text is {len(text)} characters; at most {MAX_CLAIM_CHARS} are allowed")
    if not tx.words(text):
        raise InputError("claim text has no words")
    return text


class StanceDecider:
    """Prepares bodies and decides stances with one :class:`StanceModel` (the packaged one by default)."""

    def __init__(self, model: StanceModel | None = None) -> None:
        self.model = model or load_model()
        self._claim = lru_cache(maxsize=4096)(self._prepare_claim)

    def prepare(self, text: str, claims: Sequence[Claim] = (), entities: Sequence[Entity] = ()) -> Body:
        """The body ready for any number of decisions (see :mod:`pipeline.threads.body`)."""
        return prepare_body(text, claims, entities, idf=self.model.idf, dim=self.model.dim)

    def decide(self, claim_text: str, body: Body) -> Decision:
        return self.decide_many([(claim_text, body)])[0]

    def decide_many(self, pairs: Sequence[tuple[str, Body]]) -> list[Decision]:
        """One decision per (claim text, body), in order; batched through the model."""
        decisions: list[Decision | None] = [None] * len(pairs)
        rows, dense, lexical = [], [], []
        for i, (claim_text, body) in enumerate(pairs):
            claim = self._claim(claim_text[:MAX_CLAIM_CHARS])
            if not claim.stems or not body.sentences:
                decisions[i] = Decision("unrelated")
                continue
            rows.append(i)
            dense.append(dense_features(claim, body, self.model.idf, self.model.dim))
            lexical.append(lexical_terms(claim, body, self.model.idf, self.model.dim))
        if rows:
            labels, related = self.model.predict(np.vstack(dense), lexical)
            for j, i in enumerate(rows):
                stance = labels[j]
                claim_text, body = pairs[i]
                decisions[i] = Decision(stance, _deciding_claim(self._claim(claim_text[:MAX_CLAIM_CHARS]), body,
                                                                stance), float(related[j]))
        return [d for d in decisions if d is not None]

    def body_claim(self, claim: Claim) -> BodyClaim:
        """An extracted claim as a body holds it (see :func:`pipeline.threads.body.body_claim`)."""
        return body_claim(claim, self.model.idf, self.model.dim)

    def word_weight(self, word: str) -> float:
        """The IDF weight the model gives a word (rare words weigh more)."""
        return self.model.idf[tx.bucket(tx.stem(word), self.model.dim)]

    def claim_vector(self, claim_text: str) -> dict[int, float]:
        """The claim text's hashed TF-IDF vector (unit length), as the decision sees it."""
        return self._claim(claim_text[:MAX_CLAIM_CHARS]).vector

    def _prepare_claim(self, text: str) -> ClaimText:
        return prepare_claim(text, self.model.idf, self.model.dim)


def _deciding_claim(claim: ClaimText, body: Body, stance: str) -> Claim | None:
    if stance == "unrelated":
        return None
    scored = [(tx.cosine(claim.vector, bc.vector), bc) for bc in body.claims]
    if stance == "disagree" and any(bc.deny and cos > 0 for cos, bc in scored):
        scored = [(cos, bc) for cos, bc in scored if bc.deny]
    best = max(scored, key=lambda cb: (cb[0], -cb[1].claim.ordinal), default=None)
    return best[1].claim if best and best[0] > 0 else None
