"""The query service shared by the command line and the HTTP API.

Validates user input into index queries (clear InputError, never a
traceback) and shapes results into the documented JSON.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from pipeline.errors import InputError
from pipeline.index.base import INTERVALS, ArticleHit, ArticleQuery, ClaimHit, ClaimQuery, SearchResult
from pipeline.records import STANCES, EnrichedArticle, to_dict

MAX_LIMIT = 1000
MAX_TEXT = 500  # characters in a query or filter value: longer is a mistake or an attack


def parse_date(value: str | None, name: str) -> date | None:
    """``YYYY-MM-DD`` (or a longer ISO timestamp, whose date part is used)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise InputError(f"{name}: expected a date like 2024-07-16, got {value!r}") from exc


def parse_dates(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """Both ends of an inclusive date range (the query refuses an empty one)."""
    return parse_date(since, "since"), parse_date(until, "until")


def parse_limit(value: int | str | None, default: int = 10, maximum: int = MAX_LIMIT) -> int:
    try:
        limit = default if value in (None, "") else int(value)
    except ValueError as exc:
        raise InputError(f"limit: expected a whole number, got {value!r}") from exc
    if not 1 <= limit <= maximum:
        raise InputError(f"limit: must be between 1 and {maximum}, got {limit}")
    return limit


def parse_interval(value: str | None) -> str:
    """A histogram period: ``day``, ``week`` or ``month`` (default ``day``)."""
    interval = value or "day"
    if interval not in INTERVALS:
        raise InputError(f"interval: expected one of {', '.join(INTERVALS)}, got {value!r}")
    return interval


def _check_lengths(**values: str | None) -> None:
    for name, value in values.items():
        if value and len(value) > MAX_TEXT:
            raise InputError(f"{name}: at most {MAX_TEXT} characters, got {len(value)}")


def claim_query(text: str = "", *, speaker: str | None = None, entity: str | None = None,
                stance: str | None = None, source: str | None = None, since: str | None = None,
                until: str | None = None, limit: int | str | None = None, after: str | None = None,
                max_limit: int = MAX_LIMIT, facets: bool = True) -> ClaimQuery:
    """A validated claim query from user-supplied strings (InputError names the bad one)."""
    _check_lengths(q=text, speaker=speaker, entity=entity, source=source, after=after)
    if stance and stance not in STANCES:
        raise InputError(f"stance: expected one of {', '.join(STANCES)}, got {stance!r}")
    low, high = parse_dates(since, until)
    return ClaimQuery(text=text or "", speaker=speaker or None, entity=entity or None, stance=stance or None,
                      source=source or None, since=low, until=high, limit=parse_limit(limit, maximum=max_limit),
                      after=after or None, facets=facets)


def article_query(text: str = "", *, source: str | None = None, since: str | None = None,
                  until: str | None = None, limit: int | str | None = None, after: str | None = None,
                  max_limit: int = MAX_LIMIT) -> ArticleQuery:
    """A validated article query from user-supplied strings."""
    _check_lengths(q=text, source=source, after=after)
    low, high = parse_dates(since, until)
    return ArticleQuery(text=text or "", source=source or None, since=low, until=high,
                        limit=parse_limit(limit, maximum=max_limit), after=after or None)


def claims_json(result: SearchResult) -> dict[str, Any]:
    """``{"total", "hits": [{"claim", "article", "score", "highlight"}], "facets", "next"}``."""
    hits = []
    for hit in result.hits:
        assert isinstance(hit, ClaimHit)
        hits.append(claim_hit_json(hit))
    return {"total": result.total, "hits": hits, "facets": _facets(result), "next": result.next_cursor}


def claim_hit_json(hit: ClaimHit) -> dict[str, Any]:
    """One hit as in ``claims_json``: the claim record, its article reference, score and highlight."""
    return {"claim": to_dict(hit.claim), "article": asdict(hit.article), "score": round(hit.score, 4),
            "highlight": hit.highlight}


def article_json(enriched: EnrichedArticle) -> dict[str, Any]:
    """``{"article", "entities", "claims"}``: offsets are end-exclusive, into ``article.text``."""
    return {"article": to_dict(enriched.article), "entities": [asdict(e) for e in enriched.entities],
            "claims": [to_dict(c) for c in enriched.claims]}


def histogram_json(interval: str, periods: list[tuple[str, int]]) -> dict[str, Any]:
    return {"interval": interval, "periods": [{"start": p, "count": n} for p, n in periods],
            "total": sum(n for _, n in periods)}


def articles_json(result: SearchResult) -> dict[str, Any]:
    hits = []
    for hit in result.hits:
        assert isinstance(hit, ArticleHit)
        hits.append({"article": asdict(hit.article), "score": round(hit.score, 4), "snippet": hit.snippet})
    return {"total": result.total, "hits": hits, "next": result.next_cursor}


def _facets(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"value": v, "count": n} for v, n in values] for name, values in result.facets.items()}
