"""Attributions marked by typography rather than by a verb.

* headline colon: a first line such as ``Pence: Trump Was Mocking Clinton`` (a short
  name, a colon, the claim);
* signed quotation: ``“...” ― Jane Doe`` (a quotation followed by a dash and a name
  that ends the line);
* transcript turn: a paragraph opening with a speaker's name in capitals and a colon,
  ``"PENCE: Well, look, ...`` (the rest of the paragraph is what the speaker says).

Pure string matching on the text plus the entity list; no spaCy. Every match
is returned as (speaker, cue, content) character ranges, end-exclusive.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.nlp.quotes import QuoteIndex

Range = tuple[int, int]

_HEADLINE = re.compile(r"([A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3})(:) +(\S[^\n]*)")
_SIGNED = re.compile(r"[^\S\n]*([―—–]|--)[^\S\n]*([A-Z][\w.'’-]*(?:[^\S\n]+[A-Z][\w.'’-]*){0,3})[^\S\n]*(?=\n|$)")
_MAX_HEADLINE = 200
_TURN = re.compile(r"(?m)^[\"“]?([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2})(:)[ \t]+(\S[^\n]*)")


def headline_colon(text: str) -> tuple[Range, Range, Range] | None:
    """Speaker, cue and content of a "Name: claim" first line, or None."""
    end = text.find("\n")
    end = len(text) if end < 0 else end
    if end > _MAX_HEADLINE:
        return None
    m = _HEADLINE.match(text, 0, end)
    if m is None:
        return None
    c_start, c_end = m.start(3), end
    while c_end > c_start and text[c_end - 1] in " .":
        c_end -= 1
    return (m.start(1), m.end(1)), (m.start(2), m.end(2)), (c_start, c_end)


def signed_quotes(text: str, quotes: QuoteIndex) -> list[tuple[Range, Range, Range]]:
    """Speaker, cue and content of every quotation signed with a dash and a name at the line end."""
    out = []
    for start, end in quotes.regions:
        m = _SIGNED.match(text, end)
        if m is not None:
            out.append(((m.start(2), m.end(2)), (m.start(1), m.end(1)), (start, end)))
    return out


def transcript_turns(text: str) -> list[tuple[Range, Range, Range]]:
    """Speaker, cue and content of every paragraph that opens with "NAME:" in capitals (a transcript).

    The name must also occur in ordinary capitalisation in the text ("PENCE:" after
    "Mike Pence") or open another turn, which tells a speaker from a label such as
    "UPDATE:" or "VIDEO:".
    """
    out = []
    turns = list(_TURN.finditer(text))
    names = Counter(m.group(1) for m in turns)
    for m in turns:
        if names[m.group(1)] < 2 and re.search(rf"\b{re.escape(m.group(1).title())}\b", text) is None:
            continue
        c_end = m.end(3)
        while c_end > m.start(3) and text[c_end - 1].isspace():
            c_end -= 1
        out.append(((m.start(1), m.end(1)), (m.start(2), m.end(2)), (m.start(3), c_end)))
    return out
