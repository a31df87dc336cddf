"""Fixtures for the poller tests (helpers live in pollsite.py). Loopback only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pollsite import FAST, Harness, LocalServer, NewsSite


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def inside() -> Iterator[LocalServer]:
    """A server on another loopback address (127.0.0.2): what a feed must not make the poller reach."""
    srv = LocalServer("127.0.0.2")
    yield srv
    srv.close()


@pytest.fixture
def site(server: LocalServer) -> NewsSite:
    return NewsSite(server)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    h = Harness(tmp_path, FAST)
    yield h
    h.close()
