"""The JSON API: the same documents as ``pipeline search --json``, plus single records and a histogram."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from pipeline import search
from pipeline.http.errors import RESPONSES
from pipeline.http.params import article_query, claim_query
from pipeline.index.base import ArticleQuery, ClaimQuery, Index
from pipeline.present import quoted

router = APIRouter(responses=RESPONSES)


async def index_of(request: Request) -> Index:
    """The app's index (async: FastAPI would hand a plain function to a worker thread, ~0.1 ms a call)."""
    index: Index = request.app.state.index  # set by create_app
    return index


IndexDep = Annotated[Index, Depends(index_of)]


def json_response(data: Any) -> Response:
    """Plain JSON data straight to bytes (FastAPI's generic encoder costs more than the search)."""
    return Response(json.dumps(data, ensure_ascii=False).encode(), media_type="application/json")


@router.get("/api/claims", summary="Search claims", tags=["claims"], response_class=JSONResponse)
def claims(index: IndexDep, query: Annotated[ClaimQuery, Depends(claim_query)]) -> Response:
    """``{"total", "total_exact", "hits": [{"claim", "article", "score", "highlight"}], "facets", "next"}``;
    ``highlight`` marks matched words with ``[[ ]]``; pass ``next`` as ``after`` for the next page.
    ``total`` is exact up to 10,000 matches; beyond, ``total_exact`` is false and ``total`` a lower bound."""
    return json_response(search.claims_json(index.search_claims(query)))


@router.get("/api/claims/histogram", summary="Matches per period", tags=["claims"])
def histogram(index: IndexDep, query: Annotated[ClaimQuery, Depends(claim_query)],
              interval: Annotated[str | None, Query(description="day, week or month")] = None) -> dict[str, Any]:
    """``{"interval", "periods": [{"start": "YYYY-MM-DD", "count"}], "total"}``; undated claims are left out."""
    chosen = search.parse_interval(interval)
    return search.histogram_json(chosen, index.claim_histogram(query, chosen))


@router.get("/api/claims/{claim_id}", summary="One claim", tags=["claims"])
def claim(index: IndexDep, claim_id: str) -> dict[str, Any]:
    """``{"claim", "article", "score", "highlight"}`` as in a search hit; 404 when unknown."""
    hit = index.get_claim(claim_id)
    if hit is None:
        raise HTTPException(404, f"no claim {quoted(claim_id)}")
    return search.claim_hit_json(hit)


@router.get("/api/articles", summary="Search articles", tags=["articles"], response_class=JSONResponse)
def articles(index: IndexDep, query: Annotated[ArticleQuery, Depends(article_query)]) -> Response:
    """``{"total", "total_exact", "hits": [{"article", "score", "snippet"}], "next"}``, as ``search --articles --json``."""
    return json_response(search.articles_json(index.search_articles(query)))


@router.get("/api/articles/{article_id}", summary="One article with its entities and claims", tags=["articles"])
def article(index: IndexDep, article_id: str) -> dict[str, Any]:
    """``{"article", "entities", "claims"}``; offsets are end-exclusive character offsets into the text."""
    enriched = index.get_article(article_id)
    if enriched is None:
        raise HTTPException(404, f"no article {quoted(article_id)}")
    return search.article_json(enriched)


@router.get("/health", summary="Liveness and index reachability", tags=["service"])
def health(index: IndexDep) -> dict[str, Any]:
    """200 ``{"status": "ok", "counts"}`` when the index answers; 503 otherwise."""
    return {"status": "ok", "counts": index.counts()}


@router.get("/metrics", summary="Request counts and latency per route", tags=["service"], response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}},  # Prometheus
                                         "application/json": {"schema": {"type": "object"}}}}})  # no sensor
def metrics(request: Request) -> Response:
    content_type, body = request.app.state.sensor.export()
    return Response(body, media_type=content_type)
