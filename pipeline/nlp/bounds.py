"""Content boundaries after the content is chosen: PolNeAR's convention for the words next to the cue.

Public API: :func:`content_start`. PolNeAR (Newell, Margolin & Ruths, LREC 2018)
counts a word the cue selects as part of the cue, not of the content: the
preposition of "called for X", "referred to X", the infinitive marker of
"threatened to impose X", the adjective of "is eager to X" (the cue is the
adjective); the complementizer of "said that X" stays in the content. Works on
spaCy-like tokens; no spaCy import.
"""

from __future__ import annotations

import os
from typing import Any

_RULES = frozenset(os.environ.get("BOUNDS2_RULES", "prep,to,adj").split(","))


def content_start(cue: Any, start: int, end: int) -> int:
    """The content's start offset with a leading word the cue selects moved to the cue.

    Guarantees: the result is ``start`` or the start of a later token of the
    content, always before ``end``; it moves at most two tokens (a quotation
    mark before the word does not count). ``cue`` is the cue token.
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
    if "prep" in _RULES and tok.pos_ == "ADP" and tok.dep_ in ("prep", "dative") and head.i == cue.i:
        return any(c.dep_ in ("pobj", "pcomp") for c in tok.children)  # "called for X"
    if "to" in _RULES and tok.tag_ == "TO" and tok.dep_ == "aux" and head.dep_ == "xcomp" and head.head.i == cue.i:
        return True  # "threatened to impose X": the infinitive is the content, "to" goes with the cue
    if "adj" in _RULES and tok.pos_ == "ADJ" and tok.dep_ == "acomp" and head.i == cue.i:
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
