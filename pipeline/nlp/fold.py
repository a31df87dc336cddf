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
    the content's character offsets, ``cand`` what the learned scorer sees; ``clause``, when
    set, the character range of the cue's verb group inside a raising cue's content.
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
    clause: tuple[int, int] | None = None


def dedupe(drafts: list[Draft]) -> list[Draft]:
    """One draft per content span (the best-scored wins; on ties the first); nested attributions folded.

    A draft whose cue lies inside another draft's content is dropped (PolNeAR
    folds nested attributions into the outer content) unless it has a named
    speaker of its own, different from the outer one, and neither is a quotation. An outer
    draft that puts out a thing stating the nested claim ("he released imagery that showed
    that X") takes the nested content instead: its speaker claims X (see :func:`_relays`).
    The result's order is unspecified (callers sort).
    """
    seen: dict[tuple[int, int], Draft] = {}
    for d in sorted(drafts, key=lambda d: -d.p):  # stable: on the rule path the first cue wins
        seen.setdefault((d.start, d.end), d)
    # outer claims first: a cue outside quotations, then the longer content
    order = sorted(seen.values(), key=lambda d: (d.quote, d.start - d.end))
    kept: list[Draft] = []
    relayed: dict[int, Draft] = {}  # index in kept -> the nested draft whose content it takes
    for b in order:
        outer = next((k for k, a in enumerate(kept) if _folds(a, b)), None)
        if outer is None:
            kept.append(b)
        elif outer not in relayed and _relays(kept[outer], b):
            relayed[outer] = b
    return [_relay(a, relayed[k]) if k in relayed else a for k, a in enumerate(kept)]


# Verbs by which a speaker puts out a document or a medium that states the claim: "released data that
# suggest X" is the speaker's claim that X (PolNeAR's source is the one who released, its content X).
_PRESENTING = frozenset({"release", "publish", "issue", "post", "unveil", "present", "share", "circulate"})
_THING_RELATIVES = frozenset({"that", "which"})


def _relays(a: Draft, b: Draft) -> bool:
    """Whether nested ``b`` is what ``a`` puts out: ``a``'s cue is a verb presenting a thing (:data:`_PRESENTING`)
    and ``b``'s cue is a relative clause on it with a thing's relative pronoun ("imagery that showed
    that X"), its content inside ``a``'s."""
    if (a.tok is None or b.tok is None or a.tok.pos_ != "VERB" or a.tok.lemma_.lower() not in _PRESENTING
            or b.tok.dep_ != "relcl"):
        return False  # a noun ("his posts that said X") is the thing itself, no one putting it out
    subject = next((c for c in b.tok.children if c.dep_ == "nsubj"), None)
    return (subject is not None and subject.lower_ in _THING_RELATIVES and a.start <= b.start and b.end <= a.end
            and not a.quote and not b.quote)


def _relay(a: Draft, b: Draft) -> Draft:
    """``a``'s speaker and cue with ``b``'s content, stance and sentence (the claim the thing states)."""
    return Draft(tok=a.tok, cue=a.cue, speaker=a.speaker, start=b.start, end=b.end, stance=b.stance,
                 quote=b.quote, sentence=a.sentence, cand=a.cand, p=a.p, r=a.r)


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
