"""Fixtures shared by every suite; plain helpers live in support.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import (
    INDEX_BACKENDS,
    KAFKA_HOST,
    KAFKA_PORT,
    REPO,
    close_test_index,
    open_test_index,
    require_server,
    run_cli,
    unique_name,
)

BUS_PARTITIONS = 4


@pytest.fixture(params=["sqlite", pytest.param("kafka", marks=pytest.mark.kafka)])
def bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """Each bus backend with ``BUS_PARTITIONS`` partitions per new topic."""
    if request.param == "sqlite":
        from pipeline.bus.sqlite import SqliteBus

        backend: object = SqliteBus(tmp_path / "bus.db", partitions=BUS_PARTITIONS)
    else:
        require_server("Kafka", KAFKA_HOST, KAFKA_PORT)
        from pipeline.bus.kafka import KafkaBus
        from pipeline.config import BusSettings

        backend = KafkaBus(f"{KAFKA_HOST}:{KAFKA_PORT}", BusSettings(partitions=BUS_PARTITIONS))
    yield backend
    backend.close()  # type: ignore[attr-defined]


@pytest.fixture
def topic() -> str:
    return unique_name("test.topic")


@pytest.fixture
def group() -> str:
    return unique_name("test.group")


@pytest.fixture(scope="module")
def index_prefix() -> str:
    """An Elasticsearch name prefix of this test module's own (lower case, as index names must be)."""
    return f"t{uuid.uuid4().hex[:10]}-"


@pytest.fixture(params=INDEX_BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path: Path, index_prefix: str) -> Iterator[object]:
    """An empty index of each backend, removed after the test."""
    where = tmp_path / "index.db" if request.param == "sqlite" else f"{index_prefix}{uuid.uuid4().hex[:6]}-"
    backend = open_test_index(request.param, where)
    yield backend
    close_test_index(backend)


@pytest.fixture(scope="session")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir where seeds/ went through replay and ``run --until-idle`` (once per session)."""
    data_dir = tmp_path_factory.mktemp("seeded")
    run_cli(data_dir, "replay", "--quiet", str(REPO / "seeds"))
    run_cli(data_dir, "run", "--until-idle")
    return data_dir
