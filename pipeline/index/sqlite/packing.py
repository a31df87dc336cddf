"""Claim records as stored in ``claim_docs``: JSON, deflated against a fixed dictionary of the record's keys.

A claim record is ~800 bytes of JSON, most of it key names and spans repeated
in every record; deflate alone saves little on so short a text, but deflate
primed with a dictionary of those keys (``DICTIONARY_1``) stores it in about a
third. A stored value is either the JSON text (files written before layout 6)
or bytes: one format byte, then the raw deflate stream. :func:`unpack` reads
both, so a file is readable while it is upgraded and whatever wrote it.
``DICTIONARY_1`` must never change: stored values depend on it (a new
dictionary is a new format byte).
"""

from __future__ import annotations

import zlib

FORMAT_1 = 1
# A claim record's key names and common values, no text of any corpus; the record's opening keys come last
# (deflate codes the nearest matches in the fewest bits).
DICTIONARY_1 = (
    b'"entities": [], "quote": false, "label": "PERSON"}, "cue": {"start": , "end": , "text": "said", "lemma": "say"}, '
    b'"content": {"start": , "end": , "text": "'
    b'"stance": "assert", "quote": true, "stance": "deny", "sentence": {"start": , "end": , "text": "'
    b'"entities": [{"start": , "end": , "text": "", "label": "ORG", "canonical": ""}, '
    b'{"start": , "end": , "text": "", "label": "GPE", "canonical": ""}], '
    b'{"schema": "claim", "v": 1, "id": "", "article_id": "", "ordinal": , '
    b'"speaker": {"start": , "end": , "text": "", "canonical": "", "label": "PERSON"}, ')
LEVEL = 6  # level 9 saves ~1% more at twice the time


def pack(doc: str) -> bytes:
    """``doc`` (a record's JSON) as stored: format byte, then deflated against the dictionary."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY_1)
    return bytes([FORMAT_1]) + packer.compress(doc.encode("utf-8")) + packer.flush()


def unpack(stored: str | bytes) -> str:
    """The record's JSON from a stored value, packed or (an older file's) plain text."""
    if isinstance(stored, str):
        return stored
    if stored[0] != FORMAT_1:
        raise ValueError(f"unknown claim record format {stored[0]}")
    unpacker = zlib.decompressobj(-15, DICTIONARY_1)
    return (unpacker.decompress(stored[1:]) + unpacker.flush()).decode("utf-8")
