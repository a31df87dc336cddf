"""Query parameters shared by the API, the exports and the page: strings in, validated queries out.

Validation is the query service's (``pipeline.search``), so the API refuses
exactly what the CLI refuses, with the same messages (as 400s). The filter
parameters, and their OpenAPI descriptions, come from :mod:`pipeline.filters`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Query

from pipeline import search
from pipeline.filters import ARTICLE_FILTERS, CLAIM_FILTERS, Filter
from pipeline.index.base import ArticleQuery, ClaimQuery

API_MAX_LIMIT = 100

Text = Annotated[str, Query(description='words to look for (any may match); "quoted phrases" must match')]
Limit = Annotated[str | None, Query(description=f"hits per page, 1 to {API_MAX_LIMIT} (default 10)")]
After = Annotated[str | None, Query(description="the `next` cursor of the previous page")]
Copies = Annotated[str | None, Query(description="all: show every wire copy; collapse (default): each copy "
                                                 "under its original's hit (`copies` of the hit)")]


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _signature(filters: tuple[Filter, ...]) -> inspect.Signature:
    """``q``, one optional string per filter (described by its help text), ``limit``, ``after`` and ``copies``."""
    params = [_parameter("q", Text, "")]
    params += [_parameter(f.name, Annotated[str | None, Query(description=f.help)], None) for f in filters]
    params += [_parameter("limit", Limit, None), _parameter("after", After, None), _parameter("copies", Copies, None)]
    return inspect.Signature(params)


def _dependency(filters: tuple[Filter, ...], build: Callable[..., Any],
                doc: str) -> Callable[..., Coroutine[Any, Any, Any]]:
    """A FastAPI dependency taking the parameters of :func:`_signature` and returning ``build(...)``.

    Async because it never waits: FastAPI runs a plain function dependency in a worker thread.
    """
    async def dependency(q: str = "", limit: str | None = None, after: str | None = None,
                         copies: str | None = None, **values: str | None) -> Any:
        return build(q, limit=limit, after=after, max_limit=API_MAX_LIMIT, copies=copies, **values)

    dependency.__signature__ = _signature(filters)  # type: ignore[attr-defined]  # FastAPI reads the parameters here
    dependency.__doc__ = doc
    return dependency


claim_query: Callable[..., Coroutine[Any, Any, ClaimQuery]] = _dependency(
    CLAIM_FILTERS, search.claim_query, "The claim query of a request (a FastAPI dependency); InputError → 400.")
article_query: Callable[..., Coroutine[Any, Any, ArticleQuery]] = _dependency(
    ARTICLE_FILTERS, search.article_query, "The article query of a request (a FastAPI dependency).")
