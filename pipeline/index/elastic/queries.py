"""Elasticsearch query bodies: text, filters, facets and histograms of claim and article searches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pipeline.index import base
from pipeline.index.base import FACET_SIZE, FACETS, ArticleQuery, ClaimQuery
from pipeline.index.query import Slot, date_bounds, encode_cursor, query_parts

CLAIM_FIELDS = ("content^4", "sentence", "speaker_names^2")  # the SQLite bm25 weights 4, 1, 2
ARTICLE_FIELDS = ("title^3", "text", "source.name.text")  # the SQLite bm25 weights 3, 1, 1
_FACET_FIELD = {"speakers": "speaker.canonical", "entities": "entities.name",
                "stances": "stance", "sources": "source.name",
                "languages": "language"}
FACET_FIELDS = {name: _FACET_FIELD[name] for name in FACETS}  # the keyword field each facet counts
FACETS_AGG = "facets"  # the parent aggregation of the facets' terms aggregations
# Facets count the best FACET_SAMPLE matches (by score; without words, the newest): exact whenever there are
# fewer, as on the embedded index (its CANDIDATES). Counting every match cost O(matches) reads of five fields
# per search; a ranked sample costs a heap check per match, a newest-first one a few thousand documents.
FACET_SAMPLE = 2000
_LONG_MIN = -(2**63)  # the sort value of an undated claim in the newest-first sort (missing: _last)
_BY_DATE = {"published": {"order": "desc", "missing": "_last"}}  # the claims index's own sort (mappings.CLAIMS)
NEWEST = [_BY_DATE, {"id": "asc"}]
_WILDCARD_ESCAPES = str.maketrans({"\\": "\\\\", "*": "\\*", "?": "\\?"})

# A page cursor holds the last hit's sort values: its score (ranked) or its date as a long (newest first;
# Long.MIN_VALUE when undated), then its id (see queries.search_body).
CURSOR: tuple[Slot, ...] = ("number", "text")


def next_cursor(hits: list[dict[str, Any]], limit: int) -> str | None:
    """A cursor after the page's last hit, when there is at least one more hit (the search asks limit + 1)."""
    return encode_cursor(hits[limit - 1]["sort"]) if len(hits) > limit > 0 else None


def text_query(text: str, fields: tuple[str, ...],
               ranking: Callable[[list[str], list[str]], list[str]] | None = None) -> dict[str, Any] | None:
    """Quoted phrases must match (in any field); the other words rank with OR semantics.

    The same reading of the query as the SQLite index's FTS5 expression;
    ``ranking(phrases, words)`` picks the words that rank (see ``pipeline.index.elastic.words``).
    """
    phrases, words = query_parts(text)
    if ranking is not None:
        words = ranking(phrases, words)
    must: list[dict[str, Any]] = [
        {"multi_match": {"query": p, "type": "phrase", "fields": list(fields)}} for p in phrases]
    if words:
        # most_fields sums the per-field scores, as FTS5's bm25 sums over columns.
        must.append({"multi_match": {"query": " ".join(words), "type": "most_fields",
                                     "operator": "or", "fields": list(fields)}})
    return {"bool": {"must": must}} if must else None


def contains(fields: tuple[str, ...], value: str) -> dict[str, Any]:
    """Case-insensitive substring match on any of ``fields``: SQL ``LIKE '%value%'``."""
    pattern = f"*{value.translate(_WILDCARD_ESCAPES)}*"
    should = [{"wildcard": {f: {"value": pattern, "case_insensitive": True}}} for f in fields]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def date_range(since: date | None, until: date | None) -> dict[str, Any] | None:
    """Inclusive dates on ``published`` (the query itself refuses since > until)."""
    low, high = date_bounds(since, until)
    bounds = {k: v for k, v in (("gte", low), ("lt", high)) if v}
    return {"range": {"published": bounds}} if bounds else None


Clause = Callable[[Any], dict[str, Any] | None]
# Each filter's clause, by filter name (pipeline.filters): the one place a filter meets this backend.
# A claim document and an article document keep the outlet and the date under the same fields.
CLAUSES: dict[str, Clause] = {
    "speaker": lambda v: contains(("speaker.canonical", "speaker.text"), v),
    "entity": lambda v: contains(("entities.name", "entities.text"), v),
    "stance": lambda v: {"term": {"stance": v}},
    "source": lambda v: contains(("source.name", "source.domain"), v),
    "language": lambda v: {"term": {"language": v}},
    "since": lambda v: date_range(v, None),
    "until": lambda v: date_range(None, v),
}


def filters_of(q: ClaimQuery | ArticleQuery) -> list[dict[str, Any]]:
    """The filter clauses of the filters set on ``q``, AND-ed by the caller (``bool.filter``)."""
    clauses = (CLAUSES[name](value) for name, value in q.filter_values().items())
    found = [c for c in clauses if c]
    if not q.all_copies:  # collapsed: a wire copy's documents stay out (shown under the original's hit); first,
        found.insert(0, {"bool": {"must_not": {"exists": {"field": "copy_of"}}}})  # the filters follow in order
    return found


def search_body(text: dict[str, Any] | None, filters: list[dict[str, Any]], limit: int,
                after: list[Any] | None) -> dict[str, Any]:
    """One page plus one hit (to know whether there is a next page); the total exact up to
    :data:`~pipeline.index.base.TOTAL_BOUND` matches, a lower bound beyond (see :func:`total_of`).

    Ranked by score when there is a text query, else newest first (the
    claims index is sorted so: the page is read from the front of each
    segment); the id breaks ties so ``search_after`` visits every hit
    exactly once. Filters are in filter context (no scoring; cached by the
    server when reused). The bound is read at each call (tests lower it);
    counting stops there, so a search matching most of the index does not
    visit every match for its total.
    """
    ranked = [{"_score": "desc"}, {"id": "asc"}]
    body: dict[str, Any] = {
        "query": {"bool": {"must": [text] if text else [], "filter": filters}},
        "sort": ranked if text else NEWEST, "size": limit + 1, "track_total_hits": base.TOTAL_BOUND,
    }
    if after:
        body["search_after"] = after
    return body


