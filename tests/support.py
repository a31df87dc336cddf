"""Helpers shared by the test suites (plain functions; fixtures live in conftest.py).

Import as ``from support import ...``: ``tests/`` is on sys.path (rootdir conftest).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
KAFKA_HOST, KAFKA_PORT = "127.0.0.1", int(os.environ.get("KAFKA_PORT", "9092"))  # as scripts/servers
ES_HOST, ES_PORT = "127.0.0.1", int(os.environ.get("ES_PORT", "9200"))
INDEX_BACKENDS = ["sqlite", pytest.param("elastic", marks=pytest.mark.elastic)]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def servers_required() -> bool:
    """In CI (CI=true) or with TEST_REQUIRE_SERVERS=1 a missing server fails the test."""
    return in_ci() or os.environ.get("TEST_REQUIRE_SERVERS") == "1"


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


def shared_path(*parts: str) -> Path:
    """A file under ../shared; skips when it is absent (a user's clone), fails in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent (it exists on the project's machines and in CI, not in a user's clone)"
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def servers_cache() -> Path:
    """Where ``scripts/servers`` keeps its servers: $PIPELINE_SERVERS_CACHE, else ~/.cache/news-claims-pipeline
    (the script's own rule, so a drill finds the distribution whoever's home the broker was started under)."""
    configured = os.environ.get("PIPELINE_SERVERS_CACHE")
    return Path(configured) if configured else Path(os.environ.get("HOME") or Path.home()) / ".cache/news-claims-pipeline"


def unique_name(prefix: str) -> str:
    """A topic or group name no other test (or earlier run against the same broker) uses."""
    return f"{prefix}.{uuid.uuid4().hex[:12]}"


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
    index = ElasticIndex(url, IndexSettings(url=url), prefix=str(where))
    index.ensure_schema()
    return index


def close_test_index(index: object) -> None:
    drop = getattr(index, "drop", None)
    if drop is not None:
        drop()
    index.close()  # type: ignore[attr-defined]


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


# A drill that stops and starts a broker uses one of its own, never the shared one.
restart_drill = pytest.mark.skipif(
    os.environ.get("TEST_KAFKA_RESTART_DRILL") != "1",
    reason="restarts a private broker on KAFKA_DRILL_PORT (default 19092): set TEST_KAFKA_RESTART_DRILL=1")


class PrivateKafka:
    """A Kafka broker of the test's own on KAFKA_DRILL_PORT (default 19092), stopped and started at will.

    It shares the downloaded distribution with scripts/servers but has its own run directory, so the
    shared broker is left alone.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.port = os.environ.get("KAFKA_DRILL_PORT", "19092")
        cache = tmp_path / "servers"
        cache.mkdir()
        (cache / "dist").symlink_to(servers_cache() / "dist")
        self._env = {**os.environ, "PIPELINE_SERVERS_CACHE": str(cache), "KAFKA_PORT": self.port}

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self._servers("start")

    def stop(self) -> None:
        self._servers("stop")

    def _servers(self, command: str) -> None:
        subprocess.run([str(REPO / "scripts/servers"), command, "kafka"], env=self._env, check=True,
                       capture_output=True, timeout=180)
