"""Query helpers shared by the index backends: pure functions, no I/O."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pipeline.errors import InputError
from pipeline.present import quoted

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


# What a cursor position may hold, slot by slot: each backend names the shape of its own cursors.
# "offset": a row offset (SQLite binds 64-bit integers); "number": a sort value (a finite float, or a
# 64-bit integer as Elasticsearch's long and date sort values are); "text": a sort key such as an id.
Slot = Literal["offset", "number", "text"]
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_CURSOR = 1000  # characters of a cursor: a real one is well under 100
MAX_CURSOR_TEXT = 200  # characters of a text slot (record ids are far shorter)
_SLOT_CHECKS: dict[str, Callable[[Any], bool]] = {
    "offset": lambda v: type(v) is int and 0 <= v <= INT64_MAX,
    "number": lambda v: (type(v) is int and INT64_MIN <= v <= INT64_MAX) or (type(v) is float and math.isfinite(v)),
    "text": lambda v: type(v) is str and len(v) <= MAX_CURSOR_TEXT and v.isprintable(),  # no surrogates either
}


def encode_cursor(position: Sequence[Any]) -> str:
    """The page cursor of every backend: a position (JSON values) as URL-safe base64 of compact JSON."""
    raw = json.dumps(list(position), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str | None, slots: Sequence[Slot]) -> list[Any] | None:
    """The position in ``cursor`` (None for no cursor), one value per slot, each of its slot's kind and range.

    Any other string is an InputError: whatever a client sends, the backend gets a position it accepts.
    """
    if not cursor:
        return None
    position = _position(cursor)
    if not isinstance(position, list) or len(position) != len(slots) \
            or not all(_SLOT_CHECKS[slot](value) for slot, value in zip(slots, position, strict=True)):
        raise _invalid(cursor)
    return position


def _position(cursor: str) -> Any:
    """The JSON value a cursor holds; InputError when it holds none."""
    if len(cursor) > MAX_CURSOR:
        raise _invalid(cursor)
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")), parse_constant=_no_constant)
    except (ValueError, binascii.Error, UnicodeError, RecursionError) as exc:
        raise _invalid(cursor) from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"not a cursor value: {name}")  # NaN and Infinity are no sort values


def _invalid(cursor: str) -> InputError:
    return InputError(f"invalid page cursor {quoted(cursor)}")
