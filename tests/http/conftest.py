"""Fixtures for the HTTP tests: an app over each index backend holding the invented corpus."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from http_corpus import corpus
from support import INDEX_BACKENDS, close_test_index, open_test_index

from pipeline.http import HttpOptions, create_app
from pipeline.runtime.prometheus import PrometheusSensor

NO_LIMIT = HttpOptions(rate_per_s=0)


@pytest.fixture(scope="module", params=INDEX_BACKENDS)
def filled_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 index_prefix: str) -> Iterator[object]:
    """The corpus in each backend, written once per module (tests only read it)."""
    if request.param == "sqlite":
        where: Path | str = tmp_path_factory.mktemp("http") / "index.db"
    else:
        where = f"{index_prefix}{uuid.uuid4().hex[:6]}-"
    index = open_test_index(request.param, where)
    assert index.upsert(corpus()) == []  # type: ignore[attr-defined]
    index.refresh()  # type: ignore[attr-defined]
    yield index
    close_test_index(index)


@pytest.fixture
def client(filled_index: object) -> Iterator[TestClient]:
    app = create_app(filled_index, NO_LIMIT, PrometheusSensor())  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on (just released by the OS)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
