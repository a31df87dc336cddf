"""The package's version: one source, the installed distribution's metadata (pyproject's ``version``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "news-claims-pipeline"


def _installed() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # the source tree on sys.path without an install: no metadata to read
        return "0+unknown"


VERSION = _installed()
