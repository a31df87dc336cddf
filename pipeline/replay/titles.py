"""A title for an article that came without one: its first sentence, dateline removed."""

from __future__ import annotations

import re

_DATELINE = re.compile(r"^\s*[A-Z][\w.' -]{1,60}(?:,\s*[\w.' -]{2,40})?\s*[–—-]{1,2}\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def title_from_text(text: str, limit: int = 140) -> str:
    """The first sentence without its dateline, cut at a word boundary."""
    first = text.strip().split("\n", 1)[0]
    first = _DATELINE.sub("", first, count=1)
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + "…"
