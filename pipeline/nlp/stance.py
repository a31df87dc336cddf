"""Stance of an attributed claim: does the speaker assert the content or deny it?

Rules (documented guarantees):

* a denial cue ("deny", "reject", "refute", "dismiss", "denial", ...) gives ``deny``;
* content whose main statement is that there is *no evidence* / *no proof* /
  *no indication* of something, or that something is false / baseless, gives ``deny``
  ("Sullivan confirmed the US has seen no evidence that China helped" is a denial
  that China helped);
* a negated belief verb (neg-raising: "does not think/believe/expect that X")
  gives ``deny``: the speaker holds that not-X;
* a negated communication or denial verb ("did not say", "never claimed",
  "did not deny") reports no claim at all: :func:`stance` returns None and the
  extractor drops the candidate;
* everything else is ``assert``. Negation inside the content ("said Iran will
  not sell drones") is still an assertion of that content.
"""

from __future__ import annotations

import re
from typing import Any

DENY_LEMMAS = frozenset([
    "deny", "reject", "refute", "dismiss", "dispute", "rebut", "contradict", "disavow", "repudiate",
    "debunk", "disprove", "denial", "rejection", "refutation", "dismissal", "rebuttal", "repudiation",
    "deny_report",
])
NEG_RAISING = frozenset([
    "think", "believe", "expect", "suppose", "anticipate", "imagine", "feel", "seem", "appear", "want",
])
_NO_EVIDENCE = re.compile(
    r"\b(?:no|not (?:any|seen any|found any)|little|zero)\s+(?:\w+\s+)?"
    r"(?:evidence|proof|indication|sign|signs|basis|grounds)\b"
    r"|\b(?:is|are|was|were|be|been)\s+(?:completely\s+|totally\s+|entirely\s+)?"
    r"(?:false|untrue|baseless|unfounded|groundless|fabricated|not true|lies|a lie)\b",
    re.IGNORECASE,
)


def is_negated(cue: Any) -> bool:
    """Whether the cue verb carries a negation ("did not say", "never claimed")."""
    return any(c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ == "never") for c in cue.children)


def stance(cue: Any, content_text: str) -> str | None:
    """``assert``, ``deny``, or None when a negated cue reports no claim (see module doc)."""
    lemma = cue.lemma_.lower()
    negated = is_negated(cue)
    if negated:
        return "deny" if lemma in NEG_RAISING else None
    if lemma in DENY_LEMMAS:
        return "deny"
    return "deny" if content_denies(content_text) else "assert"


def content_denies(content_text: str) -> bool:
    """Whether the content itself states there is no evidence for something, or that it is false."""
    return _NO_EVIDENCE.search(content_text[:160]) is not None
