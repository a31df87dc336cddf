"""The FastAPI application: one index, the routes, the error handlers and the middleware."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from pipeline import present
from pipeline.http import api, errors, export, middleware, pages, threads
from pipeline.http.render import highlighted, safe_href, search_url, xml_text, xml_url
from pipeline.index.base import Index
from pipeline.runtime.metrics import Sensor
from pipeline.version import DISTRIBUTION, VERSION

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class HttpOptions:
    """What the app needs from the ``[http]`` settings.

    ``token``: when set, every route but ``/health`` needs it. ``rate_per_s``
    and ``burst``: the per-client token bucket (``rate_per_s = 0`` turns it off).
    """

    token: str = ""
    rate_per_s: float = 20.0
    burst: int = 60
    retry_after_s: int = 5  # what a 503 (index down) tells clients to wait


def templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on (``.html`` and ``.xml``), the safe rendering helpers and the presenter's filters."""
    t = Jinja2Templates(directory=HERE / "templates")
    t.env.autoescape = True  # every template, the Atom feed included
    t.env.globals.update(highlighted=highlighted, safe_href=safe_href, search_url=search_url)
    t.env.filters["xml"] = xml_text
    t.env.filters.update(present.JINJA_FILTERS)  # how claims, speakers, outlets and dates are shown
    t.env.filters["xml_url"] = xml_url
    return t


def create_app(index: Index, options: HttpOptions | None = None, sensor: Sensor | None = None) -> FastAPI:
    """An app serving ``index``. The caller owns ``index`` and closes it after the server stops."""
    app = FastAPI(title=DISTRIBUTION, version=VERSION, docs_url=None, redoc_url=None,
                  description="Attributed claims from the news: who claimed, said, denied … what.")
    app.state.index = index
    app.state.options = options or HttpOptions()
    app.state.sensor = sensor or Sensor()
    app.state.templates = templates()
    errors.install(app)
    middleware.install(app)
    app.include_router(export.router)  # before api: /api/claims/export is not a claim id
    app.include_router(api.router)
    app.include_router(threads.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
