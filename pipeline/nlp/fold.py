"""Claim drafts and their de-duplication: one claim per content, nested attributions folded.

Public API: :class:`Draft` (a claim before ids are assigned) and :func:`dedupe`.
PolNeAR (Newell, Margolin & Ruths, LREC 2018) folds a nested attribution into
the outer one's content; :func:`dedupe` follows that convention unless the
nested cue has a named speaker of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.nlp.claim_features import ClaimCandidate
from pipeline.records import Cue, Span, Speaker


@dataclass(slots=True)
class Draft:
    """A claim before ids are assigned; ``p`` is the learned score (1.0 on the rule path),
    ``r`` the content ranker's score (comparable among one cue's drafts only).

    ``tok`` is the cue token (None for typographic attributions), ``start``/``end``
    the content's character offsets, ``cand`` what the learned scorer sees.
    """

    tok: Any
    cue: Cue
    speaker: Speaker | None
    start: int
    end: int
    stance: str
    quote: bool
    sentence: Span
    cand: ClaimCandidate | None = None
    p: float = 1.0
    r: float = 0.0


def dedupe(drafts: list[Draft]) -> list[Draft]:
    """One draft per content span (the best-scored wins; on ties the first); nested attributions folded.

    A draft whose cue lies inside another draft's content is dropped (PolNeAR
    folds nested attributions into the outer content) unless it has a named
    speaker of its own, different from the outer one, and neither is a quotation.
    The result's order is unspecified (callers sort).
    """
    seen: dict[tuple[int, int], Draft] = {}
    for d in sorted(drafts, key=lambda d: -d.p):  # stable: on the rule path the first cue wins
        seen.setdefault((d.start, d.end), d)
    # outer claims first: a cue outside quotations, then the longer content
    order = sorted(seen.values(), key=lambda d: (d.quote, d.start - d.end))
    kept: list[Draft] = []
    for b in order:
        if not any(_folds(a, b) for a in kept):
            kept.append(b)
    return kept


def _folds(a: Draft, b: Draft) -> bool:
    """Whether nested draft ``b`` (cue inside ``a``'s content) is part of what ``a`` reports."""
    if not (a.start <= b.cue.start < a.end):
        return False
    if b.speaker is None or b.quote or a.quote:
        return True
    own = (b.speaker.label is not None and _adverbial(b.tok)) or _possessed_noun(b.tok)
    return not own or (a.speaker is not None and a.speaker.canonical == b.speaker.canonical)


_ADVERBIAL_MARKS = frozenset({"after", "before", "when", "while", "as", "since", "because", "although",
                              "though", "until", "once", "whereas"})


def _possessed_noun(tok: Any) -> bool:
    """Whether the cue is a noun with its own possessor ("the mayor's claim that ...")."""
    return tok is not None and tok.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "poss" for c in tok.children)


def _adverbial(tok: Any) -> bool:
    """Whether the cue heads a clause of its own circumstances ("after Tehran rejected ..."), not content."""
    return tok is not None and any(c.dep_ in ("mark", "advmod") and c.lower_ in _ADVERBIAL_MARKS for c in tok.children)
