"""``pipeline serve``: the JSON API and the web page over the query service (FastAPI).

Public surface: :func:`create_app` and :class:`HttpOptions`; :func:`serve` runs
an app under uvicorn until SIGTERM/SIGINT.
"""

from pipeline.http.app import HttpOptions, create_app
from pipeline.http.server import serve

__all__ = ["HttpOptions", "create_app", "serve"]
