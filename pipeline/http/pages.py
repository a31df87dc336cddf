"""The web page: search with filters, facets, result cards and a histogram; the article view.

Plain GET forms and links only: every bit of state is in the URL, and the
page works with JavaScript off (it has none).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from pipeline import search
from pipeline.errors import InputError
from pipeline.filters import CLAIM_FILTERS, FACET_FILTER, FACETS, MAX_TEXT
from pipeline.http.api import IndexDep
from pipeline.http.params import API_MAX_LIMIT
from pipeline.http.render import SEARCH_PARAMS, segments
from pipeline.index.base import ClaimHit
from pipeline.threads.view import thread_summaries

router = APIRouter()


@router.get("/", include_in_schema=False)
def search_page(request: Request, index: IndexDep) -> Response:
    params = {k: v for k in SEARCH_PARAMS if (v := request.query_params.get(k, "").strip())}
    context: dict[str, Any] = {"params": params, "filters": CLAIM_FILTERS, "max_text": MAX_TEXT,
                               "facet_filter": FACET_FILTER, "facet_names": FACETS, "error": None, "result": None,
                               "histogram": None, "threads": {}}
    status = 200
    try:
        filters: dict[str, Any] = {f.name: params.get(f.name) for f in CLAIM_FILTERS}  # str | None each
        query = search.claim_query(params.get("q", ""), limit=params.get("limit"), after=params.get("after"),
                                   max_limit=API_MAX_LIMIT, copies=params.get("copies"), **filters)
        interval = search.parse_interval(params.get("interval") or "month")
    except InputError as exc:
        context["error"], status = str(exc), 400
    else:
        result = index.search_claims(query)
        context["result"] = result
        context["hits"] = [h for h in result.hits if isinstance(h, ClaimHit)]
        context["threads"] = thread_summaries(index, [h.claim.id for h in context["hits"]])
        context["histogram"] = histogram_bars(index.claim_histogram(query, interval))
        context["interval"] = interval
    page: Response = request.app.state.templates.TemplateResponse(request, "search.html", context, status_code=status)
    return page


@router.get("/articles/{article_id}", include_in_schema=False)
def article_page(request: Request, index: IndexDep, article_id: str) -> Response:
    enriched = index.get_article(article_id)
    if enriched is None:
        raise HTTPException(404, "no such article")
    context = {"enriched": enriched, "article": enriched.article,
               "segments": segments(enriched.article.text, enriched.claims, enriched.entities)}
    page: Response = request.app.state.templates.TemplateResponse(request, "article.html", context)
    return page


def histogram_bars(periods: list[tuple[str, int]], height: int = 60, width: int = 600) -> dict[str, Any] | None:
    """SVG geometry (attributes, no inline style) for the matches per period."""
    if not periods:
        return None
    top = max(n for _, n in periods)
    step = width / len(periods)
    bar = min(max(step - 1, 1), 40)  # a few periods still look like bars, not a wall
    bars = [{"x": round(i * step + (step - bar) / 2, 1), "width": round(bar, 1), "count": n, "start": start,
             "height": max(round(height * n / top, 1), 1), "y": round(height - height * n / top, 1)}
            for i, (start, n) in enumerate(periods)]
    return {"bars": bars, "width": width, "height": height, "first": periods[0][0], "last": periods[-1][0],
            "top": top}
