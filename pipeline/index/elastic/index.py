"""The distributed index: Elasticsearch via elasticsearch-py (this package is its only importer).

Guarantees, the same as :class:`~pipeline.index.sqlite.SqliteIndex`:

- one document per article and per current claim, ``_id`` = record id, so
  upserts are idempotent and safe to retry, across rollovers too: claims and
  articles live in time-based backing indices behind their aliases, and a
  record re-indexed after a rollover overwrites the document in the index
  that holds it (:mod:`pipeline.index.elastic.rollover`);
- outages (connection errors, timeouts, 429, 5xx) become
  :class:`~pipeline.errors.BackendUnavailable` after the client's own quick
  retries; backing off is the caller's (the worker's retry loop); documents the cluster refuses for good come back as
  :class:`~pipeline.index.base.IndexFailure` values, never as exceptions;
- no ``elasticsearch``/``elastic_transport`` exception escapes this module,
  and no secret is ever logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.config import IndexSettings
from pipeline.errors import ConfigError
from pipeline.index.base import (
    ArticleHit,
    ArticleQuery,
    ArticleRef,
    ClaimHit,
    ClaimQuery,
    CopyEntry,
    IndexFailure,
    SearchResult,
    ThreadLink,
)
from pipeline.index.elastic import bulk, queries
from pipeline.index.elastic import copies as cp
from pipeline.index.elastic import documents as docs
from pipeline.index.elastic import mappings as m
from pipeline.index.elastic import rollover as ro
from pipeline.index.elastic import threads as th
from pipeline.index.elastic.client import make_client, status_error, translated
from pipeline.index.elastic.schema import ElasticSchemas
from pipeline.index.elastic.upkeep import ElasticUpkeep
from pipeline.index.elastic.words import WordFrequencies
from pipeline.index.query import decode_cursor
from pipeline.records import Claim, EnrichedArticle, from_dict

log = logging.getLogger(__name__)



class ElasticIndex(ElasticUpkeep):
    """The :class:`~pipeline.index.base.Index` over Elasticsearch aliases ``<prefix>claims``/``<prefix>articles``
    (each over time-based backing indices, rolled over by :meth:`upsert`), ``<prefix>threads`` and
    ``<prefix>copies``."""

    def __init__(self, url: str, settings: IndexSettings | None = None, *, prefix: str = "",
                 schemas: Sequence[m.IndexSchema] = m.SCHEMAS, timeout_s: float = 10.0) -> None:
        if prefix != prefix.lower():
            raise ConfigError(f"index prefix {prefix!r} must be lower case")
        self.settings = settings or IndexSettings(url=url)
        self.prefix = prefix
        self._es = make_client(url, self.settings, timeout_s)
        self._schemas = ElasticSchemas(self._es, url, prefix, self.settings, schemas)
        self._ready = False
        self._unrefreshed_links = False  # thread links written since the last refresh
        self._unrefreshed_copies = False  # copy entries likewise
        self._owners = ro.Owners(self._es, {kind: self.alias(kind) for kind in ro.ROLLED})
        self._rollover = ro.Rollover(self._es, self._owners, self.settings.rollover)
        self._words = WordFrequencies(self._es, self.alias("claims"), queries.CLAIM_FIELDS,
                                      indices=lambda: self._owners.backing("claims"))

    def alias(self, kind: str) -> str:
        return self._schemas.alias(kind)

    def concrete(self, kind: str, version: int | None = None) -> str:
        return self._schemas.concrete(kind, version)

    # --- schema ------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Templates, versioned indices and aliases. Idempotent; migrates an older version.

        When the alias points to an older ``-vN`` index, the current version's
        index is created, filled by a server-side reindex and swapped in with
        one atomic alias update; the old index is kept for rollback. Pause
        writers while migrating: writes to the old index during the reindex
        are not carried over. Rollover layout (claims and articles): an
        index made before rollover existed, alone behind its alias, is
        marked the alias' write index here and so becomes the first backing
        index, still read through the alias after the first rollover; a
        version bump gathers every backing index into the new ``-vN`` index.
        Upgrade every writer before the first rollover (see
        :mod:`pipeline.index.elastic.rollover`).
        """
        with translated("ensure_schema", bad_request=ConfigError):
            analyzer = self._schemas.text_analyzer()
        for schema in self._schemas.schemas.values():
            with translated(f"ensure_schema({schema.kind})", bad_request=ConfigError):
                self._schemas.ensure(schema, analyzer)
        self._ready = True

    def exists(self) -> bool:
        """Whether every alias of this index is there (an indexer has created it); creates nothing."""
        with translated("exists"):
            return all(bool(self._es.indices.exists_alias(name=self.alias(kind))) for kind in self._schemas.schemas)

    def _ensure_ready(self) -> None:
        """ensure_schema once per instance before the first read or write, as SqliteIndex does."""
        if not self._ready:
            self.ensure_schema()

    def indices(self) -> dict[str, list[str]]:
        """The concrete indices behind each alias: ``{"claims": ["claims-v1"], ...}``."""
        with translated("get_alias"):
            return self._schemas.targets()

    def rollover(self, kind: str, force: bool = False) -> str | None:
        """Roll ``kind`` (claims or articles) over now if a configured condition is met (``force``: whatever
        the conditions); the new write index, None when nothing rolled. The indexer does this by itself
        (see :meth:`upsert`); this is for operators and tests."""
        self._ensure_ready()
        with translated(f"rollover {kind}"):
            self._owners.reload()
            return self._rollover.roll(kind, force=force)

    def drop(self) -> None:
        """Delete this prefix's indices, aliases and templates (tests and resets only)."""
        with translated("drop"):
            for kind in self._schemas.schemas:
                alias = self.alias(kind)
                found = self._es.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="all")
                for index in found.body:
                    self._es.indices.delete(index=index, ignore_unavailable=True)
                self._es.options(ignore_status=404).indices.delete_index_template(name=alias)

    # --- writing -----------------------------------------------------------------

    def upsert(self, batch: Sequence[EnrichedArticle]) -> list[IndexFailure]:
        """Bulk-write articles and claims and delete each article's stale claims.

        Stale claims are found from the claim ids stored on the previous
        version of the article document, read in real time, so they go even
        if that version was never refreshed into search. Each document is
        written to the backing index that holds it (new ones through the
        alias, to the write index), so a rollover never duplicates one; a
        rollover itself is checked for first, at most every
        ``[index.rollover] check_s`` seconds.
        """
        if not batch:
            return []
        self._ensure_ready()
        with translated("rollover"):
            self._rollover.maybe()
        owned = self._owned(batch)
        with translated("get copy entries"):  # a re-indexed copy keeps its mark
            marks = cp.marks(self._es, self.alias("copies"), [e.article.id for e in batch])
        claims, articles = bulk.actions(batch, owned, marks, self.alias("claims"), self.alias("articles"))
        # Article documents go in a second request, once every claim write has landed: a retry of the
        # batch (after BackendUnavailable) then still finds the previous claim ids on the old article.
        failures = bulk.send(self._es, claims)
        for owner, reason in bulk.send(self._es, articles).items():
            failures.setdefault(owner, reason)
        return [IndexFailure(article_id, reason) for article_id, reason in failures.items()]

    def _owned(self, batch: Sequence[EnrichedArticle]) -> dict[str, dict[str, ro.Found]]:
        """The documents of ``batch`` already indexed (kind → id → owner; articles with their stored state),
        the stale claims their previous versions name included."""
        claim_ids = [c.id for e in batch for c in e.claims]
        with translated("locate documents"):
            owned = self._owners.locate({"articles": [e.article.id for e in batch], "claims": claim_ids},
                                        {"articles": ["state"]})
            stale = {cid for f in owned["articles"].values() for cid in f.source.get("state", {}).get("claim_ids", [])}
            stale -= set(claim_ids)
            if stale:  # rare (an article re-sent with other claims): a second round trip
                owned["claims"].update(self._owners.locate({"claims": sorted(stale)}, {})["claims"])
        return owned

    # --- reading -----------------------------------------------------------------

    def _ranking(self, phrases: list[str], words: list[str]) -> list[str]:
        """The search words that rank: without those in most claims (as on the embedded index)."""
        self._ensure_ready()
        with translated("term statistics"):
            return self._words.ranking(phrases, words)

    def search_claims(self, query: ClaimQuery) -> SearchResult:
        """One page of claims, its facets and each hit's copies, in two rounds of multi-search at most.

        Ranked (or without facets): the page (facets aggregated in it) beside a probe for any copy mark;
        the hits' copies are looked up after only when there is one. Unranked with facets: the page beside
        the newest sample's cutoff, then the facets from the cutoff beside the copies of the page's articles.
        """
        text = queries.text_query(query.text, queries.CLAIM_FIELDS, self._ranking)
        filters = queries.filters_of(query)
        body = queries.search_body(text, filters, query.limit, decode_cursor(query.after, queries.CURSOR))
        body.update(queries.claim_extras(ranked=text is not None, facets=query.facets))
        collapse = not query.all_copies
        if collapse:
            with translated("search copies"):
                self._copies_searchable()
        copies = {"index": self.alias("copies")}
        if query.facets and text is None:  # the facets of the newest matches: found first, counted apart
            resp, sample = self._msearch("claims", [queries.wire_body(body), queries.newest_sample_body(filters)])
            articles = [h["_source"]["article"]["id"] for h in resp["hits"]["hits"][:query.limit]]
            bodies = [queries.newest_facets_body(filters, queries.newest_cutoff(sample))]
            if collapse and articles:
                bodies.append(cp.pointing_body(articles))
            counted, *pointing = self._msearch("claims", bodies, [{}, copies])
            facets = queries.facet_buckets(counted["aggregations"])
            first = pointing[0]["hits"]["hits"] if pointing else []
        else:
            resp, *probe = self._msearch("claims", [queries.wire_body(body), *([cp.ANY_COPY] if collapse else [])],
                                         [{}, copies])
            facets = queries.facet_buckets(resp["aggregations"]) if query.facets else {}
            first = None if probe and probe[0]["hits"]["total"]["value"] else []
        hits = resp["hits"]["hits"]
        page = [docs.claim_hit(h, ranked=text is not None) for h in hits[:query.limit]]
        total, exact = queries.total_of(resp["hits"]["total"])
        result = SearchResult(total, page, facets, queries.next_cursor(hits, query.limit), total_exact=exact)
        return self._with_copies(result, collapse, first)

    def search_articles(self, query: ArticleQuery) -> SearchResult:
        text = queries.text_query(query.text, queries.ARTICLE_FIELDS)
        body = queries.search_body(text, queries.filters_of(query), query.limit, decode_cursor(query.after, queries.CURSOR))
        body.update(queries.article_extras(ranked=text is not None))
        resp = self._search("articles", body)
        hits = resp["hits"]["hits"]
        page = [ArticleHit(docs.ref_of(h["_source"]), float(h["_score"] or 0.0) if text else 0.0,
                           (h.get("highlight", {}).get("text") or [""])[0])
                for h in hits[:query.limit]]
        total, exact = queries.total_of(resp["hits"]["total"])
        result = SearchResult(total, page, {}, queries.next_cursor(hits, query.limit), total_exact=exact)
        return self._with_copies(result, not query.all_copies)

    def get_claim(self, claim_id: str) -> ClaimHit | None:
        source = self._mget("claims", [claim_id], ["record", "article"]).get(claim_id)
        return None if source is None else ClaimHit(from_dict(source["record"]), docs.ref_of(source["article"]), 0.0)

    def get_article(self, article_id: str) -> EnrichedArticle | None:
        return self.get_articles([article_id]).get(article_id)

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, EnrichedArticle]:
        """Two real-time multi-gets: the articles, then the claims their stored claim ids name."""
        articles = self._mget("articles", article_ids, ["record", "entities", "state"])
        claim_ids = [cid for src in articles.values() for cid in src.get("state", {}).get("claim_ids", [])]
        claims = {cid: from_dict(src["record"]) for cid, src in self._mget("claims", claim_ids, ["record"]).items()}
        return {aid: docs.enriched_of(src, claims) for aid, src in articles.items()}

    def _mget(self, kind: str, doc_ids: Sequence[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        """Sources of the claims or articles ``doc_ids`` that exist, in whichever backing index (real time)."""
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        self._ensure_ready()
        with translated(f"mget {kind}"):
            found = self._owners.locate({kind: ids}, {kind: fields})[kind]
        return {i: f.source for i, f in found.items()}

    def claim_histogram(self, query: ClaimQuery, interval: str) -> list[tuple[str, int]]:
        body = queries.histogram_body(queries.filters_of(query), queries.text_query(query.text, queries.CLAIM_FIELDS, self._ranking),
                                interval)
        resp = self._search("claims", body)
        return [(b["key_as_string"], b["doc_count"]) for b in resp["aggregations"]["periods"]["buckets"]]

    def _search(self, kind: str, body: dict[str, Any]) -> Any:
        self._ensure_ready()
        with translated(f"search {kind}"):
            return self._es.search(index=self.alias(kind), **body)

    def _msearch(self, kind: str, bodies: list[dict[str, Any]],
                 headers: Sequence[dict[str, Any]] = ()) -> list[Any]:
        """The responses of one multi-search, in order; an item's error raises as a whole search's would.
        ``headers``: the items' headers, by position (``{"index": ...}`` searches another index than kind's)."""
        if not bodies:
            return []
        self._ensure_ready()
        heads = [*headers, *[{}] * len(bodies)][:len(bodies)]
        with translated(f"msearch {kind}"):
            responses = self._es.msearch(index=self.alias(kind), searches=[x for hb in zip(heads, bodies, strict=True) for x in hb])
        for item in responses["responses"]:
            if "error" in item:
                raise status_error(f"msearch {kind}", int(item.get("status", 500)), m.error_reason(item["error"]))
        return list(responses["responses"])

    # --- wire copies (see pipeline.index.elastic.copies) ---------------------------

    def _copies_searchable(self) -> None:
        """Refresh the copies index when this object wrote entries since: a search sees only refreshed ones."""
        self._ensure_ready()
        if self._unrefreshed_copies:
            self._es.indices.refresh(index=self.alias("copies"))
            self._unrefreshed_copies = False

    def copy_candidates(self, bands: Sequence[str]) -> list[CopyEntry]:
        with translated("search copies"):
            self._copies_searchable()
            return cp.candidates(self._es, self.alias("copies"), bands)

    def copy_entries(self, article_ids: Sequence[str]) -> dict[str, CopyEntry]:
        self._ensure_ready()
        with translated("get copies"):
            return cp.entries(self._es, self.alias("copies"), article_ids)

    def copies_pointing_to(self, original_ids: Sequence[str]) -> list[CopyEntry]:
        with translated("search copies"):
            self._copies_searchable()
            return cp.pointing_to(self._es, self.alias("copies"), original_ids)

    def put_copies(self, entries: Sequence[CopyEntry]) -> None:
        self._ensure_ready()
        self._unrefreshed_copies = True  # before the request: a failed write may still have landed
        with translated("put copies"):
            cp.put(self._es, self.alias("copies"), self._owners, entries)

    def copies_of(self, article_ids: Sequence[str]) -> dict[str, list[ArticleRef]]:
        with translated("search copies"):
            self._copies_searchable()
            return cp.copies_of(self._es, self.alias("copies"), self._owners, article_ids)

    def _with_copies(self, result: SearchResult, collapse: bool,
                     first: list[dict[str, Any]] | None = None) -> SearchResult:
        """Each hit with its article's copies (collapsed searches only); ``first``: the first page of the
        copies' entries, fetched already ([] when none can exist), else None."""
        if not collapse or not result.hits or first == []:
            return result
        with translated("search copies"):
            self._copies_searchable()
            found = cp.copies_of(self._es, self.alias("copies"), self._owners,
                                 [h.article.id for h in result.hits], first)
        return replace(result, hits=[replace(h, copies=tuple(found.get(h.article.id, ()))) for h in result.hits])

    # --- threads -------------------------------------------------

    def put_thread_links(self, links: Sequence[ThreadLink]) -> None:
        self._ensure_ready()
        self._unrefreshed_links = True  # before the request: a failed write may still have landed
        with translated("put thread links"):
            th.put_links(self._es, self.alias("threads"), links)

    def thread_links(self, claim_ids: Sequence[str]) -> dict[str, ThreadLink]:
        self._ensure_ready()
        with translated("get thread links"):
            return th.links_of(self._es, self.alias("threads"), claim_ids)

    def thread_members(self, thread_ids: Sequence[str]) -> list[ThreadLink]:
        self._ensure_ready()
        with translated("search threads"):
            if self._unrefreshed_links and thread_ids:  # a search sees only refreshed links
                self._es.indices.refresh(index=self.alias("threads"))
                self._unrefreshed_links = False
            return th.members(self._es, self.alias("threads"), thread_ids)

    def similar_claims(self, text: str, limit: int) -> list[Claim]:
        return self.similar_claims_many([text], limit)[0]

    def similar_claims_many(self, texts: Sequence[str], limit: int) -> list[list[Claim]]:
        """One multi-search for every text with words."""
        texts_queries = [queries.text_query(text, queries.CLAIM_FIELDS) for text in texts]
        bodies = [{"query": q, "size": limit, "_source": ["record"], "sort": [{"_score": "desc"}, {"id": "asc"}],
                   "track_total_hits": False} for q in texts_queries if q is not None]
        found = iter(self._msearch("claims", bodies))
        return [[from_dict(h["_source"]["record"]) for h in next(found)["hits"]["hits"]] if q is not None else []
                for q in texts_queries]

    # --- housekeeping ------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        self._ensure_ready()
        with translated("count"):
            return {kind: int(self._es.count(index=self.alias(kind))["count"]) for kind in ("articles", "claims")}

    def language_counts(self) -> dict[str, int]:
        body = {"size": 0, "aggs": {"languages": {"terms": {"field": "language", "size": 1000, "missing": "und",
                                                            "order": [{"_count": "desc"}, {"_key": "asc"}]}}}}
        response = self._search("articles", body)
        return {b["key"]: int(b["doc_count"]) for b in response["aggregations"]["languages"]["buckets"]}

    def refresh(self) -> None:
        self._ensure_ready()
        with translated("refresh"):
            self._es.indices.refresh(index=[self.alias(k) for k in self._schemas.schemas])
        self._unrefreshed_links = self._unrefreshed_copies = False

    def close(self) -> None:
        self._es.close()

