"""Fixtures of the index tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.index.sqlite import SqliteIndex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import corpus  # noqa: E402


@pytest.fixture
def index(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A SQLite index holding the invented HTTP corpus (tests/http/http_corpus.py)."""
    index = SqliteIndex(tmp_path / "index.db")
    index.upsert(corpus())
    yield index
    index.close()
