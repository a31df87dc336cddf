"""Content boundaries after the content is chosen: PolNeAR's convention for the words next to the cue.

Public API: :func:`content_start`, :func:`content_pieces`, :func:`raised_subject`. PolNeAR (Newell, Margolin & Ruths, LREC 2018)
counts a word the cue selects as part of the cue, not of the content: the
preposition of "called for X" or "referred to X", the adjective of "is eager
to X" (the cue is the adjective). The complementizer of "said that X" and the
infinitive marker of "threatened to impose X" stay in the content (moving
"to" out lost 360 strict matches on train). Works on spaCy-like tokens; no
spaCy import. A content its own cue clause interrupts ('"Q1," he said, "Q2"',
"The fee, the company says, would rise") is two pieces in PolNeAR, without the
cue and speaker. So is a raising verb's ("Obama is expected to join Clinton", "Clinton
still seems not to have found a voice"): its subject, then its complement, without the verb.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_GAP = frozenset(" \t\n\u00a0,;:—–-")  # separators around a cue clause, in neither piece
# Raising verbs: their subject belongs to what they report ("X seems to", "X is expected to"), not the speaker.
_RAISING_ACTIVE = frozenset({"seem", "appear", "tend"})
_RAISING_PASSIVE = frozenset({"expect", "believe", "think", "consider", "suppose", "presume", "allege", "say",
                              "report", "rumor", "rumour", "know", "understand", "estimate", "project", "predict",
                              "see", "fear", "suspect"})
_VERB_GROUP = frozenset({"aux", "auxpass"})


def content_start(cue: Any, start: int, end: int) -> int:
    """The content's start offset with a leading word the cue selects moved to the cue.

    Guarantees: the result is ``start`` or the start of a later token of the
    content, always before ``end``; it moves at most two tokens, and only when
    the content starts with the word itself. ``cue`` is the cue token.
    """
    doc = cue.doc
    first = _token_at(cue, start)
    for _ in range(2):
        if first is None or first.i + 1 >= len(doc):
            return start
        nxt = doc[first.i + 1]
        if nxt.idx >= end or not _selected(cue, first):
            return start
        start, first = nxt.idx, nxt
    return start


def _selected(cue: Any, tok: Any) -> bool:
    """Whether ``tok`` is a word the cue takes with it rather than part of what it reports."""
    head = tok.head
    if tok.pos_ == "ADP" and tok.dep_ in ("prep", "dative") and head.i == cue.i:
        return any(c.dep_ in ("pobj", "pcomp") for c in tok.children)  # "called for X"
    if tok.pos_ == "ADJ" and tok.dep_ == "acomp" and head.i == cue.i:
        return any(c.i == tok.i + 1 or c.left_edge.i == tok.i + 1 for c in tok.children)  # "is eager to X"
    return False


def _token_at(cue: Any, start: int) -> Any | None:
    """The token of the cue's sentence starting at character ``start``, or None."""
    for tok in cue.sent:
        if tok.idx == start:
            return tok
        if tok.idx > start:
            return None
    return None


def content_pieces(text: str, start: int, end: int, clause: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The content ``text[start:end]`` in two pieces around the cue clause (the cue's and speaker's
    spans, ``clause``) when that clause lies strictly inside it, else ``()`` (the content is whole).

    Guarantees: the pieces are non-empty, in order, inside ``[start, end)``, the first starting at
    ``start`` and the last ending at ``end``; neither holds the cue clause's characters nor the
    spaces and separators (commas, dashes) next to it.
    """
    if not clause:
        return ()
    lo, hi = min(s for s, _ in clause), max(e for _, e in clause)
    while lo > start and text[lo - 1] in _GAP:
        lo -= 1
    while hi < end and text[hi] in _GAP:
        hi += 1
    if not start < lo <= hi < end:
        return ()
    return (start, lo), (hi, end)


def raised_subject(cue: Any, start: int, reports: Callable[[Any], bool]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """For a raising cue whose content is its infinitive complement starting at ``start``: the
    character ranges of its subject (with the words up to the verb group, "Clinton still") and of
    the verb group itself ("is expected"), else None.

    Guarantees: the subject lies before the verb group, which ends at the cue's end; only an
    active raising verb with a subject ("seems") or an agentless passive one ("is expected") counts,
    and not an active one whose complement's verb itself ``reports`` ("Trump seemed to deny it": Trump
    denies; a passive's subject is no speaker: "the leaders are expected to discuss X").
    """
    deps = {c.dep_ for c in cue.children}
    lemma = cue.lemma_.lower()
    if lemma in _RAISING_ACTIVE and "nsubj" in deps:
        subject = next(c for c in cue.children if c.dep_ == "nsubj")
    elif lemma in _RAISING_PASSIVE and "nsubjpass" in deps and "agent" not in deps:
        subject = next(c for c in cue.children if c.dep_ == "nsubjpass")
    else:
        return None
    xcomp = next((c for c in cue.children if c.dep_ == "xcomp" and c.i > cue.i), None)
    if xcomp is None or xcomp.left_edge.idx != start or subject.i > cue.i or (
            subject.dep_ == "nsubj" and reports(xcomp)):
        return None
    group = min([c.i for c in cue.children if c.dep_ in _VERB_GROUP and subject.i < c.i < cue.i] + [cue.i])
    doc = cue.doc
    first, last = subject.left_edge.i, group - 1
    if last < first:
        return None
    return ((doc[first].idx, doc[last].idx + len(doc[last].text)), (doc[group].idx, cue.idx + len(cue.text)))

