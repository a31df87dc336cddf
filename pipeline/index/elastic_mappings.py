"""Elasticsearch mappings, documents and query bodies for claims and articles: pure, no I/O.

A mapping change means a new version: bump the kind's ``version`` below and
``ElasticIndex.ensure_schema`` creates ``<alias>-v<N>``, reindexes the old
index into it and swaps the alias atomically. Mappings are ``dynamic:
strict``, so a document carrying an unmapped field is refused (a per-document
failure) instead of silently growing the mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from pipeline.index.base import FACET_SIZE, FACETS, ArticleQuery, ClaimQuery
from pipeline.index.query import date_bounds, query_parts
from pipeline.records import Article, Claim, EnrichedArticle, to_dict

# The english analyzer (stopwords + Porter stemming) is the nearest match to
# the SQLite index's porter tokenizer plus query-side stopword removal.
_TEXT = {"type": "text", "analyzer": "english"}
# Names: exact keyword for facets and filters, plus analyzed text for ranking.
_NAME = {"type": "keyword", "ignore_above": 512, "fields": {"text": _TEXT}}
_STORED = {"type": "object", "enabled": False}  # kept in _source, never indexed
_DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}


@dataclass(frozen=True, slots=True)
class IndexSchema:
    """One kind of document: its alias suffix, mapping version and mappings."""

    kind: str
    version: int
    mappings: dict[str, Any]

    def settings(self, shards: int, replicas: int) -> dict[str, Any]:
        return {"number_of_shards": shards, "number_of_replicas": replicas}


CLAIMS = IndexSchema("claims", 1, {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "article_id": {"type": "keyword"},
        "ordinal": {"type": "integer"},
        "content": _TEXT,
        "sentence": _TEXT,
        # speaker.text and speaker.canonical are copied here so one field carries
        # both, as the SQLite "speaker" column does.
        "speaker_names": _TEXT,
        "speaker": {"properties": {
            "text": {**_NAME, "copy_to": "speaker_names"},
            "canonical": {**_NAME, "copy_to": "speaker_names"},
            "label": {"type": "keyword"},
        }},
        "stance": {"type": "keyword"},
        "quote": {"type": "boolean"},
        "cue": {"properties": {"text": {"type": "keyword"}, "lemma": {"type": "keyword"}}},
        # Flattened arrays suffice: every entity filter is "name OR text matches",
        # and ∃e: A(e) ∨ B(e) equals (∃e: A(e)) ∨ (∃e: B(e)), so nested buys nothing.
        "entities": {"properties": {
            "name": _NAME, "text": _NAME, "label": {"type": "keyword"},
        }},
        "source": {"properties": {"name": _NAME, "domain": {"type": "keyword"}}},
        "published": _DATE,
        "article": _STORED,  # the ArticleRef, denormalized: no lookup per hit
        "record": _STORED,  # the claim as to_dict() wrote it, to rebuild it exactly
    },
})

ARTICLES = IndexSchema("articles", 2, {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "title": _TEXT,
        "text": _TEXT,
        "summary": _TEXT,
        "url": {"type": "keyword", "index": False},
        "language": {"type": "keyword"},
        "source": {"properties": {"name": _NAME, "domain": {"type": "keyword"}}},
        "published": _DATE,
        "record": _STORED,
        "entities": _STORED,  # v2: the article's entities (asdict), for the article view
        # The claim ids written with this version of the article, read back in
        # real time (GET) so stale claims are deleted even before a refresh.
        "state": _STORED,
    },
})

# Thread links, one per claim (``_id`` = claim id), apart from the claim documents
# so that re-indexing an article keeps its claims' threads.
THREADS = IndexSchema("threads", 1, {
    "dynamic": "strict",
    "properties": {
        "claim_id": {"type": "keyword"},
        "article_id": {"type": "keyword"},
        "thread_id": {"type": "keyword"},
        "stance": {"type": "keyword"},
        "denies": {"type": "keyword"},
        "source": {"type": "keyword"},
        "speaker": {"type": "keyword"},
    },
})

SCHEMAS = (CLAIMS, ARTICLES, THREADS)


def with_analyzer(mapping: Any, analyzer: str) -> Any:
    """The mapping with every text field's ``english`` analyzer replaced by ``analyzer``."""
    if isinstance(mapping, dict):
        return {k: analyzer if k == "analyzer" and v == "english" else with_analyzer(v, analyzer)
                for k, v in mapping.items()}
    return mapping


