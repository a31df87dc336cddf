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

from pipeline.nlp.cues import is_cue, load_lexicon

_RULES = frozenset(os.environ.get("BOUNDS2_RULES", "prep,adj").split(","))
_EMBED_DEPS = frozenset({"xcomp", "advcl", "ccomp", "acomp"})


def content_start(cue: Any, start: int, end: int) -> int:
    """The content's start offset with a leading word the cue selects moved to the cue.

    Guarantees: the result is ``start`` or the start of a later token of the
    content, always before ``end``; it moves at most two tokens (a quotation
    mark before the word does not count). ``cue`` is the cue token.
    """
    doc = cue.doc
    first = _token_at(cue, start)
    inner = _embedded_cue(cue, first) if "embed" in _RULES and first is not None else None
    if inner is not None and inner.i + 1 < len(doc) and doc[inner.i + 1].idx < end:
        cue, first, start = inner, doc[inner.i + 1], doc[inner.i + 1].idx
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


def _embedded_cue(cue: Any, first: Any) -> Any | None:
    """The cue word opening the content, itself governed by the cue ("continued to refute X",
    "responded saying X"): PolNeAR's cue is that word, its content what follows."""
    doc = cue.doc
    word = first
    if first.tag_ == "TO" and first.dep_ == "aux" and first.i + 1 < len(doc) and doc[first.i + 1].i == first.head.i:
        word = first.head
        if word.dep_ != "xcomp":
            return None
    elif first.pos_ != "VERB" or first.dep_ not in _EMBED_DEPS:
        return None
    if word.head.i != cue.i or not is_cue(word, load_lexicon()):
        return None
    return word if any(c.i > word.i for c in word.children) else None


def _token_at(cue: Any, start: int) -> Any | None:
    """The token of the cue's sentence starting at character ``start``, or None."""
    for tok in cue.sent:
        if tok.idx == start:
            return tok
        if tok.idx > start:
            return None
    return None
