"""Attribution cues: which tokens introduce reported speech, belief or stance.

The lexicon (``data/cues.json``) is mined from the PolNeAR train split
(Newell, Margolin & Ruths, LREC 2018) by ``scripts/mine_cues.py``: for each
``lemma|POS`` and syntactic frame it stores how often the token was an
annotated cue head and how often it occurred. A token is a cue when the
smoothed precision of its (lemma, frame) reaches a threshold. Works on
spaCy-like tokens (``lemma_``, ``pos_``, ``dep_``, ``children``); no spaCy import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "cues.json"
THRESHOLD = 0.25  # smoothed precision a (lemma, frame) needs to count as a cue
SMOOTH = 3.0  # pseudo-count pulling a rare frame towards its lemma's precision
RULE_MIN_CUES = 2  # a lemma seen as a cue only once in train is left to the learned scorer

# Core reporting verbs: cues whatever the lexicon says (keeps the extractor useful without data).
CORE_VERBS = frozenset([
    "say", "tell", "claim", "deny", "insist", "warn", "accuse", "acknowledge", "admit", "announce",
    "argue", "assert", "believe", "confirm", "contend", "declare", "explain", "expect", "add", "note",
    "report", "reveal", "state", "suggest", "write", "tweet", "allege", "reject", "refute", "dismiss",
    "dispute", "maintain", "predict", "promise", "vow", "reiterate", "stress", "emphasize", "concede",
    "agree", "complain", "charge", "testify", "recall", "respond", "reply", "counter",
])
CORE_NOUNS = frozenset([
    "claim", "statement", "allegation", "assertion", "denial", "accusation", "belief", "report",
    "suggestion", "warning", "argument", "view", "announcement", "promise", "remark", "comment",
    "charge", "testimony", "assessment",
])
_NOUNISH = {"NOUN", "PROPN"}
_VERBISH = {"VERB", "AUX"}


@dataclass(frozen=True, slots=True)
class CueEntry:
    """Counts for one ``lemma|POS``: overall and per frame, as (cue, total)."""

    cue: int
    total: int
    frames: dict[str, tuple[int, int]]


def cue_key(tok: Any) -> str:
    """``lemma|V`` for verbs, ``lemma|N`` for nouns, ``lemma|POS`` otherwise."""
    pos = tok.pos_
    tag = "V" if pos in _VERBISH else "N" if pos in _NOUNISH else pos
    return f"{tok.lemma_.lower()}|{tag}"


def frame(tok: Any) -> str:
    """The syntactic frame of a possible cue, from its dependents: comp, xcomp, obj, prep, paren or bare."""
    deps = {c.dep_ for c in tok.children}
    if tok.pos_ in _NOUNISH:
        return "comp" if any(c.dep_ in ("acl", "ccomp") and _has_mark(c) for c in tok.children) else "bare"
    if "ccomp" in deps:
        return "comp"
    if "xcomp" in deps:
        return "xcomp"
    if "dobj" in deps:
        return "obj"
    if tok.dep_ in ("parataxis", "advcl", "ccomp") and tok.i > tok.head.i and "nsubj" in deps:
        return "paren"
    if deps & {"prep", "acl", "relcl"}:
        return "prep"
    return "bare"


def _has_mark(tok: Any) -> bool:
    return any(c.dep_ == "mark" for c in tok.children)


@lru_cache(maxsize=4)
def load_lexicon(path: str = str(DATA)) -> dict[str, CueEntry]:
    """The mined lexicon; empty when the data file is missing."""
    p = Path(path)
    if not p.exists():
        return {}
    raw = json.loads(p.read_text(encoding="utf-8"))["lexicon"]
    return {k: CueEntry(v["cue"], v["total"], {f: (c[0], c[1]) for f, c in v["frames"].items()})
            for k, v in raw.items()}


def cue_score(tok: Any, lexicon: dict[str, CueEntry]) -> float:
    """Smoothed precision that ``tok`` heads an attribution cue (0.0 when unknown)."""
    key = cue_key(tok)
    entry = lexicon.get(key)
    if entry is None:
        lemma, tag = key.rsplit("|", 1)
        core = CORE_VERBS if tag == "V" else CORE_NOUNS if tag == "N" else frozenset()
        return 1.0 if lemma in core else 0.0
    prior = entry.cue / max(entry.total, 1)
    c, t = entry.frames.get(frame(tok), (0, 0))
    return (c + SMOOTH * prior) / (t + SMOOTH)


def is_cue(tok: Any, lexicon: dict[str, CueEntry], threshold: float = THRESHOLD) -> bool:
    """Whether ``tok`` heads a cue: a lexicon hit above ``threshold`` (of a lemma seen as a cue at
    least :data:`RULE_MIN_CUES` times) or a core reporting word."""
    if tok.pos_ not in _VERBISH and tok.pos_ not in _NOUNISH:
        return False
    lemma = tok.lemma_.lower()
    if tok.pos_ in _VERBISH and lemma in CORE_VERBS and frame(tok) in ("comp", "paren"):
        return True
    if tok.pos_ in _NOUNISH and lemma in CORE_NOUNS and frame(tok) == "comp":
        return True  # "the claim that ...", "his statement that ..."
    entry = lexicon.get(cue_key(tok))
    if entry is not None and entry.cue < RULE_MIN_CUES:
        return False
    return cue_score(tok, lexicon) >= threshold
