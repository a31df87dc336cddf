"""MinHash signatures and LSH band keys of an article's text: pure functions, deterministic across processes.

Text → lower-case word tokens (letters and digits only, so house-style edits
of punctuation, quotes and dashes change nothing) → 5-word shingles, each a
64-bit hash → :data:`PERMUTATIONS` minimum hash values (multiply-shift
hashing; numpy wraps the 64-bit products on purpose). A band key is a
signed 64-bit hash of the band's number and rows, written in decimal (an
integer column in SQLite, a keyword in Elasticsearch): two articles sharing
one are LSH candidates. Every constant below is stored in the index through the
signatures and keys it produces: changing one means re-signing every article
(bump :data:`SCHEME`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

SCHEME = 1  # version of the shingling, hashing and banding below
SHINGLE = 5  # words per shingle: long enough that unrelated reporting rarely shares one
PERMUTATIONS = 150
ROWS = 3  # minimum values per band: 50 bands; Jaccard 0.4 pairs share a band with p ≈ 0.96
BANDS = PERMUTATIONS // ROWS
_WORD = re.compile(r"[^\W_]+")
_RNG = np.random.default_rng(20160401)  # fixed: signatures are stored and compared across processes
_A = _RNG.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _RNG.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
                 0xFF51AFD7ED558CCD], dtype=np.uint64)[:SHINGLE]


@dataclass(frozen=True, slots=True)
class Signature:
    """An article's MinHash: ``values`` (PERMUTATIONS uint32, as bytes) and its number of distinct shingles."""

    values: bytes
    size: int

    def array(self) -> np.ndarray:
        return np.frombuffer(self.values, dtype=np.uint32)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _word_hashes(tokens: list[str]) -> np.ndarray:
    # blake2b, not hash(): Python salts str hashes per process, and signatures are compared across workers.
    return np.array([int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
                     for t in tokens], dtype=np.uint64)


def shingles(text: str) -> np.ndarray:
    """The distinct 64-bit shingle hashes of ``text`` (a text shorter than one shingle is one shingle)."""
    hashes = _word_hashes(words(text))
    if len(hashes) == 0:
        return hashes
    if len(hashes) < SHINGLE:
        return np.array([np.bitwise_xor.reduce(hashes * _MIX[:len(hashes)])], dtype=np.uint64)
    windows = np.lib.stride_tricks.sliding_window_view(hashes, SHINGLE)
    with np.errstate(over="ignore"):
        mixed = windows * _MIX  # position-dependent: "a b" and "b a" differ
    return np.unique(np.bitwise_xor.reduce(mixed, axis=1))


def signature(text: str) -> Signature | None:
    """The MinHash of ``text``; None when it has no words (nothing to compare)."""
    sh = shingles(text)
    if len(sh) == 0:
        return None
    with np.errstate(over="ignore"):
        permuted = (_A[:, None] * sh[None, :] + _B[:, None]) >> np.uint64(32)  # multiply-shift: top 32 bits
    return Signature(permuted.min(axis=1).astype(np.uint32).tobytes(), int(len(sh)))


def band_keys(sig: Signature) -> tuple[str, ...]:
    """One key per band: a hash of the band's number and rows."""
    rows = sig.array().reshape(BANDS, ROWS)
    return tuple(str(int.from_bytes(hashlib.blake2b(b.to_bytes(2, "big") + rows[b].tobytes(), digest_size=8)
                                    .digest(), "big", signed=True)) for b in range(BANDS))


def jaccard(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of the two shingle sets (share of equal minimum values)."""
    return float(np.mean(a.array() == b.array()))


def containment(a: Signature, b: Signature) -> float:
    """The estimated share of the smaller set's shingles found in the other: what a copy keeps.

    From Jaccard J and the sizes: |A∩B| = J(|A|+|B|)/(1+J). A truncated copy
    keeping 60% of the original has a low Jaccard but a high containment.
    """
    j = jaccard(a, b)
    shared = j * (a.size + b.size) / (1 + j)
    return min(shared / min(a.size, b.size), 1.0)
