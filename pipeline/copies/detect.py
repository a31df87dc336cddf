"""The wire-copy detector: marks an article that copies another, with its state in the index.

Guarantees:

- ``copy_of`` names the cluster's original (see :func:`pipeline.copies.order.earlier`),
  never another copy: clusters are one level deep.
- Order of arrival does not matter: when an article arrives that is earlier than
  the original of the cluster it copies, it becomes the original, and the old
  original and all its copies are re-pointed to it (one ``put_copies``).
- An article joins the cluster of its best match only (highest containment), so
  a round-up quoting two wire stories never merges their clusters.
- Re-delivering an article whose text is unchanged changes nothing.
- No state in the worker: the signatures and LSH bands are read from and written
  to the index, so N workers on N partitions find copies across partitions. A
  worker holds one batch's candidates at a time. Two workers indexing a copy and
  its original in the same refresh interval may both keep theirs as originals;
  the next copy of either joins the cluster of its best match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pipeline.copies.order import earlier
from pipeline.copies.signature import Signature, band_keys, containment, signature
from pipeline.index.base import CopyEntry, Index
from pipeline.records import Article

THRESHOLD = 0.6  # estimated containment from which an article is a copy (measured: scripts/wire_copies_eval.py)
MIN_SHINGLES = 25  # fewer distinct shingles: too short to tell a copy from a shared quotation
MIN_SIZE_RATIO = 0.25  # a copy keeps at least 60% of its original: a far smaller text is a quotation


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class Match:
    entry: CopyEntry
    score: float


def is_copy(a: Signature, b: Signature) -> float:
    """The containment of the pair when it counts as a copy, else 0."""
    if min(a.size, b.size) < MIN_SHINGLES or min(a.size, b.size) < MIN_SIZE_RATIO * max(a.size, b.size):
        return 0.0
    score = containment(a, b)
    return score if score >= THRESHOLD else 0.0


class CopyDetector:
    """Decides ``copy_of`` for a batch of articles and writes the result to the index."""

    def __init__(self, index: Index, now: Callable[[], str] = _now) -> None:
        self.index = index
        self._now = now

    def mark(self, articles: Sequence[Article]) -> dict[str, str | None]:
        """Decide and store each article's ``copy_of`` (call before upserting them: the upsert reads it).

        Returns the article ids whose entry was written, with their ``copy_of`` (re-pointed older
        articles included). Articles too short to sign are left out.
        """
        signed = {a.id: (a, s) for a in articles if (s := signature(a.text)) is not None and s.size >= MIN_SHINGLES}
        if not signed:
            return {}
        stored = self.index.copy_entries(list(signed))
        keys = {aid: band_keys(s) for aid, (_, s) in signed.items()}
        pool = _Pool(self.index, self.index.copy_candidates(sorted({k for ks in keys.values() for k in ks})))
        for aid, (article, sig) in signed.items():
            old = stored.get(aid)
            if old is not None and old.signature == sig.values:
                continue  # unchanged text: keep the decision (and every re-pointing) made before
            seen = old.seen if old else (article.fetched or self._now())
            entry = CopyEntry(aid, None, article.published, seen, sig.size, sig.values, keys[aid])
            pool.place(entry, sig)
        self.index.put_copies(list(pool.changed.values()))
        return {aid: e.copy_of for aid, e in pool.changed.items()}


class _Pool:
    """One batch's view of the clusters: the stored candidates, plus what this batch changed."""

    def __init__(self, index: Index, candidates: list[CopyEntry]) -> None:
        self.index = index
        self.entries = {e.article_id: e for e in candidates}
        self.by_band: dict[str, set[str]] = {}
        for e in candidates:
            self._add_bands(e)
        self.changed: dict[str, CopyEntry] = {}

    def _add_bands(self, e: CopyEntry) -> None:
        for key in e.bands:
            self.by_band.setdefault(key, set()).add(e.article_id)

    def _put(self, e: CopyEntry) -> None:
        self.entries[e.article_id] = self.changed[e.article_id] = e
        self._add_bands(e)

    def place(self, entry: CopyEntry, sig: Signature) -> None:
        best = self._best_match(entry, sig)
        if best is None:
            self._put(entry)
            return
        root = self._root(best.entry)
        if earlier(root, entry):
            self._put(replace(entry, copy_of=root.article_id))
            return
        # The newcomer is earlier than the cluster's original: it becomes the original.
        self._put(entry)
        for member in [root, *self._members(root.article_id)]:
            if member.article_id != entry.article_id:
                self._put(replace(member, copy_of=entry.article_id))

    def _best_match(self, entry: CopyEntry, sig: Signature) -> Match | None:
        ids = {i for key in entry.bands for i in self.by_band.get(key, ())} - {entry.article_id}
        scored = [Match(e, is_copy(sig, Signature(e.signature, e.size))) for e in map(self.entries.__getitem__, ids)]
        scored = [m for m in scored if m.score > 0]
        return max(scored, key=lambda m: (m.score, m.entry.article_id), default=None)

    def _root(self, e: CopyEntry) -> CopyEntry:
        if e.copy_of is None:
            return e
        if e.copy_of not in self.entries:
            self.entries.update(self.index.copy_entries([e.copy_of]))
        return self.entries.get(e.copy_of, replace(e, copy_of=None))  # an original since pruned: this one leads

    def _members(self, root_id: str) -> list[CopyEntry]:
        """The cluster's copies: stored ones, in the version this batch holds when it changed them."""
        for e in self.index.copies_pointing_to([root_id]):
            self.entries.setdefault(e.article_id, e)
        return [e for e in self.entries.values() if e.copy_of == root_id]
