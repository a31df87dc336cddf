"""Turning strangers' text into safe HTML: pure functions, no I/O.

Everything here returns either plain strings (which Jinja2 escapes) or
:class:`markupsafe.Markup` built only from escaped pieces, so markup in a
title, speaker or claim shows as text and never becomes part of the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from pipeline.filters import CLAIM_FILTERS
from pipeline.records import Claim, Entity

# The query parameters of a search page, in the order URLs show them.
SEARCH_PARAMS = ("q", *(f.name for f in CLAIM_FILTERS), "limit", "after", "interval", "copies")


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None: ``javascript:``, ``data:``, ``file:`` never link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_CONTROL = re.compile("[\x00-\x1f\x7f]")


def xml_text(text: str | None) -> str:
    """``text`` without the characters XML 1.0 forbids (controls, lone surrogates): a feed must still parse."""
    return _NOT_XML.sub("", text or "")


def xml_url(url: str | None) -> str:
    """``url`` fit for an XML attribute: control characters percent-encoded (the link still names the
    same resource), characters XML cannot hold at all (lone surrogates, U+FFFE/U+FFFF) dropped."""
    encoded = _URL_CONTROL.sub(lambda m: f"%{ord(m.group()):02X}", url or "")
    return _NOT_XML.sub("", encoded)


def highlighted(marked: str | None, fallback: str) -> Markup:
    """Text whose ``[[matched]]`` words become ``<mark>``; every other character is escaped."""
    text = marked if marked is not None else fallback
    out: list[str] = []
    rest = text
    while True:
        start = rest.find("[[")
        end = rest.find("]]", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(str(escape(rest)))
            return Markup("".join(out))
        out.append(str(escape(rest[:start])))
        out.append(f"<mark>{escape(rest[start + 2:end])}</mark>")
        rest = rest[end + 2:]


def search_url(params: Mapping[str, str], path: str = "/", **changes: str | None) -> str:
    """``path?query`` for ``params`` with ``changes`` applied; a changed filter starts again at page one."""
    merged: dict[str, str | None] = dict(params)
    if any(k != "after" for k in changes):
        merged.pop("after", None)
    merged.update(changes)
    pairs = [(k, merged[k]) for k in SEARCH_PARAMS if merged.get(k)]
    return f"{path}?{urlencode(pairs)}" if pairs else path


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of article text and what covers it: a claim (by id) and/or an entity (by label)."""

    text: str
    claim: str | None = None
    entity: str | None = None
    entity_name: str | None = None
    anchor: str | None = None  # the claim whose content starts here


def segments(text: str, claims: Iterable[Claim], entities: Iterable[Entity]) -> list[Segment]:
    """``text`` cut at every claim-content and entity boundary; spans outside the text are ignored."""
    size = len(text)
    claim_spans = [(c.content.start, c.content.end, c.id) for c in claims
                   if 0 <= c.content.start < c.content.end <= size]
    entity_spans = [(e.start, e.end, e.label, e.canonical) for e in entities if 0 <= e.start < e.end <= size]
    cuts = sorted({0, size, *(s for s, _, _ in claim_spans), *(e for _, e, _ in claim_spans),
                   *(s for s, *_ in entity_spans), *(e for _, e, *_ in entity_spans)})
    starts = {s: cid for s, _, cid in claim_spans}
    out = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        claim = next((cid for s, e, cid in claim_spans if s <= lo and hi <= e), None)
        entity = next(((label, name) for s, e, label, name in entity_spans if s <= lo and hi <= e), None)
        out.append(Segment(text[lo:hi], claim, entity[0] if entity else None, entity[1] if entity else None,
                           starts.get(lo)))
    return out