def total_of(hits_total: Mapping[str, Any]) -> tuple[int, bool]:
    """``hits.total`` (``{"value", "relation"}``) as (total, exact): exact when the relation is ``eq``;
    ``gte`` means the server stopped counting at ``track_total_hits`` and ``value`` is a lower bound."""
    return int(hits_total["value"]), hits_total["relation"] == "eq"


def claim_extras(ranked: bool, facets: bool) -> dict[str, Any]:
    """Highlights of the whole content with [[ ]] marks; a ranked search's facets as terms aggregations over
    its best-scored :data:`FACET_SAMPLE` matches (all of them when there are fewer; per shard).

    An unranked search's facets are a request of their own (:func:`newest_sample_body`, then
    :func:`newest_facets_body`): no aggregation is added for them here.
    """
    extras: dict[str, Any] = {"source": ["record", "article"]}
    if ranked:
        extras["highlight"] = {"pre_tags": ["[["], "post_tags": ["]]"],
                               "fields": {"content": {"number_of_fragments": 0}}}
    if facets and ranked:
        # The sampler keeps the best-scored matches and runs the terms aggregations on those alone.
        extras["aggs"] = {FACETS_AGG: {"sampler": {"shard_size": FACET_SAMPLE}, "aggs": _facet_terms()}}
    return extras


def wire_body(body: dict[str, Any]) -> dict[str, Any]:
    """A search body as a multi-search item carries it: ``source`` (the client's keyword) as ``_source``."""
    return {("_source" if k == "source" else k): v for k, v in body.items()}


def _facet_terms() -> dict[str, Any]:
    order = [{"_count": "desc"}, {"_key": "asc"}]  # the SQLite order: count, then value
    return {name: {"terms": {"field": field, "size": FACET_SIZE, "order": order}}
            for name, field in FACET_FIELDS.items()}


def newest_sample_body(filters: list[dict[str, Any]]) -> dict[str, Any]:
    """The :data:`FACET_SAMPLE`-th newest match of an unranked search (none when there are fewer matches).

    Sorted by the date alone, the claims index's own sort, so each segment stops after its first
    FACET_SAMPLE matches (a sort that also orders by id visits every match). Ties need no id: the
    FACET_SAMPLE-th date of the matches newest first is the same whichever way equal dates are ordered,
    and the facets count every match from that date on (:func:`newest_facets_body`), ties at the cutoff
    included, so the counted set is the one the date-then-id sort gave.
    """
    return {"query": {"bool": {"filter": filters}}, "sort": [_BY_DATE], "from": FACET_SAMPLE - 1, "size": 1,
            "track_total_hits": False, "_source": False}


def newest_cutoff(response: dict[str, Any]) -> int | None:
    """The publication time (epoch ms) from which the newest sample runs; None: count every match."""
    hits = response["hits"]["hits"]
    if not hits or hits[0]["sort"][0] == _LONG_MIN:  # fewer matches, or undated ones within the sample
        return None
    return int(hits[0]["sort"][0])


def newest_facets_body(filters: list[dict[str, Any]], cutoff: int | None) -> dict[str, Any]:
    """Facets of the matches published at ``cutoff`` or later (the newest FACET_SAMPLE, ties at the cutoff
    included), or of every match when ``cutoff`` is None."""
    since = [{"range": {"published": {"gte": cutoff, "format": "epoch_millis"}}}] if cutoff is not None else []
    # Under a parent aggregation, not at the top: a top-level terms aggregation over a query that
    # matches everything is rewritten into one filter per distinct value ("filter by filter"), and
    # with ~1,000 speakers or entities that costs 5-10 times plain counting on global ordinals.
    return {"query": {"bool": {"filter": [*filters, *since]}}, "size": 0, "track_total_hits": False,
            "aggs": {FACETS_AGG: {"filter": {"match_all": {}}, "aggs": _facet_terms()}}}


def facet_buckets(aggregations: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """The facets of a response to a body with :func:`claim_extras`' aggregations."""
    found = aggregations[FACETS_AGG]
    return {name: [(b["key"], b["doc_count"]) for b in found[name]["buckets"]] for name in FACET_FIELDS}


HISTOGRAM_INTERVALS = {"day": "day", "week": "week", "month": "month"}


def histogram_body(filters: list[dict[str, Any]], text: dict[str, Any] | None, interval: str) -> dict[str, Any]:
    """Matches per calendar period (weeks start on Monday), named by the period's first day."""
    return {"query": {"bool": {"must": [text] if text else [], "filter": filters}}, "size": 0,
            "aggs": {"periods": {"date_histogram": {
                "field": "published", "calendar_interval": HISTOGRAM_INTERVALS[interval],
                "format": "yyyy-MM-dd", "min_doc_count": 1}}}}


def article_extras(ranked: bool) -> dict[str, Any]:
    extras: dict[str, Any] = {"source": ["id", "title", "url", "published", "source"]}
    if ranked:
        extras["highlight"] = {"pre_tags": ["[["], "post_tags": ["]]"], "fields": {"text": {
            "fragment_size": 150, "number_of_fragments": 1, "no_match_size": 150}}}
    return extras
