"""Features of a (claim, prepared body) pair: dense similarities and counts, plus hashed words.

Dense features (:data:`DENSE_NAMES`) measure how much of the claim the body
covers (TF-IDF cosine with the body, its lead and its best sentences; word
and bigram overlap), how the sentences that discuss it read (refuting,
hedging and negating words), and what the NLP stage extracted: the body's
claims whose content matches this claim, split by stance (a matching
``deny`` claim is the strongest disagreement signal), their cues, speakers
and quotation. Hashed words (the claim's own words and those of the body's
best-matching sentences) let the model learn refutation vocabulary.
Deterministic; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.threads import text as tx
from pipeline.threads.body import Body, BodyClaim

RELATED_COS = 0.15  # a sentence or body claim this close to the claim discusses it
TOP_SENTENCES = 3
HEDGE_CUES = frozenset({"report", "claim", "allege", "rumor", "rumour", "suggest", "speculate", "believe",
                        "accord", "according to", "reportedly"})

DENSE_NAMES = (
    "cos_body", "cos_lead", "cos_best_sentence", "cos_top3", "share_in_body", "idf_share_in_body",
    "share_in_lead", "bigram_share", "log_related_sentences", "first_related_position",
    "claim_refuting", "claim_hedging", "claim_question", "body_refuting_rate", "body_hedging_rate",
    "top_refuting", "top_hedging", "top_negation", "best_refuting", "cos_deny_claim", "cos_assert_claim",
    "log_deny_claims", "log_assert_claims", "best_claim_denies", "best_claim_quote", "best_claim_hedge_cue",
    "best_claim_speaker_named", "entity_share", "log_body_words", "log_claim_words", "no_claims",
    "deny_minus_assert", "claim_debunking", "claim_quoted",
    # Interactions a linear model cannot form itself: refuting words mean a denial only when the
    # claim is not itself a debunking ("X is a hoax", "Sorry, X didn't"), and hedges matter where the body
    # discusses the claim.
    "neg_claim_top_refuting", "pos_claim_top_refuting", "neg_claim_body_refuting", "pos_claim_body_refuting",
    "neg_claim_cos_deny", "pos_claim_cos_deny", "best_sentence_x_top_refuting", "best_sentence_x_top_hedging",
    "hedged_claim_x_best_sentence", "share_x_cos_lead",
)


@dataclass(frozen=True, slots=True)
class ClaimText:
    """The claim side, prepared once per claim text."""

    stems: tuple[str, ...]
    stem_set: frozenset[str]
    bigrams: frozenset[str]
    vector: dict[int, float]
    words: frozenset[str]
    refuting: int
    hedging: int
    question: bool
    debunking: int
    quoted: bool


def prepare_claim(text: str, idf: Sequence[float] | None, dim: int) -> ClaimText:
    ws = tx.words(text)
    stems = tx.content_stems(text)
    return ClaimText(tuple(stems), frozenset(stems), frozenset(tx.bigrams(stems)),
                     tx.weighted_vector(stems, idf, dim), frozenset(ws),
                     sum(w in tx.REFUTING for w in ws), sum(w in tx.CLAIM_HEDGING for w in ws), "?" in text,
                     sum(w in tx.DEBUNKING for w in ws), tx.has_quotation(text))


def best_claim(claim: ClaimText, body: Body) -> tuple[BodyClaim | None, float]:
    """The body's claim closest to ``claim`` (ties: the earlier one) and its cosine."""
    best, best_cos = None, 0.0
    for bc in body.claims:
        cos = tx.cosine(claim.vector, bc.vector)
        if cos > best_cos:
            best, best_cos = bc, cos
    return best, best_cos


