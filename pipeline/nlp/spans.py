"""Character-range helpers for claim contents: paragraphs, colon blocks, quotations next to a cue.

Pure helpers on the article text, a :class:`~pipeline.nlp.quotes.QuoteIndex`
and spaCy-like tokens; no spaCy import. Every range is ``(start, end)``,
end-exclusive character offsets into the text (token ranges are marked as such).
"""

from __future__ import annotations

import bisect
from typing import Any

from pipeline.nlp.quotes import QuoteIndex

_EDGE_CHARS = " \t\n,;:—–-"


def adjacent_quote(doc: Any, text: str, tok: Any, quotes: QuoteIndex) -> tuple[int, int] | None:
    """Token range of a quotation right next to the cue's clause ('X said, "..."' or '"...," X said').

    The quotation must start right after the cue or end shortly before it
    in the same sentence (or end the previous one), with no full stop between.
    """
    sent = tok.sent
    after = tok.idx + len(tok.text)
    while after < sent.end_char and text[after] in " ,:\n":
        after += 1
    region = quotes.region_at(after)
    if region is None:
        before = quotes.overlapping(max(sent.start_char - 3, 0), tok.idx)
        if before and before[-1][1] <= tok.idx and tok.idx - before[-1][1] <= 80:
            gap = text[before[-1][1]:tok.idx]
            region = None if ("." in gap or "\n" in gap) else before[-1]
    if region is None or region[0] <= tok.idx < region[1]:
        return None
    span = doc.char_span(region[0], region[1], alignment_mode="expand")
    return None if span is None or len(span) == 0 else (span.start, span.end)


def colon_block(text: str, tok: Any) -> tuple[int, int] | None:
    """'X continued:' ending a paragraph: the content is the next paragraph."""
    after = tok.idx + len(tok.text)
    nl = text.find("\n", after)
    if nl < 0:
        return None
    tail = text[after:nl].strip()
    if not tail.endswith(":") or len(tail) > 60:
        return None
    start = nl
    while start < len(text) and text[start].isspace():
        start += 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return (start, end) if end > start else None


def clip_to_paragraph(text: str, start: int, end: int, cue_at: int) -> tuple[int, int]:
    """Clip content to the cue's paragraph (a parse can run across a line break)."""
    para_start = text.rfind("\n", 0, cue_at) + 1
    para_end = text.find("\n", cue_at)
    para_end = len(text) if para_end < 0 else para_end
    start, end = max(start, para_start), min(end, para_end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def char_range(doc: Any, rng: tuple[int, int]) -> tuple[int, int]:
    """Character range of the token range ``rng``."""
    first, last = doc[rng[0]], doc[rng[1] - 1]
    return first.idx, last.idx + len(last.text)


def widen_to_quotes(text: str, start: int, end: int, cue_at: int, quotes: QuoteIndex,
                    cue_offsets: list[int]) -> tuple[int, int]:
    """Widen content to whole quotations it touches, then to quotations that continue it.

    A quotation continues the content when it follows in the same paragraph,
    separated only by the cue's own clause or punctuation, and no other cue
    attributes it (no other cue in the gap, none right after it).
    """
    for s, e in quotes.overlapping(start, end):
        if not (s <= cue_at < e):
            start, end = min(start, s), max(end, e)
    if not quotes.overlapping(start, end):
        return start, end
    while True:
        nxt = _next_quote(text, end, quotes)
        if nxt is None:
            return start, end
        gap = text[end:nxt[0]]
        own_clause = end <= cue_at < nxt[0]
        if not (own_clause or len(gap.strip(_EDGE_CHARS + ".")) == 0):
            return start, end
        if count_between(cue_offsets, end, nxt[0]) > (1 if own_clause else 0):
            return start, end
        if _cue_after(text, nxt[1], cue_offsets):
            return start, end
        end = nxt[1]


def quote_options(text: str, tok: Any, start: int, end: int, quotes: QuoteIndex) -> list[tuple[tuple[int, int], str]]:
    """Other contents made of quotations, for cue ``tok`` whose content is [start, end): the quotations
    inside it without the text around them ("quote"), if that differs; when they lie on both sides of
    the cue, those after it ("qafter": those before it would widen back to the whole, see
    :func:`widen_to_quotes`); and the quotation opening the next sentence ("nextq", see
    :func:`following_quote`)."""
    out = []
    regions = [r for r in quotes.overlapping(start, end) if not r[0] <= tok.idx < r[1]]
    if regions:
        rng = (max(regions[0][0], start), min(regions[-1][1], end))
        out += [] if rng == (start, end) else [(rng, "quote")]
        after = [r for r in regions if r[0] > tok.idx]
        if after and len(after) < len(regions):
            out.append(((after[0][0], min(after[-1][1], end)), "qafter"))
    following = following_quote(text, tok, end, quotes)
    return out + ([] if following is None else [(following, "nextq")])


def following_quote(text: str, tok: Any, content_end: int, quotes: QuoteIndex) -> tuple[int, int] | None:
    """The quotation opening the sentence after the cue's, in the same paragraph, when the content
    (ending at ``content_end``) is a quotation before the cue ('"Q1," said X, who ... "Q2."': Q2
    goes on with what X said)."""
    if content_end > tok.idx or quotes.region_at(content_end - 1) is None:
        return None
    sent_end = tok.sent.end_char
    nl = text.find("\n", content_end)
    if 0 <= nl < sent_end:
        return None
    start = sent_end
    while start < len(text) and text[start] in " \t":
        start += 1
    region = quotes.region_at(start)
    return region if region is not None and region[0] == start else None


def _next_quote(text: str, end: int, quotes: QuoteIndex) -> tuple[int, int] | None:
    """The next quotation starting after ``end`` in the same paragraph, within a short distance."""
    limit = min(len(text), end + 120)
    nl = text.find("\n", end, limit)
    limit = limit if nl < 0 else nl
    for s, e in quotes.overlapping(end, limit):
        if s >= end:
            return s, e
    return None


def _cue_after(text: str, end: int, cue_offsets: list[int]) -> bool:
    """Whether a cue follows the quotation ending at ``end`` in its sentence ('"..." she said')."""
    limit = min(len(text), end + 80)
    for stop in ("\n", ". ", "“", '"'):
        k = text.find(stop, end, limit)
        if k >= 0:
            limit = k
    return count_between(cue_offsets, end, limit) > 0


def count_between(offsets: list[int], start: int, end: int) -> int:
    """How many of the sorted ``offsets`` lie in [start, end)."""
    return bisect.bisect_left(offsets, end) - bisect.bisect_left(offsets, start)
