"""How many claims hold each search word, from Elasticsearch's term statistics, for dropping common words.

As on the embedded index (:func:`pipeline.index.query.ranking_words`): on a
large index a word found in more than half of the claims stops ranking. It
adds almost nothing to bm25, yet would make most claims matches that every
search must score, count and facet. A word's count is the largest document
frequency of its analyzed terms over the searched fields, summed over the
alias' backing indices (term vectors are per index; one multi-term-vectors
request for the words not seen yet); counts are kept for ``ttl_s`` seconds.
Driver errors are left to the caller (:mod:`pipeline.index.elastic` translates them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.index import query

MAX_WORDS = 10_000  # remembered at most (a server sees endless new words)


class WordFrequencies:
    """Claims per search word in ``alias`` (fields without boosts), remembered for ``ttl_s`` seconds."""

    def __init__(self, es: Any, alias: str, fields: Sequence[str], ttl_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 indices: Callable[[], Sequence[str]] | None = None) -> None:
        self._es, self._alias, self._clock, self._ttl = es, alias, clock, ttl_s
        self._indices = indices or (lambda: [alias])  # the backing indices (an alias over several has no term vectors)
        self._fields = [f.split("^")[0] for f in fields]
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._claims: int | None = None
        self._since = 0.0

    def ranking(self, phrases: list[str], words: list[str]) -> list[str]:
        """The words that rank (see :func:`~pipeline.index.query.ranking_words`)."""
        if not words:
            return words
        claims = self._total()
        if claims < query.COMMON_WORD_MIN_CLAIMS:  # no term statistics needed
            return words
        with self._lock:
            missing = [w for w in dict.fromkeys(words) if w not in self._counts]
        if missing:
            found = self._fetch(missing)
            with self._lock:
                if len(self._counts) + len(found) > MAX_WORDS:
                    self._counts.clear()
                self._counts.update(found)
        counts = {w: self._counts.get(w, 0) for w in words}
        return query.ranking_words(phrases, words, claims, counts.__getitem__, query.COMMON_WORD_MIN_CLAIMS)

    def _total(self) -> int:
        now = self._clock()
        with self._lock:
            if self._claims is not None and now - self._since < self._ttl:
                return self._claims
        claims = int(self._es.count(index=self._alias)["count"])
        with self._lock:
            self._claims, self._since, self._counts = claims, now, {}
        return claims

    def _fetch(self, words: list[str]) -> dict[str, int]:
        indices = list(self._indices()) or [self._alias]
        docs = [{"_index": index, "doc": dict.fromkeys(self._fields, w), "fields": self._fields,
                 "term_statistics": True, "field_statistics": False, "positions": False, "offsets": False,
                 "payloads": False} for index in indices for w in words]
        found = self._es.mtermvectors(docs=docs)["docs"]
        freqs: dict[tuple[str, str, str], int] = {}  # (word, field, term) → documents, over every index
        for w, d in zip([w for _ in indices for w in words], found, strict=True):
            for name, tv in d.get("term_vectors", {}).items():
                for term, t in tv.get("terms", {}).items():
                    freqs[w, name, term] = freqs.get((w, name, term), 0) + (t.get("doc_freq") or 0)
        return {w: max((n for (word, _, _), n in freqs.items() if word == w), default=0) for w in words}