def dense_features(claim: ClaimText, body: Body, idf: Sequence[float] | None, dim: int) -> np.ndarray:
    """The :data:`DENSE_NAMES` features of one pair, as float64."""
    cos_sent = [tx.cosine(claim.vector, s.vector) for s in body.sentences]
    order = sorted(range(len(cos_sent)), key=lambda i: (-cos_sent[i], i))[:TOP_SENTENCES]
    top = [body.sentences[i] for i in order]
    related = [i for i, c in enumerate(cos_sent) if c >= RELATED_COS]
    n_stems = max(len(claim.stem_set), 1)
    idf_total = sum(_idf(idf, s, dim) for s in claim.stem_set) or 1.0
    deny_cos, assert_cos, n_deny, n_assert = _claim_matches(claim, body)
    best, _ = best_claim(claim, body)
    words_per_100 = max(body.n_words, 1) / 100.0
    values = (
        tx.cosine(claim.vector, body.vector), tx.cosine(claim.vector, body.lead_vector),
        max(cos_sent, default=0.0), sum(cos_sent[i] for i in order) / TOP_SENTENCES,
        len(claim.stem_set & body.stems) / n_stems,
        sum(_idf(idf, s, dim) for s in claim.stem_set & body.stems) / idf_total,
        len(claim.stem_set & body.lead_stems) / n_stems,
        len(claim.bigrams & body.bigrams) / max(len(claim.bigrams), 1),
        math.log1p(len(related)), related[0] / len(cos_sent) if related else 1.0,
        claim.refuting, claim.hedging, float(claim.question),
        body.refuting / words_per_100, body.hedging / words_per_100,
        sum(s.refuting for s in top), sum(s.hedging for s in top), sum(s.negation for s in top),
        top[0].refuting if top else 0.0,
        deny_cos, assert_cos, math.log1p(n_deny), math.log1p(n_assert),
        float(best is not None and best.deny), float(best is not None and best.claim.quote),
        float(best is not None and best.claim.cue is not None and best.claim.cue.lemma in HEDGE_CUES),
        float(best is not None and bool(best.speaker) and _named(best.speaker, claim.words)),
        len(body.entity_words & claim.words) / max(len(claim.words), 1),
        math.log1p(body.n_words), math.log1p(len(claim.stems)), float(not body.claims),
        deny_cos - assert_cos, claim.debunking, float(claim.quoted),
    )
    return np.asarray(values + _interactions(dict(zip(DENSE_NAMES, values, strict=False))), dtype=np.float64)


def _interactions(f: dict[str, float]) -> tuple[float, ...]:
    neg = float(f["claim_debunking"] > 0)
    hedged = float(f["claim_hedging"] > 0)
    return (neg * f["top_refuting"], (1 - neg) * f["top_refuting"], neg * f["body_refuting_rate"],
            (1 - neg) * f["body_refuting_rate"], neg * f["cos_deny_claim"], (1 - neg) * f["cos_deny_claim"],
            f["cos_best_sentence"] * f["top_refuting"], f["cos_best_sentence"] * f["top_hedging"],
            hedged * f["cos_best_sentence"], f["share_in_body"] * f["cos_lead"])


def lexical_terms(claim: ClaimText, body: Body, idf: Sequence[float] | None, dim: int) -> list[str]:
    """Words for the hashed lexical features: the claim's and its best-matching sentences'."""
    cos_sent = [tx.cosine(claim.vector, s.vector) for s in body.sentences]
    order = sorted(range(len(cos_sent)), key=lambda i: (-cos_sent[i], i))[:TOP_SENTENCES]
    terms = [f"c:{s}" for s in claim.stem_set]
    for i in order:
        if cos_sent[i] > 0.0:
            terms.extend(f"s:{s}" for s in body.sentences[i].stems)
    return terms


def _claim_matches(claim: ClaimText, body: Body) -> tuple[float, float, int, int]:
    deny_cos = assert_cos = 0.0
    n_deny = n_assert = 0
    for bc in body.claims:
        cos = tx.cosine(claim.vector, bc.vector)
        if bc.deny:
            deny_cos = max(deny_cos, cos)
            n_deny += cos >= RELATED_COS
        else:
            assert_cos = max(assert_cos, cos)
            n_assert += cos >= RELATED_COS
    return deny_cos, assert_cos, n_deny, n_assert


def _named(speaker: str, claim_words: frozenset[str]) -> bool:
    return any(w in claim_words for w in tx.words(speaker) if w not in tx.STOPWORDS)


def _idf(idf: Sequence[float] | None, stem: str, dim: int) -> float:
    return idf[tx.bucket(stem, dim)] if idf is not None else 1.0
