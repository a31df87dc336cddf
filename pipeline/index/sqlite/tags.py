"""Filter values as tokens in the claims' FTS5 table, so FTS5 intersects them with the words.

Each claim's ``tags`` column holds one token per filterable value (speaker as
canonical and as written, each entity name and text, outlet name and domain,
stance). A filter becomes an FTS5 expression over those tokens: a substring
filter ("Sullivan") is first resolved against the distinct ``names``, then
matched as ``tags : (t1 OR t2 …)``. FTS5 then counts, intersects and walks
the matches on its compressed posting lists instead of visiting claim rows,
which keeps filters that match tens of thousands of claims cheap.

A token is a kind prefix plus digits of a hash of the exact value: digits
last, so the porter stemmer leaves it alone, and no search word reaches it
(words are matched in the text columns only).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

# Token prefixes by kind of value (the kinds of the ``names`` table, plus stance). A filter matches
# either kind of its pair (canonical name or as written; outlet name or domain), so a pair shares a
# prefix: a value found as both is one token, and a filter's OR is half as long.
PREFIX = {"speaker": "sp", "speaker_text": "sp", "entity": "en", "entity_text": "en",
          "source": "so", "domain": "so", "stance": "st", "language": "la"}
# A filter resolving to more distinct names than this is checked on the claim rows instead:
# FTS5 merges an OR of many tokens one child at a time, so very long ORs cost more than they save.
MAX_TOKENS = 64
# Beside other FTS5 terms (words, another filter, a date range's ids) a longer OR still wins: the
# alternative checks each of the other terms' matches on the claim rows (measured at 1M claims: 15 ms
# for an outlet AND 93 entity tokens, 173 ms for the outlet's 125k matches each checked for the entity).
MAX_TOKENS_BESIDE = 256
TEXT_COLUMNS = "{content sentence speaker}"  # where search words are looked for: never the tags


def token(kind: str, value: str) -> str:
    """The tag of ``value`` of ``kind``: stable across processes and versions (it is stored)."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return f"{PREFIX[kind]}{int.from_bytes(digest, 'big')}"


def claim_tags(speaker: str | None, speaker_text: str | None, entities: Iterable[tuple[str, str]],
               source: str | None, domain: str | None, stance: str, language: str | None = None) -> str:
    """The ``tags`` column of one claim."""
    values = [("speaker", speaker), ("speaker_text", speaker_text), ("source", source), ("domain", domain),
              ("stance", stance), ("language", language)]
    for name, text in entities:
        values += [("entity", name), ("entity_text", text)]
    return " ".join(sorted({token(kind, v) for kind, v in values if v}))


def names_like(conn: sqlite3.Connection, kinds: tuple[str, ...], pattern: str) -> list[tuple[str, str]]:
    """The distinct ``(kind, value)`` names of ``kinds`` that ``LIKE pattern`` finds (any case)."""
    marks = ",".join("?" * len(kinds))
    return conn.execute(f"SELECT kind, value FROM names WHERE kind IN ({marks}) AND value LIKE ? ESCAPE '\\'",
                        (*kinds, pattern)).fetchall()


def any_of(names: list[tuple[str, str]]) -> str:
    """``tags : (t1 OR t2 …)`` matching claims with any of ``names``; "" for none (matches nothing)."""
    if not names:
        return ""
    return "tags : (" + " OR ".join(f'"{t}"' for t in sorted({token(kind, value) for kind, value in names})) + ")"
