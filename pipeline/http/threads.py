"""Claim threads over HTTP: the JSON API and the thread page (the same views as ``pipeline thread``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from pipeline.http.api import IndexDep
from pipeline.http.errors import RESPONSES
from pipeline.index.base import Index
from pipeline.present import quoted
from pipeline.threads.claimreview import claim_review
from pipeline.threads.decide import MAX_CLAIM_CHARS, StanceDecider
from pipeline.threads.view import THREAD_STANCES, ThreadView, thread_for_claim, thread_for_text, view_json

router = APIRouter(responses=RESPONSES)
JSON_LD = "application/ld+json"


def decider_of(request: Request) -> StanceDecider:
    """One decider per app, made on first use (loading the model takes a moment)."""
    state = request.app.state
    if getattr(state, "decider", None) is None:
        state.decider = StanceDecider()
    decider: StanceDecider = state.decider
    return decider


def _claim_thread(index: Index, claim_id: str) -> ThreadView:
    if index.get_claim(claim_id) is None:
        raise HTTPException(404, f"no claim {quoted(claim_id)}")
    return thread_for_claim(index, claim_id)


@router.get("/api/claims/{claim_id}/thread", summary="A claim's thread", tags=["threads"],
            responses={200: {"content": {JSON_LD: {"schema": {"type": "object"}}}}})
def claim_thread(index: IndexDep, claim_id: str,
                 format: Annotated[Literal["json", "claimreview"], Query(
                     description="claimreview: a schema.org ClaimReview JSON-LD draft for a fact-checker")] = "json",
                 ) -> Any:
    """``{"thread", "text", "claim", "size", "outlets", "denied_by", "agree", "disagree", "discuss"}``:
    the articles that agree, disagree or discuss the claim, each ``{"article", "claim", "denies"}`` with the
    claim that decides it; 404 when the claim is unknown. ``format=claimreview``: the thread as a
    ClaimReview draft (``application/ld+json``) whose review fields are left for the fact-checker."""
    view = _claim_thread(index, claim_id)
    if format == "claimreview":
        return JSONResponse(claim_review(view), media_type=JSON_LD)
    return view_json(view)


@router.get("/api/thread", summary="The indexed articles' stance toward any text", tags=["threads"])
def text_thread(request: Request, index: IndexDep,
                text: Annotated[str, Query(max_length=MAX_CLAIM_CHARS, description="a claim")] = "") -> dict[str, Any]:
    """The same document as ``/api/claims/{id}/thread`` (``thread`` null); 400 for empty text."""
    return view_json(thread_for_text(index, decider_of(request), text))


@router.get("/claims/{claim_id}/thread", include_in_schema=False)
def thread_page(request: Request, index: IndexDep, claim_id: str) -> Response:
    view = _claim_thread(index, claim_id)
    page: Response = request.app.state.templates.TemplateResponse(
        request, "thread.html", {"view": view, "stances": THREAD_STANCES})
    return page
