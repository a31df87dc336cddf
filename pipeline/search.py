"""The query service shared by the command line and the HTTP API.

Validates user input into index queries (clear InputError, never a
traceback) and shapes results into the documented JSON.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pipeline.errors import InputError
from pipeline.filters import ARTICLE_FILTERS, CLAIM_FILTERS, check_length, clean_text, parse_all
from pipeline.index.base import INTERVALS, ArticleHit, ArticleQuery, ClaimHit, ClaimQuery, SearchResult
from pipeline.present import quoted
from pipeline.records import EnrichedArticle, to_dict

MAX_LIMIT = 1000


def parse_limit(value: int | str | None, default: int = 10, maximum: int = MAX_LIMIT) -> int:
    try:
        limit = default if value in (None, "") else int(value)
    except ValueError as exc:
        raise InputError(f"limit: expected a whole number, got {quoted(str(value))}") from exc
    if not 1 <= limit <= maximum:
        raise InputError(f"limit: must be between 1 and {maximum}, got {limit}")
    return limit


def parse_interval(value: str | None) -> str:
    """A histogram period: ``day``, ``week`` or ``month`` (default ``day``)."""
    interval = value or "day"
    if interval not in INTERVALS:
        raise InputError(f"interval: expected one of {', '.join(INTERVALS)}, got {quoted(str(value))}")
    return interval


COPIES = ("collapse", "all")  # how a search shows wire copies: under their original (default), or each


def parse_copies(value: str | None) -> bool:
    """Whether every wire copy is shown (``all``); ``collapse`` or nothing: each under its original."""
    if value in (None, "", "collapse"):
        return False
    if value == "all":
        return True
    raise InputError(f"copies: expected one of {', '.join(COPIES)}, got {value!r}")


def claim_query(text: str = "", *, limit: int | str | None = None, after: str | None = None,
                max_limit: int = MAX_LIMIT, facets: bool = True, copies: str | None = None,
                **filters: str | None) -> ClaimQuery:
    """A validated claim query from user-supplied strings (InputError names the bad one).

    ``filters``: strings by filter name (:data:`pipeline.filters.CLAIM_FILTERS`); TypeError for another name.
    ``copies``: see :func:`parse_copies` (not a filter: collapsing is what happens when it is *not* set).
    """
    text = clean_text("q", text) or ""
    values = parse_all(CLAIM_FILTERS, filters)
    check_length("after", after)
    return ClaimQuery(text=text, limit=parse_limit(limit, maximum=max_limit), after=after or None,
                      facets=facets, all_copies=parse_copies(copies), **values)


def article_query(text: str = "", *, limit: int | str | None = None, after: str | None = None,
                  max_limit: int = MAX_LIMIT, copies: str | None = None, **filters: str | None) -> ArticleQuery:
    """A validated article query from user-supplied strings (filters of :data:`pipeline.filters.ARTICLE_FILTERS`)."""
    text = clean_text("q", text) or ""
    values = parse_all(ARTICLE_FILTERS, filters)
    check_length("after", after)
    return ArticleQuery(text=text, limit=parse_limit(limit, maximum=max_limit), after=after or None,
                        all_copies=parse_copies(copies), **values)


def claims_json(result: SearchResult) -> dict[str, Any]:
    """``{"total", "total_exact", "hits": [{"claim", "article", "score", "highlight", "copies"}], "facets", "next"}``;
    ``copies`` are the article references of the hit's wire copies (collapsed searches; else empty).
    ``total`` is exact when ``total_exact`` is true, else a lower bound (at least that many match)."""
    hits = []
    for hit in result.hits:
        assert isinstance(hit, ClaimHit)
        hits.append(claim_hit_json(hit))
    return {"total": result.total, "total_exact": result.total_exact, "hits": hits, "facets": _facets(result),
            "next": result.next_cursor}


def claim_hit_json(hit: ClaimHit) -> dict[str, Any]:
    """One hit as in ``claims_json``: the claim record, its article reference, score and highlight."""
    return {"claim": to_dict(hit.claim), "article": asdict(hit.article), "score": round(hit.score, 4),
            "highlight": hit.highlight, "copies": [asdict(r) for r in hit.copies]}


def article_json(enriched: EnrichedArticle) -> dict[str, Any]:
    """``{"article", "entities", "claims"}``: offsets are end-exclusive, into ``article.text``."""
    return {"article": to_dict(enriched.article), "entities": [asdict(e) for e in enriched.entities],
            "claims": [to_dict(c) for c in enriched.claims]}


def histogram_json(interval: str, periods: list[tuple[str, int]]) -> dict[str, Any]:
    return {"interval": interval, "periods": [{"start": p, "count": n} for p, n in periods],
            "total": sum(n for _, n in periods)}


def articles_json(result: SearchResult) -> dict[str, Any]:
    """``{"total", "total_exact", "hits": [{"article", "score", "snippet", "copies"}], "next"}`` (``total`` as in
    :func:`claims_json`)."""
    hits = []
    for hit in result.hits:
        assert isinstance(hit, ArticleHit)
        hits.append({"article": asdict(hit.article), "score": round(hit.score, 4), "snippet": hit.snippet,
                     "copies": [asdict(r) for r in hit.copies]})
    return {"total": result.total, "total_exact": result.total_exact, "hits": hits, "next": result.next_cursor}


def _facets(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"value": v, "count": n} for v, n in values] for name, values in result.facets.items()}
