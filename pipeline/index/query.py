"""Query helpers shared by the index backends: pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import date, timedelta

from pipeline.errors import InputError

# Words too common to help a ranked OR-query; they still match inside phrases.
STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "i", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "she", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you"])
_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]+)"')


def query_terms(text: str) -> list[str]:
    """Lower-cased search words without stopwords (all words if only stopwords)."""
    words = [w.lower() for w in _WORD.findall(text)]
    kept = [w for w in words if w not in STOPWORDS]
    return kept or words


def query_parts(text: str) -> tuple[list[str], list[str]]:
    """The "quoted phrases" (which must match) and the other search words (which rank)."""
    phrases = [" ".join(_WORD.findall(p)) for p in _PHRASE.findall(text)]
    return [p for p in phrases if p], query_terms(_PHRASE.sub(" ", text))


def fts_expression(text: str) -> str:
    """A safe FTS5 expression: "quoted phrases" must match; other words rank (OR)."""
    phrases, words = query_parts(text)
    required = " AND ".join(f'"{p}"' for p in phrases)
    optional = " OR ".join(f'"{w}"' for w in words)
    if required and optional:
        return f"{required} AND ({optional})"
    return required or optional


def date_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """ISO strings for ``published >= low`` and ``published < high`` (until is inclusive)."""
    if since and until and since > until:
        raise InputError(f"--since {since} is after --until {until}")
    low = since.isoformat() if since else None
    high = (until + timedelta(days=1)).isoformat() if until else None
    return low, high


def encode_cursor(offset: int) -> str:
    return f"o{offset}"


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not (cursor.startswith("o") and cursor[1:].isdigit()):
        raise InputError(f"invalid page cursor {cursor!r}")
    return int(cursor[1:])
