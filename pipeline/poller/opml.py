"""Feed subscriptions from an OPML file: pure, refuses documents that declare entities."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from pipeline.errors import InputError

MAX_OPML_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class Subscription:
    url: str
    name: str = ""


def read_opml(data: bytes) -> list[Subscription]:
    """Every ``<outline xmlUrl=...>`` at any depth, in document order, without repeats.

    Raises InputError for a document that is too large, is not XML, or has a DOCTYPE
    (entity declarations are how an XML bomb is built; OPML never needs one).
    """
    if len(data) > MAX_OPML_BYTES:
        raise InputError(f"OPML file too large ({len(data):,} bytes)")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise InputError("refused: the OPML file has a DOCTYPE or entity declarations")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"not a valid OPML (XML) file: {exc}") from exc
    found: dict[str, Subscription] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in found:
            found[url] = Subscription(url, (outline.get("title") or outline.get("text") or "").strip())
    return list(found.values())
