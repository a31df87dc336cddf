"""Elasticsearch query bodies: text, filters, facets and histograms of claim and article searches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pipeline.index.base import FACET_SIZE, FACETS, ArticleQuery, ClaimQuery
from pipeline.index.query import date_bounds, query_parts

CLAIM_FIELDS = ("content^4", "sentence", "speaker_names^2")  # the SQLite bm25 weights 4, 1, 2
ARTICLE_FIELDS = ("title^3", "text", "source.name.text")  # the SQLite bm25 weights 3, 1, 1
_FACET_FIELD = {"speakers": "speaker.canonical", "entities": "entities.name",
                "stances": "stance", "sources": "source.name",
                "languages": "language"}
FACET_FIELDS = {name: _FACET_FIELD[name] for name in FACETS}  # the keyword field each facet counts
FACETS_AGG = "facets"  # the parent aggregation of the facets' terms aggregations
_WILDCARD_ESCAPES = str.maketrans({"\\": "\\\\", "*": "\\*", "?": "\\?"})


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
    """One page plus one hit (to know whether there is a next page), exact total.

    Ranked by score when there is a text query, else newest first; the id
    breaks ties so ``search_after`` visits every hit exactly once.
    """
    ranked = [{"_score": "desc"}, {"id": "asc"}]
    newest = [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    body: dict[str, Any] = {
        "query": {"bool": {"must": [text] if text else [], "filter": filters}},
        "sort": ranked if text else newest, "size": limit + 1, "track_total_hits": True,
    }
    if after:
        body["search_after"] = after
    return body


def claim_extras(ranked: bool, facets: bool) -> dict[str, Any]:
    """Highlights of the whole content with [[ ]] marks, and facets as terms aggregations."""
    extras: dict[str, Any] = {"source": ["record", "article"]}
    if ranked:
        extras["highlight"] = {"pre_tags": ["[["], "post_tags": ["]]"],
                               "fields": {"content": {"number_of_fragments": 0}}}
    if facets:
        order = [{"_count": "desc"}, {"_key": "asc"}]  # the SQLite order: count, then value
        terms = {name: {"terms": {"field": field, "size": FACET_SIZE, "order": order}}
                 for name, field in FACET_FIELDS.items()}
        # Under a parent aggregation, not at the top: a top-level terms aggregation over a query that
        # matches everything is rewritten into one filter per distinct value ("filter by filter"), and
        # with ~1,000 speakers or entities that costs 5-10 times plain counting on global ordinals.
        extras["aggs"] = {FACETS_AGG: {"filter": {"match_all": {}}, "aggs": terms}}
    return extras


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
