"""Elasticsearch mappings and index settings for claims, articles, threads and copies: pure, no I/O.

A mapping change means a new version: bump the kind's ``version`` below and
``ElasticIndex.ensure_schema`` creates ``<alias>-v<N>``, reindexes the old
index into it and swaps the alias atomically. Mappings are ``dynamic:
strict``, so a document carrying an unmapped field is refused (a per-document
failure) instead of silently growing the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The english analyzer (stopwords + Porter stemming) is the nearest match to
# the SQLite index's porter tokenizer plus query-side stopword removal.
_TEXT = {"type": "text", "analyzer": "english"}
# Claim text searched by phrase: index_phrases indexes each pair of adjacent words as one term, so a
# two-word phrase (the common case) is a term lookup, not an intersection of two long position lists.
_PHRASED = {**_TEXT, "index_phrases": True}
# Names: exact keyword for facets and filters, plus analyzed text for ranking.
_NAME = {"type": "keyword", "ignore_above": 512, "fields": {"text": _TEXT}}
# A name the facets count: its global ordinals are built at refresh time, not by the first search after
# each refresh (a terms aggregation over ~1M claims paid that on the indexer's every refresh).
_FACET = {**_NAME, "eager_global_ordinals": True}
_FACET_KEYWORD = {"type": "keyword", "eager_global_ordinals": True}
_STORED = {"type": "object", "enabled": False}  # kept in _source, never indexed
_DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}


@dataclass(frozen=True, slots=True)
class IndexSchema:
    """One kind of document: its alias suffix, mapping version and mappings."""

    kind: str
    version: int
    mappings: dict[str, Any]
    sort: dict[str, str] | None = None  # index sorting (field → order), set when the index is created

    def settings(self, shards: int, replicas: int) -> dict[str, Any]:
        found: dict[str, Any] = {"number_of_shards": shards, "number_of_replicas": replicas}
        if self.sort:
            found["sort.field"] = list(self.sort)
            found["sort.order"] = list(self.sort.values())
            found["sort.missing"] = ["_last"] * len(self.sort)  # undated last, as the newest-first sort has them
        return found


# 3: index_phrases on content and sentence, eager global ordinals on the facets' fields, sorted newest first
# (a search without words reads the newest claims first, and a date range is a run of documents).
CLAIMS = IndexSchema("claims", 3, {  # 2: language and copy_of
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "article_id": {"type": "keyword"},
        "ordinal": {"type": "integer"},
        "content": _PHRASED,
        "sentence": _PHRASED,
        # speaker.text and speaker.canonical are copied here so one field carries
        # both, as the SQLite "speaker" column does.
        "speaker_names": _TEXT,
        "speaker": {"properties": {
            "text": {**_NAME, "copy_to": "speaker_names"},
            "canonical": {**_FACET, "copy_to": "speaker_names"},
            "label": {"type": "keyword"},
        }},
        "stance": _FACET_KEYWORD,
        "quote": {"type": "boolean"},
        "cue": {"properties": {"text": {"type": "keyword"}, "lemma": {"type": "keyword"}}},
        # Flattened arrays suffice: every entity filter is "name OR text matches",
        # and ∃e: A(e) ∨ B(e) equals (∃e: A(e)) ∨ (∃e: B(e)), so nested buys nothing.
        "entities": {"properties": {
            "name": _FACET, "text": _NAME, "label": {"type": "keyword"},
        }},
        "source": {"properties": {"name": _FACET, "domain": {"type": "keyword"}}},
        "language": _FACET_KEYWORD,  # the article's
        "published": _DATE,
        "article": _STORED,  # the ArticleRef, denormalized: no lookup per hit
        "record": _STORED,  # the claim as to_dict() wrote it, to rebuild it exactly
        "copy_of": {"type": "keyword"},  # v2: the article's original when it is a wire copy
    },
}, sort={"published": "desc"})

ARTICLES = IndexSchema("articles", 3, {
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
        "copy_of": {"type": "keyword"},  # v3: the original when this article is a wire copy
    },
})

# Wire-copy entries, one per signed article (``_id`` = article id): the detector's shared state
# (see pipeline.copies.detect), apart from the article documents as thread links are.
COPIES = IndexSchema("copies", 1, {
    "dynamic": "strict",
    "properties": {
        "article_id": {"type": "keyword"},
        "copy_of": {"type": "keyword"},
        "published": {"type": "keyword", "index": False},
        "seen": {"type": "keyword", "index": False},
        "size": {"type": "integer", "index": False},
        "signature": {"type": "binary"},
        "bands": {"type": "keyword"},  # LSH band keys, matched with a terms query
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

SCHEMAS = (CLAIMS, ARTICLES, THREADS, COPIES)


def with_analyzer(mapping: Any, analyzer: str) -> Any:
    """The mapping with every text field's ``english`` analyzer replaced by ``analyzer``."""
    if isinstance(mapping, dict):
        return {k: analyzer if k == "analyzer" and v == "english" else with_analyzer(v, analyzer)
                for k, v in mapping.items()}
    return mapping


# --- wire helpers ----------------------------------------------------------------


def error_reason(body: Any) -> str:
    """The readable part of an Elasticsearch error body (or bulk item error)."""
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        cause = error.get("caused_by", {}).get("reason", "")
        return f"{error.get('type', 'error')}: {error.get('reason', '')}" + (f" ({cause})" if cause else "")
    return str(error or "")


def version_of(index: str, alias: str) -> int:
    """``claims-v3`` → 3, a later backing index ``claims-v3-000002`` → 3 (0 when the name carries no version)."""
    suffix = index.removeprefix(f"{alias}-v").split("-")[0]
    return int(suffix) if suffix.isdigit() else 0
