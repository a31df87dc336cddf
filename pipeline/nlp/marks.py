"""Where in a sentence a token test holds, found once per sentence: the claim rules' scans in linear time.

Several content rules ask "the first separator (comma, dash, coordinating
"and" ...) inside this content range". Asked per cue over a range that can
span the sentence, that is quadratic in a long sentence full of cues (a
5,000-token sentence repeating "said that": seconds per sentence). Here
each test runs once per token of a sentence and each question is a bisect.
Works on spaCy-like docs; no spaCy import.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

Test = Callable[[Any, int], bool]  # (doc, token index) -> whether the token is a mark; a module-level function


class TokenMarks:
    """For one doc: ``first(test, lo, hi)`` is ``next((i for i in range(lo, hi) if test(doc, i)), None)``.

    Guarantee: the same answer as that scan, always. When ``lo..hi`` lies in
    one sentence (the usual case: a subtree stays in its sentence) it costs a
    bisect once that sentence's marks are known; otherwise it is that scan.
    Sentence bounds are read once per doc (spaCy's ``token.sent`` walks the
    sentence on every call).
    """

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._found: dict[tuple[Test, int], list[int]] = {}
        self._starts: list[int] = []
        self._ends: list[int] = []

    def first(self, test: Test, lo: int, hi: int) -> int | None:
        """The first ``i`` in ``[lo, hi)`` with ``test(doc, i)``, or None."""
        if lo >= hi:
            return None
        start, end = self.sentence(lo)
        if hi > end:  # across sentences: scan (never wrong, rarely needed)
            return next((i for i in range(lo, hi) if test(self.doc, i)), None)
        found = self._marks(test, start, end)
        k = bisect.bisect_left(found, lo)
        return found[k] if k < len(found) and found[k] < hi else None

    def sentence(self, i: int) -> tuple[int, int]:
        """Token range ``(start, end)`` of the sentence holding token ``i``."""
        if not self._starts:
            for sent in self.doc.sents:
                self._starts.append(sent.start)
                self._ends.append(sent.end)
        k = bisect.bisect_right(self._starts, i) - 1
        return self._starts[k], self._ends[k]

    def _marks(self, test: Test, start: int, end: int) -> list[int]:
        found = self._found.get((test, start))
        if found is None:
            found = self._found[(test, start)] = [i for i in range(start, end) if test(self.doc, i)]
        return found
