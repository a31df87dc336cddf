"""Errors as JSON ``{"error": "..."}`` (or a small page for browsers), never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from pipeline.errors import BackendUnavailable, InputError, PipelineError

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error answer of the API: one message, never a traceback."""

    error: str


# What any API route may answer besides its documents (its router declares them, so OpenAPI lists them).
RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "a bad parameter (named in the message)"},
    401: {"model": ErrorBody, "description": "an access token is needed"},
    404: {"model": ErrorBody, "description": "no such record or route"},
    429: {"model": ErrorBody, "description": "too many requests; see Retry-After"},
    503: {"model": ErrorBody, "description": "the search index is unavailable; see Retry-After"},
}


def document_errors(app: FastAPI) -> None:
    """The OpenAPI document without FastAPI's 422: an invalid parameter is answered 400 (see ``bad_parameter``)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                document.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def wants_html(request: Request) -> bool:
    """Page routes answer errors with a page; the API, feeds and exports with JSON."""
    path = request.url.path
    return not (path.startswith("/api/") or path in ("/health", "/metrics", "/openapi.json"))


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if wants_html(request):
        page: Response = request.app.state.templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status)
        page.headers.update(headers or {})
        return page
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    document_errors(app)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return error_response(request, 400, f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(BackendUnavailable)
    async def index_down(request: Request, exc: BackendUnavailable) -> Response:
        log.warning("index unavailable: %s", exc)
        retry = str(request.app.state.options.retry_after_s)
        return error_response(request, 503, "the search index is unavailable; try again shortly",
                              {"Retry-After": retry})

    @app.exception_handler(PipelineError)
    async def failed(request: Request, exc: PipelineError) -> Response:
        log.error("request failed: %s", exc)
        return error_response(request, 500, "the search failed; see the server log")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error serving %s", request.url.path)
        return error_response(request, 500, "internal error; see the server log")
