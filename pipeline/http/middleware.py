"""Cross-cutting request handling: security headers, metrics, rate limit and access token.

Order, outermost first: metrics and headers (so every answer, a refusal
too, is counted and carries the Content-Security-Policy), then the rate
limit, then the token check.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from pipeline.http.errors import error_response, wants_html
from pipeline.http.ratelimit import RateLimiter

Next = Callable[[Request], Awaitable[Response]]

# No script at all, no inline style, nothing from elsewhere: content from feeds cannot run.
CSP = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
TOKEN_COOKIE = "pipeline_token"
OPEN_PATHS = frozenset({"/health"})  # the container health check needs no token


def install(app: FastAPI) -> None:
    """Add the middleware (Starlette runs the last added first)."""
    options = app.state.options
    limiter = RateLimiter(options.rate_per_s, options.burst)

    @app.middleware("http")
    async def token(request: Request, call_next: Next) -> Response:
        return await _check_token(request, call_next, options.token)

    @app.middleware("http")
    async def rate_limit(request: Request, call_next: Next) -> Response:
        wait = limiter.check(request.client.host if request.client else "?")
        if wait:
            return error_response(request, 429, "too many requests; slow down",
                                  {"Retry-After": RateLimiter.retry_after(wait)})
        return await call_next(request)

    @app.middleware("http")
    async def measure(request: Request, call_next: Next) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", None) or ("/static" if request.url.path.startswith("/static/") else "unmatched")
        request.app.state.sensor.request(name, response.status_code, time.perf_counter() - started)
        response.headers.update(SECURITY_HEADERS)
        return response


async def _check_token(request: Request, call_next: Next, token: str) -> Response:
    if not token or request.url.path in OPEN_PATHS:
        return await call_next(request)
    given = _bearer(request) or request.cookies.get(TOKEN_COOKIE) or request.query_params.get("token") or ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        response = error_response(request, 401, "an access token is needed (Authorization: Bearer TOKEN, "
                                                "or ?token=TOKEN once in a browser)",
                                  {"WWW-Authenticate": "Bearer"})
        return response
    if "token" in request.query_params and wants_html(request):
        # A browser brought the token in the URL: keep it in a cookie, drop it from the address bar.
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        redirect = RedirectResponse(target, status_code=303)
        redirect.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return redirect
    return await call_next(request)


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""
