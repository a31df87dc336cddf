"""Direct quotations in article text, found by their quotation marks.

Pure string code: no spaCy. Handles curly quotes (“…”, and ”…” opening a
paragraph, a common misprint), straight double quotes ("…"), doubled
apostrophes (''…'', as some archives print them) and a quote left open at a paragraph end (news style for multi-paragraph quotes: each
paragraph reopens the quote and only the last one closes it).

Guarantee: the regions returned are disjoint, sorted, end-exclusive offsets
into the text, each starting at an opening mark and ending after its closing
mark (or at the paragraph end when the quote is left open).
"""

from __future__ import annotations

import bisect
import re

# Opening / closing marks; a straight " or '' toggles.
_MARK = re.compile(r"“|”|\"|''|``|„")
_OPENERS = {"“", "``", "„"}
_CLOSERS = {"”"}
_STRAIGHT = {"\"", "''"}
_PARA = "\n"


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Disjoint (start, end) regions of direct quotations, in text order."""
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _MARK.finditer(text):
        mark, pos = m.group(), m.start()
        if open_at is not None and _PARA in text[open_at:pos]:
            regions.append((open_at, _para_end(text, open_at)))  # left open at paragraph end
            open_at = None
        if open_at is None:
            if mark in _CLOSERS and not (pos == 0 or text[pos - 1] == _PARA):
                continue  # a closer left over; but one opening a paragraph is a misprinted opener
            if mark in _STRAIGHT and not _opens(text, pos):
                continue  # a stray closer, a possessive or an inch mark
            open_at = pos
        elif mark in _OPENERS or (mark in _STRAIGHT and _opens(text, pos) and not _closes(text, m.end())):
            open_at = pos  # unbalanced: restart at the newer opener
        else:
            regions.append((open_at, m.end()))
            open_at = None
    if open_at is not None:
        regions.append((open_at, _para_end(text, open_at)))
    return [(s, e) for s, e in regions if e - s > 2]


def _opens(text: str, pos: int) -> bool:
    """A straight mark opens when it follows a space, a bracket, a dash or the text start."""
    return pos == 0 or text[pos - 1].isspace() or text[pos - 1] in "([{—–-/"


def _closes(text: str, end: int) -> bool:
    """A straight mark closes when a space, punctuation or the text end follows it."""
    return end >= len(text) or text[end].isspace() or text[end] in ".,;:!?)]}—–-'’"


def _para_end(text: str, start: int) -> int:
    end = text.find(_PARA, start)
    end = len(text) if end < 0 else end
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


class QuoteIndex:
    """Fast look-up of the quotation region around an offset."""

    def __init__(self, text: str) -> None:
        self.regions = quote_regions(text)
        self._starts = [s for s, _ in self.regions]

    def region_at(self, offset: int) -> tuple[int, int] | None:
        """The region with start <= offset < end, or None."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.regions[i][1] > offset:
            return self.regions[i]
        return None

    def inside(self, start: int, end: int) -> int:
        """How many characters of [start, end) lie inside quotation regions."""
        total = 0
        i = max(0, bisect.bisect_right(self._starts, start) - 1)
        while i < len(self.regions) and self.regions[i][0] < end:
            s, e = self.regions[i]
            total += max(0, min(e, end) - max(s, start))
            i += 1
        return total

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """Regions that overlap [start, end)."""
        i = max(0, bisect.bisect_right(self._starts, start) - 1)
        out = []
        while i < len(self.regions) and self.regions[i][0] < end:
            if self.regions[i][1] > start:
                out.append(self.regions[i])
            i += 1
        return out
