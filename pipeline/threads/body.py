"""An article body prepared once for any number of stance decisions.

Preparing costs one pass over the text (sentences, stems, hashed vectors)
plus the claims and entities the NLP stage extracted; every decision against
the prepared body then only compares vectors, which is what keeps the
decision fast once bodies are parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.records import Claim, Entity
from pipeline.threads import text as tx

LEAD_SENTENCES = 2
MAX_BODY_CHARS = 200_000  # the NLP stage's own cut; longer bodies are truncated, not refused


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its stems, hashed vector and how many refuting/hedging/negating words it has."""

    stems: frozenset[str]
    vector: dict[int, float]
    refuting: int
    hedging: int
    negation: int


@dataclass(frozen=True, slots=True)
class BodyClaim:
    """A claim the NLP stage found in the body, with the vector of its content."""

    claim: Claim
    vector: dict[int, float]
    deny: bool
    speaker: str  # canonical speaker, lower case ("" when unattributed)


@dataclass(frozen=True, slots=True)
class Body:
    """An article ready for :func:`pipeline.threads.features.pair_features` (immutable)."""

    sentences: tuple[Sentence, ...]
    vector: dict[int, float]
    lead_vector: dict[int, float]
    stems: frozenset[str]
    lead_stems: frozenset[str]
    bigrams: frozenset[str]
    claims: tuple[BodyClaim, ...]
    entity_words: frozenset[str]
    n_words: int
    refuting: int
    hedging: int


def prepare_body(text: str, claims: Sequence[Claim] = (), entities: Sequence[Entity] = (), *,
                 idf: Sequence[float] | None, dim: int) -> Body:
    """Sentences, vectors and claims of ``text``; any string is accepted (empty gives an empty body)."""
    text = text[:MAX_BODY_CHARS]
    sents = [_sentence(s, idf, dim) for s in tx.sentences(text)]
    all_stems = tx.content_stems(text)
    all_words = tx.words(text)
    lead = " ".join(tx.sentences(text)[:LEAD_SENTENCES])
    lead_stems = tx.content_stems(lead)
    body_claims = tuple(body_claim(c, idf, dim) for c in claims)
    entity_words = frozenset(w for e in entities for w in tx.words(e.canonical) if w not in tx.STOPWORDS)
    return Body(
        sentences=tuple(sents), vector=tx.weighted_vector(all_stems, idf, dim),
        lead_vector=tx.weighted_vector(lead_stems, idf, dim), stems=frozenset(all_stems),
        lead_stems=frozenset(lead_stems), bigrams=frozenset(tx.bigrams(all_stems)), claims=body_claims,
        entity_words=entity_words, n_words=len(all_words),
        refuting=sum(w in tx.REFUTING for w in all_words), hedging=sum(w in tx.HEDGING for w in all_words))


def _sentence(sentence: str, idf: Sequence[float] | None, dim: int) -> Sentence:
    ws = tx.words(sentence)
    stems = tx.content_stems(sentence)
    return Sentence(frozenset(stems), tx.weighted_vector(stems, idf, dim), sum(w in tx.REFUTING for w in ws),
                    sum(w in tx.HEDGING for w in ws), sum(w in tx.NEGATION for w in ws))


def body_claim(claim: Claim, idf: Sequence[float] | None, dim: int) -> BodyClaim:
    """One claim with the vector of its content (twice) and sentence, as bodies hold them."""
    # The content names what is claimed; the sentence adds the topic words an anaphoric
    # content ("denied the reports") leaves out.
    sentence = claim.sentence.text if claim.sentence else ""
    stems = tx.content_stems(claim.content.text) * 2 + tx.content_stems(sentence)
    speaker = claim.speaker.canonical.lower() if claim.speaker else ""
    return BodyClaim(claim, tx.weighted_vector(stems, idf, dim), claim.stance == "deny", speaker)
