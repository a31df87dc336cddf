"""Fixtures of the fuzz suites: an app over a seeded index of each backend (built once per module)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzzing import sys  # noqa: F401  # puts tests/http on sys.path first
from http_corpus import corpus
from support import INDEX_BACKENDS, close_test_index, open_test_index

from pipeline.http import HttpOptions, create_app


@pytest.fixture(scope="module", params=INDEX_BACKENDS)
def seeded_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 index_prefix: str) -> Iterator[object]:
    """The invented HTTP corpus (hostile text included) in each backend; tests only read it."""
    if request.param == "sqlite":
        where: Path | str = tmp_path_factory.mktemp("fuzz") / "index.db"
    else:
        where = f"{index_prefix}{uuid.uuid4().hex[:6]}-"
    index = open_test_index(request.param, where)
    assert index.upsert(corpus()) == []  # type: ignore[attr-defined]
    index.refresh()  # type: ignore[attr-defined]
    yield index
    close_test_index(index)


@pytest.fixture(scope="module")
def seeded_app(seeded_index: object):  # type: ignore[no-untyped-def]
    """The app over the seeded index, no rate limit (the fuzzer sends thousands of requests)."""
    return create_app(seeded_index, HttpOptions(rate_per_s=0))  # type: ignore[arg-type]
