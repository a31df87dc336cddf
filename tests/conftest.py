"""Shared fixtures. Each owner keeps to a marked section; append, never rewrite another's."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest

# ============================================================================
# Servers (shared rule for Kafka, Elasticsearch, ...)
# ============================================================================


def servers_required() -> bool:
    """In CI (CI=true) or with TEST_REQUIRE_SERVERS=1 a missing server fails the test."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("TEST_REQUIRE_SERVERS") == "1"


def require_server(name: str, host: str, port: int, timeout_s: float = 2.0) -> None:
    """Skip the calling test (or fail it, see ``servers_required``) unless host:port accepts connections."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except OSError as exc:
        reason = f"{name} not reachable at {host}:{port} ({exc}); start it with `scripts/servers start`"
    if servers_required():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


# ============================================================================
# Bus fixtures (owner: bus adapter)
# ============================================================================

KAFKA_HOST = "127.0.0.1"
KAFKA_PORT = int(os.environ.get("KAFKA_PORT", "9092"))  # the port scripts/servers uses
BUS_PARTITIONS = 4


def unique_name(prefix: str) -> str:
    """A topic or group name no other test (or earlier run against the same broker) uses."""
    return f"{prefix}.{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["sqlite", pytest.param("kafka", marks=pytest.mark.kafka)])
def bus(request: pytest.FixtureRequest, tmp_path) -> Iterator[object]:
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


# ============================================================================
# Embedded pipeline fixtures (owner: lead)
# ============================================================================

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under ../shared; skips when it is absent (a user's clone), fails in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent (it exists on the project's machines and in CI, not in a user's clone)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def run_cli(data_dir: Path, *args: str, timeout: float = 300, env: dict | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
    """``python -m pipeline ARGS`` with its state in ``data_dir``; output captured as text."""
    full_env = {**os.environ, "PIPELINE_DATA_DIR": str(data_dir), **(env or {})}
    full_env.pop("PIPELINE_CONFIG", None)
    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"pipeline {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir where seeds/ went through replay and ``run --until-idle`` (once per session)."""
    data_dir = tmp_path_factory.mktemp("seeded")
    run_cli(data_dir, "replay", "--quiet", str(REPO / "seeds"))
    run_cli(data_dir, "run", "--until-idle")
    return data_dir


@pytest.fixture(scope="session")
def spacy_nlp():
    """The configured spaCy model, loaded once per session."""
    from pipeline.config import NlpSettings
    from pipeline.stages.nlp import load_model

    return load_model(NlpSettings().model)


# ============================================================================
# Index fixtures (owner: Elasticsearch index adapter)
# ============================================================================

ES_HOST = "127.0.0.1"
ES_PORT = int(os.environ.get("ES_PORT", "9200"))  # the port scripts/servers uses
INDEX_BACKENDS = ["sqlite", pytest.param("elastic", marks=pytest.mark.elastic)]


def open_test_index(kind: str, where: Path | str) -> object:
    """A fresh, schema-ready index: SQLite at path ``where``, or Elasticsearch under prefix ``where``.

    Elasticsearch indices live behind ``<where>claims``/``<where>articles``;
    call ``drop()`` on the result to remove them.
    """
    if kind == "sqlite":
        from pipeline.index.sqlite import SqliteIndex

        return SqliteIndex(Path(where))
    require_server("Elasticsearch", ES_HOST, ES_PORT)
    from pipeline.config import IndexSettings
    from pipeline.index.elastic import ElasticIndex

    url = f"http://{ES_HOST}:{ES_PORT}"
    index = ElasticIndex(url, IndexSettings(url=url), prefix=str(where), retry_for_s=10.0)
    index.ensure_schema()
    return index


def close_test_index(index: object) -> None:
    drop = getattr(index, "drop", None)
    if drop is not None:
        drop()
    index.close()  # type: ignore[attr-defined]


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


PEOPLE = ["Maria Lopez", "Ahmed Karimi", "Olga Petrova", "John Smith", "Aiko Tanaka"]
SUBJECTS = ["the bridge", "the budget", "the treaty", "the vaccine", "the pipeline"]


def write_corpus(path: Path, n: int = 200, prefix: str = "story") -> Path:
    """``n`` short invented articles as JSONL, each with two reported claims and a quote."""
    with path.open("w") as f:
        for i in range(n):
            person, subject = PEOPLE[i % 5], SUBJECTS[(i // 5) % 5]
            text = (f"{person} said on Monday that {subject} would cost {i + 3} million dollars. "
                    f"The ministry denied that {subject} had been delayed for {i + 1} weeks. "
                    f"\"We will finish {subject} by June,\" {person.split()[1]} told reporters.")
            f.write(json.dumps({"text": text, "url": f"https://news.test/{prefix}/{i}", "source": "News Test",
                                "published": "2024-05-01T12:00:00Z"}) + "\n")
    return path
