"""Pruning the Elasticsearch index: search + bulk delete, and whole indices dropped where they allow it.

The integ-test server (and any cluster without the module) has no
delete-by-query, so documents go by search + bulk delete, a batch at a time:
per batch thread links first (repairs written before deletions, so a batch
cut short is redone whole), then claims, then the articles, which are how the
next run finds what is left. Space comes back as Lucene merges segments;
``compact`` asks for it (``_forcemerge?only_expunge_deletes``).

Whole indices: a backing index behind the claims or articles alias (see
:mod:`pipeline.index.elastic.rollover`) that is not the alias' write index
and whose newest document is older than the date (a ``max`` aggregation on
``published``; none undated) is dropped after its claims are unlinked from
their threads, instead of deleting its documents one by one; the rest go by
search + bulk delete, each delete sent to the backing index the search found
the document in. The write index is never dropped, so a deployment that has
not rolled over yet prunes document by document. Called by
:class:`~pipeline.index.elastic.ElasticIndex`, which translates driver errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.errors import PermanentError
from pipeline.index.base import CopyEntry
from pipeline.index.elastic import copies as cp
from pipeline.index.elastic import mappings as m
from pipeline.index.elastic import rollover as ro
from pipeline.index.elastic import threads as th
from pipeline.index.retention import PruneCounts, PrunePlan, chunks, is_older, repair_threads

_PAGE = 1000
_UNDATED = {"bool": {"must_not": {"exists": {"field": "published"}}}}


def _old(before: date) -> dict[str, Any]:
    return {"range": {"published": {"lt": before.isoformat()}}}


class ElasticPruner:
    """Prune operations over one prefix's aliases (``aliases``: kind → alias name)."""

    def __init__(self, es: Elasticsearch, aliases: dict[str, str], owners: ro.Owners) -> None:
        self.es = es
        self.claims, self.articles, self.threads = aliases["claims"], aliases["articles"], aliases["threads"]
        self.aliases = aliases
        self.owners = owners

    # --- plan --------------------------------------------------------------------

    def plan(self, before: date) -> PrunePlan:
        self.es.indices.refresh(index=[self.claims, self.articles, self.threads])
        undated = list(self._undated())
        old_undated = [aid for _, aid, fetched in undated if is_older(None, fetched, before)]
        articles, claims, links = self._count(self.articles, _old(before)), self._count(self.claims, _old(before)), 0
        for page in self._pages(self.articles, _old(before), ["id"]):
            links += self._count(self.threads, {"terms": {"article_id": [h["_id"] for h in page]}})
        for chunk in chunks(old_undated, _PAGE):
            claims += self._count(self.claims, {"terms": {"article_id": list(chunk)}})
            links += self._count(self.threads, {"terms": {"article_id": list(chunk)}})
        return PrunePlan(PruneCounts(articles + len(old_undated), claims, links),
                         undated_kept=len(undated) - len(old_undated), whole_indices=tuple(self.expired(before)))

    def _count(self, index: str, query: dict[str, Any]) -> int:
        return int(self.es.count(index=index, query=query)["count"])

    # --- batches -----------------------------------------------------------------

    def prune_batch(self, before: date, limit: int) -> PruneCounts:
        """Up to ``limit`` old articles (oldest first, then undated ones by fetch time) removed with their claims."""
        self.es.indices.refresh(index=self.articles)  # earlier batches' deletions must not be found again
        hits = self.es.search(index=self.articles, query=_old(before), size=limit, source={"includes": ["id"]},
                              sort=[{"published": "asc"}, {"id": "asc"}])["hits"]["hits"]
        articles = [(h["_index"], h["_id"]) for h in hits]
        if len(articles) < limit:
            articles += [(index, aid) for index, aid, fetched in self._undated()
                         if is_older(None, fetched, before)][:limit - len(articles)]
        if not articles:
            return PruneCounts()
        ids = [aid for _, aid in articles]
        claims = self._claims_of(ids)
        links, relinked = self.unlink([cid for _, cid in claims])
        self.forget_copies(ids)
        self._delete(claims)
        self._delete(articles)  # last: a batch cut short is found again by its articles
        self.es.indices.refresh(index=[self.claims, self.articles])
        return PruneCounts(len(articles), len(claims), links, relinked)

    def unlink(self, claim_ids: Sequence[str]) -> tuple[int, int]:
        """Delete the links of ``claim_ids`` and repair their threads: (links deleted, links rewritten)."""
        removed, deleted, rewritten = set(claim_ids), 0, 0
        for chunk in chunks(sorted(removed), _PAGE):
            found = th.links_of(self.es, self.threads, chunk)
            if not found:
                continue
            self.es.indices.refresh(index=self.threads)  # members are searched: unrefreshed links must count
            members = th.members(self.es, self.threads, sorted({lk.thread_id for lk in found.values()}))
            _, rewrite = repair_threads([*members, *found.values()], removed)
            th.put_links(self.es, self.threads, rewrite)  # repairs first: a cut-short batch finds its links again
            self._delete([(self.threads, cid) for cid in sorted(found)])
            deleted, rewritten = deleted + len(found), rewritten + len(rewrite)
        if deleted:
            self.es.indices.refresh(index=self.threads)
        return deleted, rewritten

    def forget_copies(self, article_ids: Sequence[str]) -> None:
        """Drop the copy entries of ``article_ids``; each orphaned cluster's earliest remaining copy becomes its
        original (by date, then seen, as :func:`pipeline.index.sqlite.copies.forget_articles` orders them)."""
        copies = self.aliases.get("copies")
        if copies is None or not self.es.indices.exists(index=copies):
            return
        self.es.indices.refresh(index=copies)  # copies are searched by copy_of: unrefreshed entries must count
        pruned = set(article_ids)
        orphans: dict[str, list[CopyEntry]] = {}
        for entry in cp.pointing_to(self.es, copies, sorted(pruned)):
            if entry.article_id not in pruned:
                orphans.setdefault(entry.copy_of or "", []).append(entry)
        repointed: list[CopyEntry] = []
        for members in orphans.values():
            members.sort(key=lambda e: (e.published is None, e.published or "", e.seen, e.article_id))
            head = members[0].article_id
            repointed += [replace(e, copy_of=None if e.article_id == head else head) for e in members]
        cp.put(self.es, copies, self.owners, repointed)  # repairs first: a cut-short batch finds its entries again
        self._delete([(copies, aid) for aid in sorted(pruned)])
        self.es.indices.refresh(index=copies)

    def _claims_of(self, article_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(backing index, claim id) of the claims of ``article_ids``."""
        found: list[tuple[str, str]] = []
        for chunk in chunks(article_ids, _PAGE):
            for page in self._pages(self.claims, {"terms": {"article_id": list(chunk)}}, ["id"]):
                found += [(h["_index"], h["_id"]) for h in page]
        return found

    def _delete(self, where: Sequence[tuple[str, str]]) -> None:
        """Delete each (index, id): a backing index found by a search, or a one-index alias (threads, copies)."""
        actions = ({"_op_type": "delete", "_index": index, "_id": i} for index, i in where)
        for ok, item in helpers.streaming_bulk(self.es, actions, chunk_size=_PAGE, raise_on_error=False,
                                               max_retries=0):
            info = item.get("delete", {})
            if not ok and info.get("status") != 404:  # already gone: a re-run
                raise PermanentError(f"delete from {info.get('_index')} refused: {m.error_reason(info.get('error'))}")

    # --- whole indices ------------------------------------------------------------

    def expired(self, before: date) -> list[str]:
        """Non-write indices behind the claims and articles aliases holding only documents older than ``before``."""
        out = []
        for alias in (self.claims, self.articles):
            info = self.es.indices.get_alias(name=alias).body
            if len(info) < 2:  # the alias' only index takes the writes
                continue
            for index, meta in sorted(info.items()):
                if not meta["aliases"][alias].get("is_write_index") and self._only_older(index, before):
                    out.append(index)
        return out

    def _only_older(self, index: str, before: date) -> bool:
        resp = self.es.search(index=index, size=0, aggs={"newest": {"max": {"field": "published"}}},
                              query={"match_all": {}}, track_total_hits=True)
        undated = self._count(index, _UNDATED)
        newest = resp["aggregations"]["newest"].get("value_as_string")
        return undated == 0 and (newest is None or newest < before.isoformat())

    def drop_expired(self, before: date) -> list[str]:
        """Drop :meth:`expired` indices; a claims index's claims are unlinked from their threads first."""
        dropped = []
        for index in self.expired(before):
            if index.startswith(f"{self.claims}-"):
                for page in self._pages(index, {"match_all": {}}, []):
                    self.unlink([h["_id"] for h in page])
            else:  # an articles index: its articles' claims (in other indices) and their links go first
                for page in self._pages(index, {"match_all": {}}, []):
                    claims = self._claims_of([h["_id"] for h in page])
                    self.unlink([cid for _, cid in claims])
                    self.forget_copies([h["_id"] for h in page])
                    self._delete(claims)
            self.es.indices.delete(index=index, ignore_unavailable=True)
            dropped.append(index)
        if dropped:
            self.owners.reload()
        return dropped

    # --- space -------------------------------------------------------------------

    def compact(self) -> str:
        """Expunge deleted documents (segments where they are many are rewritten)."""
        indices = [self.claims, self.articles, self.threads]
        self.es.options(request_timeout=3600).indices.forcemerge(index=indices, only_expunge_deletes=True)
        return f"force-merged {', '.join(indices)} (only_expunge_deletes)"

    # --- paging ------------------------------------------------------------------

    def _undated(self) -> Iterator[tuple[str, str, str | None]]:
        """(backing index, id, fetched) of every article without a publication date (few: the poller dates)."""
        for page in self._pages(self.articles, _UNDATED, ["record.fetched"]):
            for h in page:
                yield h["_index"], h["_id"], (h.get("_source", {}).get("record") or {}).get("fetched")

    def _pages(self, index: str, query: dict[str, Any], source: list[str]) -> Iterator[list[dict[str, Any]]]:
        """Pages of hits sorted by id (search_after), a page at a time."""
        after = None
        while True:
            body: dict[str, Any] = {"query": query, "sort": [{"id": "asc"}], "size": _PAGE,
                                    "source": source or False}
            if after:
                body["search_after"] = after
            page = self.es.search(index=index, **body)["hits"]["hits"]
            if page:
                yield page
            if len(page) < _PAGE:
                return
            after = page[-1]["sort"]
