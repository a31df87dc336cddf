"""The thread links of one batch of articles, held back and written to the index once.

Writing once per batch instead of once per article saves a request per
article and, on Elasticsearch, the refresh a search of the links needs
after every write. Reads see the same state as when writing per article:
the index as it was when the batch began plus every link the batch has put
so far, so the threads found do not change.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.index.base import Index, ThreadLink


class BatchLinks:
    """Thread links read through to ``index`` and written to it by :meth:`flush`.

    Valid while nothing else writes thread links to the index (one assigner
    per index, as the indexer runs it); open a new one for every batch.
    """

    def __init__(self, index: Index) -> None:
        self.index = index
        self._pending: dict[str, ThreadLink] = {}
        self._stored: dict[str, ThreadLink | None] = {}  # the index's links as the batch began, read once

    def links(self, claim_ids: Sequence[str]) -> dict[str, ThreadLink]:
        """As :meth:`Index.thread_links`, with the links put so far."""
        unread = [i for i in dict.fromkeys(claim_ids) if i not in self._stored and i not in self._pending]
        if unread:
            found = self.index.thread_links(unread)
            self._stored.update({i: found.get(i) for i in unread})
        out = {}
        for i in claim_ids:
            link = self._pending.get(i) or self._stored.get(i)
            if link is not None:
                out[i] = link
        return out

    def members(self, thread_ids: Sequence[str]) -> list[ThreadLink]:
        """As :meth:`Index.thread_members`, with the links put so far (which may have moved a claim)."""
        wanted = set(thread_ids)
        if not wanted:
            return []
        found = {lk.claim_id: lk for lk in self.index.thread_members(sorted(wanted)) if lk.claim_id not in self._pending}
        found.update({i: lk for i, lk in self._pending.items() if lk.thread_id in wanted})
        return [found[i] for i in sorted(found)]

    def put(self, links: Sequence[ThreadLink]) -> None:
        """Hold ``links`` (replacing earlier ones by claim id) until :meth:`flush`."""
        self._pending.update({lk.claim_id: lk for lk in links})

    def flush(self) -> int:
        """Write the links held back in one request, then refresh so every reader sees them; returns how many."""
        pending = [self._pending[i] for i in sorted(self._pending)]
        if pending:
            self.index.put_thread_links(pending)
            self.index.refresh()
        self._stored.update(self._pending)
        self._pending.clear()
        return len(pending)