def article_ref(article: Article) -> dict[str, Any]:
    return {"id": article.id, "title": article.title, "url": article.url,
            "published": article.published, "source": article.source.name}


def article_doc(enriched: EnrichedArticle) -> dict[str, Any]:
    a = enriched.article
    return {
        "id": a.id, "title": a.title, "text": a.text, "summary": a.summary, "url": a.url,
        "language": a.language, "source": {"name": a.source.name, "domain": a.source.domain},
        "published": a.published, "record": to_dict(a), "entities": [asdict(e) for e in enriched.entities],
        "state": {"claim_ids": [c.id for c in enriched.claims]},
    }


def claim_doc(claim: Claim, article: Article) -> dict[str, Any]:
    sp = claim.speaker
    return {
        "id": claim.id, "article_id": article.id, "ordinal": claim.ordinal,
        "content": claim.content.text,
        "sentence": claim.sentence.text if claim.sentence else None,
        "speaker": {"text": sp.text, "canonical": sp.canonical, "label": sp.label} if sp else None,
        "stance": claim.stance, "quote": claim.quote,
        "cue": {"text": claim.cue.text, "lemma": claim.cue.lemma} if claim.cue else None,
        "entities": [{"name": e.canonical, "text": e.text, "label": e.label} for e in claim.entities],
        "source": {"name": article.source.name, "domain": article.source.domain},
        "published": article.published,
        "article": article_ref(article),
        "record": to_dict(claim),
    }


# --- query bodies ----------------------------------------------------------------

CLAIM_FIELDS = ("content^4", "sentence", "speaker_names^2")  # the SQLite bm25 weights 4, 1, 2
ARTICLE_FIELDS = ("title^3", "text", "source.name.text")  # the SQLite bm25 weights 3, 1, 1
_FACET_FIELD = {"speakers": "speaker.canonical", "entities": "entities.name",
                "stances": "stance", "sources": "source.name"}
FACET_FIELDS = {name: _FACET_FIELD[name] for name in FACETS}  # the keyword field each facet counts
FACETS_AGG = "facets"  # the parent aggregation of the facets' terms aggregations
_WILDCARD_ESCAPES = str.maketrans({"\\": "\\\\", "*": "\\*", "?": "\\?"})


def text_query(text: str, fields: tuple[str, ...],
               ranking: Callable[[list[str], list[str]], list[str]] | None = None) -> dict[str, Any] | None:
    """Quoted phrases must match (in any field); the other words rank with OR semantics.

    The same reading of the query as the SQLite index's FTS5 expression;
    ``ranking(phrases, words)`` picks the words that rank (see ``elastic_words``).
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


def claim_filters(q: ClaimQuery) -> list[dict[str, Any]]:
    filters = [
        contains(("speaker.canonical", "speaker.text"), q.speaker) if q.speaker else None,
        contains(("entities.name", "entities.text"), q.entity) if q.entity else None,
        {"term": {"stance": q.stance}} if q.stance else None,
        contains(("source.name", "source.domain"), q.source) if q.source else None,
        date_range(q.since, q.until),
    ]
    return [f for f in filters if f]


def article_filters(q: ArticleQuery) -> list[dict[str, Any]]:
    filters = [contains(("source.name", "source.domain"), q.source) if q.source else None,
               date_range(q.since, q.until)]
    return [f for f in filters if f]


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


# --- wire helpers ----------------------------------------------------------------


def error_reason(body: Any) -> str:
    """The readable part of an Elasticsearch error body (or bulk item error)."""
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        cause = error.get("caused_by", {}).get("reason", "")
        return f"{error.get('type', 'error')}: {error.get('reason', '')}" + (f" ({cause})" if cause else "")
    return str(error or "")


def version_of(index: str, alias: str) -> int:
    """``claims-v3`` → 3 (0 when the name carries no version)."""
    suffix = index.removeprefix(f"{alias}-v")
    return int(suffix) if suffix.isdigit() else 0
