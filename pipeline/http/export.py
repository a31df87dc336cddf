"""Every match at once: CSV / JSON Lines exports and an Atom feed of a search.

Exports page through the index with its cursor underneath, so they have no
cap and hold one page in memory at a time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from pipeline import present, search
from pipeline.errors import InputError
from pipeline.http.api import IndexDep
from pipeline.http.errors import RESPONSES
from pipeline.http.params import claim_query
from pipeline.http.render import safe_href, search_url
from pipeline.index.base import ClaimHit, ClaimQuery, Index
from pipeline.records import utf8

router = APIRouter(responses=RESPONSES)
EXPORT_PAGE = 500
FEED_ENTRIES = 50
FEED_TITLE_CHARS = 120  # of the claim, in an entry's title
CSV_COLUMNS = ("claim_id", "speaker", "speaker_as_written", "cue", "stance", "quote", "content", "sentence",
               "article_id", "title", "url", "outlet", "published")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula


def every_hit(index: Index, query: ClaimQuery) -> Iterator[ClaimHit]:
    """Every match of ``query``, page by page (cursor paging, no facets)."""
    page = replace(query, limit=EXPORT_PAGE, after=None, facets=False)
    while True:
        result = index.search_claims(page)
        for hit in result.hits:
            assert isinstance(hit, ClaimHit)
            yield hit
        if not result.next_cursor or not result.hits:
            return
        page = replace(page, after=result.next_cursor)


def csv_row(hit: ClaimHit) -> list[str]:
    c, a = hit.claim, hit.article
    cells = [c.id, c.speaker.canonical if c.speaker else "", c.speaker.text if c.speaker else "",
             c.cue.text if c.cue else "", c.stance, present.claim_kind(c), c.content.text,
             c.sentence.text if c.sentence else "", a.id, a.title, a.url, a.source, a.published or ""]
    # Strangers' text must not become a spreadsheet formula: a leading quote keeps it text.
    return [f"'{v}" if v.startswith(_FORMULA_START) else v for v in cells]


def csv_lines(hits: Iterator[ClaimHit]) -> Iterator[bytes]:
    """The CSV file of ``hits``, a header row first, as UTF-8 chunks (any text: see :func:`pipeline.records.utf8`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        writer.writerow(csv_row(hit))
        if buffer.tell() > 64_000:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return utf8(text)


def jsonl_lines(hits: Iterator[ClaimHit]) -> Iterator[bytes]:
    """One JSON document a line, UTF-8; a lone surrogate (which UTF-8 cannot hold) is sent as U+FFFD, not a cut stream."""
    for hit in hits:
        yield utf8(json.dumps(search.claim_hit_json(hit), ensure_ascii=False) + "\n")


@router.get("/api/claims/export", summary="Every match as CSV or JSON Lines (streamed)", tags=["claims"],
            response_class=StreamingResponse, responses={200: {"content": {
                "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}}})
def export(index: IndexDep, query: Annotated[ClaimQuery, Depends(claim_query)],
           format: Annotated[str, Query(description="csv or jsonl")] = "jsonl") -> Response:
    """Every matching claim, however many; ``limit`` and ``after`` are ignored."""
    if format not in ("csv", "jsonl"):
        raise InputError(f"format: expected csv or jsonl, got {present.quoted(format)}")
    index.search_claims(replace(query, limit=1, facets=False))  # fail before streaming: a 400 or 503, not a cut file
    hits = every_hit(index, query)
    if format == "csv":
        return StreamingResponse(csv_lines(hits), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="claims.csv"'})
    return StreamingResponse(jsonl_lines(hits), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="claims.jsonl"'})


@router.get("/api/claims/feed", summary="The search as an Atom feed", tags=["claims"], response_class=Response,
            responses={200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}}})
def feed(request: Request, index: IndexDep, query: Annotated[ClaimQuery, Depends(claim_query)]) -> Response:
    """The newest matches (up to 50) as Atom entries whose ids stay the same: a feed reader shows new ones."""
    result = index.search_claims(replace(query, limit=FEED_ENTRIES, after=None, facets=False))
    hits = [h for h in result.hits if isinstance(h, ClaimHit)]
    hits.sort(key=lambda h: h.article.published or "", reverse=True)
    params = {k: v for k, v in request.query_params.items() if k != "token"}
    base = str(request.base_url).rstrip("/")
    entries = [_entry(h, base) for h in hits]
    context = {"entries": entries, "self_url": str(request.url), "page_url": base + search_url(params),
               "title": _feed_title(params), "updated": max((e["updated"] for e in entries), default=_now())}
    feed: Response = request.app.state.templates.TemplateResponse(request, "feed.xml", context,
                                                                  media_type="application/atom+xml; charset=utf-8")
    return feed


def _entry(hit: ClaimHit, base: str) -> dict[str, Any]:
    c = hit.claim
    title = f"{present.speaker(c)} ({c.stance}): {present.cut(c.content.text, FEED_TITLE_CHARS)}"
    return {"id": f"urn:news-claims-pipeline:claim:{c.id}", "title": title,
            "updated": hit.article.published or _now(), "view": f"{base}/articles/{c.article_id}#claim-{c.id}",
            "original": safe_href(hit.article.url), "claim": c, "article": hit.article}


def _feed_title(params: dict[str, str]) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("limit", "after"))
    return f"Claims: {shown}" if shown else "Claims: everything"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
