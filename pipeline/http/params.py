"""Query parameters shared by the API, the exports and the page: strings in, validated queries out.

Validation is the query service's (``pipeline.search``), so the API refuses
exactly what the CLI refuses, with the same messages (as 400s).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from pipeline import search
from pipeline.index.base import ArticleQuery, ClaimQuery

API_MAX_LIMIT = 100

Text = Annotated[str, Query(description='words to look for (any may match); "quoted phrases" must match')]
Speaker = Annotated[str | None, Query(description="who made the claim (part of the name, any case)")]
Entity = Annotated[str | None, Query(description="an entity mentioned in the claim")]
Stance = Annotated[str | None, Query(description="assert or deny")]
Source = Annotated[str | None, Query(description="outlet name or domain (part of it)")]
Since = Annotated[str | None, Query(description="published on or after (YYYY-MM-DD)")]
Until = Annotated[str | None, Query(description="published on or before (YYYY-MM-DD)")]
Limit = Annotated[str | None, Query(description=f"hits per page, 1 to {API_MAX_LIMIT} (default 10)")]
After = Annotated[str | None, Query(description="the `next` cursor of the previous page")]


async def claim_query(q: Text = "", speaker: Speaker = None, entity: Entity = None, stance: Stance = None,
                      source: Source = None, since: Since = None, until: Until = None, limit: Limit = None,
                      after: After = None) -> ClaimQuery:
    """The claim query of a request (a FastAPI dependency); InputError → 400.

    Async because it never waits: FastAPI runs a plain function dependency in a worker thread.
    """
    return search.claim_query(q, speaker=speaker, entity=entity, stance=stance, source=source, since=since,
                              until=until, limit=limit, after=after, max_limit=API_MAX_LIMIT)


async def article_query(q: Text = "", source: Source = None, since: Since = None, until: Until = None,
                        limit: Limit = None, after: After = None) -> ArticleQuery:
    """The article query of a request (a FastAPI dependency)."""
    return search.article_query(q, source=source, since=since, until=until, limit=limit, after=after,
                                max_limit=API_MAX_LIMIT)
