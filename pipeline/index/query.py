"""Query helpers shared by the index backends: pure functions, no I/O."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from pipeline.errors import InputError

# Words too common to help a ranked OR-query; they still match inside phrases.
STOPWORDS = frozenset(["a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "i", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "she", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you"])
# On an index of at least this many claims, a word found in more than half of them stops ranking:
# bm25 gives it almost no weight, yet it would make nearly every claim a match to score and count.
COMMON_WORD_MIN_CLAIMS = 10_000
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


def ranking_words(phrases: list[str], words: list[str], claims: int, claims_with: Callable[[str], int],
                  min_claims: int) -> list[str]:
    """``words`` without those in more than half of ``claims`` (once ``claims >= min_claims``).

    When every word is that common, they all stay (a search needs something to match) unless
    the query has "quoted phrases", which then match alone.
    """
    if claims < min_claims or not words:
        return words
    kept = [w for w in words if claims_with(w) <= claims // 2]
    return kept or ([] if phrases else words)


def fts_expression(text: str) -> str:
    """A safe FTS5 expression: "quoted phrases" must match; other words rank (OR)."""
    phrases, words = query_parts(text)
    required = " AND ".join(f'"{p}"' for p in phrases)
    optional = " OR ".join(f'"{w}"' for w in words)
    if required and optional:
        return f"{required} AND ({optional})"
    return required or optional


def date_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """ISO strings for ``published >= low`` and ``published < high`` (until is inclusive).

    An empty range is the query's to refuse (``pipeline.index.base.check_date_range``); here it matches nothing.
    """
    low = since.isoformat() if since else None
    high = (until + timedelta(days=1)).isoformat() if until else None
    return low, high


def encode_cursor(position: Sequence[Any]) -> str:
    """The page cursor of every backend: a position (JSON values) as URL-safe base64 of compact JSON."""
    raw = json.dumps(list(position), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str | None, length: int) -> list[Any] | None:
    """The position in ``cursor`` (None for no cursor). InputError unless it holds ``length`` values."""
    if not cursor:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InputError(f"invalid page cursor {cursor!r}") from exc
    if not isinstance(position, list) or len(position) != length:
        raise InputError(f"invalid page cursor {cursor!r}")
    return position
