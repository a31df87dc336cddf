"""One index connection per thread, for servers that search from a thread pool.

A SQLite connection must not run two statements at once; giving each worker
thread its own connection (WAL lets readers share the file) keeps searches
concurrent without a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.index.base import ArticleQuery, ClaimHit, ClaimQuery, Index, IndexFailure, SearchResult
from pipeline.records import EnrichedArticle


class PerThreadIndex:
    """An :class:`~pipeline.index.base.Index` that opens ``factory()`` once per calling thread.

    ``close()`` closes every connection opened so far; call it once no
    thread searches any more.
    """

    def __init__(self, factory: Callable[[], Index]) -> None:
        self._factory = factory
        self._local = threading.local()
        self._opened: list[Index] = []
        self._lock = threading.Lock()
        self._mine()  # open one now, so a bad path fails at start, not at the first request

    def _mine(self) -> Index:
        index = getattr(self._local, "index", None)
        if index is None:
            index = self._factory()
            self._local.index = index
            with self._lock:
                self._opened.append(index)
        return index

    def ensure_schema(self) -> None:
        self._mine().ensure_schema()

    def exists(self) -> bool:
        return self._mine().exists()

    def upsert(self, batch: Sequence[EnrichedArticle]) -> list[IndexFailure]:
        return self._mine().upsert(batch)

    def search_claims(self, query: ClaimQuery) -> SearchResult:
        return self._mine().search_claims(query)

    def search_articles(self, query: ArticleQuery) -> SearchResult:
        return self._mine().search_articles(query)

    def get_claim(self, claim_id: str) -> ClaimHit | None:
        return self._mine().get_claim(claim_id)

    def get_article(self, article_id: str) -> EnrichedArticle | None:
        return self._mine().get_article(article_id)

    def claim_histogram(self, query: ClaimQuery, interval: str) -> list[tuple[str, int]]:
        return self._mine().claim_histogram(query, interval)

    def counts(self) -> dict[str, int]:
        return self._mine().counts()

    def language_counts(self) -> dict[str, int]:
        return self._mine().language_counts()

    def refresh(self) -> None:
        self._mine().refresh()

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for index in opened:
            index.close()

    def __getattr__(self, name: str) -> Any:  # backend extras (drop(), indices()) go to this thread's index
        return getattr(self._mine(), name)
