"""Words, stems, sentences and hashed term vectors: the text side of the stance features.

Pure functions, no I/O. Hashing uses CRC-32 (not Python's salted ``hash``),
so the same text gives the same vector in every process.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n|\n(?=[\"'“‘]?[A-Z])")

STOPWORDS = _wordset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself
new now of off on once only or other our ours ourselves out over own same says said she should so some
such than that the their theirs them themselves then there these they this those through to too under
until up us very via was we were what when where which while who whom why will with would you your
yours yourself yourselves
""")

# Words that signal a refutation or a hoax (after the FNC-1 baseline's list, extended with the
# vocabulary of corrections and of doctored pictures).
REFUTING = _wordset("""
fake fraud hoax false falsely deny denies denied denial denying refute refutes refuted reject rejects
rejected rejecting dismiss dismissed debunk debunked debunks bogus doubt doubts doubtful nope despite
retract retracted retraction untrue baseless unfounded fabricated fabrication satire satirical prank
pranks myth rumour rumor misleading incorrect wrong lie lies lied not never no isn't wasn't didn't
doesn't aren't weren't hasn't haven't won't contrary photoshopped doctored staged spoof parody joke scam
misreported misunderstanding misinterpreted clarified clarify clarification confusion
""")

# Words that make a headline a debunking ("Sorry, X didn't ...", "X is a hoax"): REFUTING without the
# words that rarely negate the story itself ("so he won't turn into ...", "despite").
DEBUNKING = _wordset("""
fake fraud hoax false falsely deny denies denied debunk debunked debunks bogus myth untrue baseless
unfounded fabricated satire satirical prank not never no nope sorry isn't wasn't didn't doesn't aren't
weren't hasn't haven't
""")

_QUOTED = re.compile(r"(?:^|[\s(])['‘\"“][^\s'’\"”]")  # an opening quotation mark: scare quotes, a quoted claim

# Words that report without committing (hedges and attribution).
HEDGING = _wordset("""
allegedly alleged reportedly reported reports report claim claims claimed claiming rumored rumoured
unconfirmed unverified apparently purportedly purported suggest suggests suggested may might could
possibly possible perhaps believed believe likely unclear according supposedly seemingly appears
appear speculation speculate speculated say says said sources source
""")

# A headline that only reports a story ("Video purports to show ...", "Fate of X unknown after ...",
# "Mystery of ...", "There's a weird story going around ...") is discussed, not agreed with, by
# the bodies that tell the story.
CLAIM_HEDGING = HEDGING | _wordset("""
purports purport purported feared fears fear mystery mysterious unknown unclear fate story stories weird
rumor rumors rumour rumours doubt doubts whether tells told
""")

NEGATION = _wordset("not never no none nothing nobody neither nor isn't wasn't didn't doesn't aren't "
                     "weren't hasn't haven't won't can't couldn't shouldn't")

_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ations", "ation", "ments", "ment",
             "ness", "ings", "ing", "edly", "ied", "ies", "ed", "ly", "es", "s")


def has_quotation(text: str) -> bool:
    """Whether ``text`` opens a quotation (not an apostrophe inside a word)."""
    return _QUOTED.search(text) is not None


def words(text: str) -> list[str]:
    """Lower-cased word tokens (curly apostrophes folded to straight ones)."""
    return _WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix-stripping stem ("denied" and "denies" → "deni", "drones" → "drone")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry content: no stopwords, no one-letter tokens."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def sentences(text: str) -> list[str]:
    """Sentences by punctuation and line breaks; never empty strings."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


@lru_cache(maxsize=400_000)
def bucket(term: str, dim: int) -> int:
    """A term's hashed feature index in ``range(dim)`` (stable across processes)."""
    return zlib.crc32(term.encode("utf-8")) % dim


def bigrams(stems: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def weighted_vector(stems: Iterable[str], idf: Sequence[float] | None, dim: int) -> dict[int, float]:
    """A unit-length TF-IDF vector over hashed stems (``idf`` None: plain term frequency).

    ``idf`` holds one weight per bucket (``len(idf) == dim``).
    """
    counts = Counter(bucket(s, dim) for s in stems)
    vec = {b: (1.0 + math.log(n)) * (idf[b] if idf is not None else 1.0) for b, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {b: v / norm for b, v in vec.items()} if norm else {}


def cosine(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    """Dot product of two unit vectors (0.0 when either is empty)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())
