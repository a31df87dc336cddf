"""Secrets never leak: the Kafka SASL password and the Elasticsearch API key appear in no log line
(at -vv), no `status`, no `/metrics` or `/health`, and no error message (real Kafka and Elasticsearch)."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from support import ES_HOST, ES_PORT, KAFKA_HOST, KAFKA_PORT, REPO, require_server

pytestmark = [pytest.mark.kafka, pytest.mark.elastic, pytest.mark.integration]
PASSWORD = f"sasl-pw-{uuid.uuid4().hex}"
API_KEY = f"es-key-{uuid.uuid4().hex}"
SECRETS = [PASSWORD, API_KEY, base64.b64encode(PASSWORD.encode()).decode(),
           base64.b64encode(API_KEY.encode()).decode()]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    require_server("Kafka", KAFKA_HOST, KAFKA_PORT)
    require_server("Elasticsearch", ES_HOST, ES_PORT)
    tag = uuid.uuid4().hex[:10]
    env = {**os.environ, "PIPELINE_CONFIG": str(REPO / "config" / "distributed.toml"),
           "PIPELINE_DATA_DIR": str(tmp_path / "data"), "PIPELINE_BUS__NAMESPACE": f"s{tag}.",
           "PIPELINE_INDEX__PREFIX": f"s{tag}-", "PIPELINE_BUS__KAFKA__SASL_PASSWORD": PASSWORD,
           "PIPELINE_INDEX__ELASTIC__API_KEY": API_KEY}
    return env


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "pipeline", "-vv", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def _assert_secret_free(text: str, where: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"a secret leaked into {where}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except urllib.error.HTTPError as exc:  # /health answers 503 while degraded: its body counts too
        return exc.read().decode()


def test_commands_at_debug_level_never_show_the_secrets(env: dict[str, str]) -> None:
    outputs = {}
    for args in (["replay", "--quiet", str(REPO / "seeds")], ["status"], ["status", "--json"],
                 ["search", "Iran"], ["dlq", "list"]):
        code, outputs[" ".join(args)] = _run(env, *args)
        assert code in (0, 2), outputs[" ".join(args)][-2000:]  # 2: search before anything was indexed
    assert len(outputs["status"]) > 1000  # -vv really logged (driver debug lines included)
    for where, text in outputs.items():
        _assert_secret_free(text, where)


def test_a_service_log_its_metrics_and_health_never_show_the_secrets(env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "index.log"
    with log.open("w") as out:
        service = subprocess.Popen([sys.executable, "-m", "pipeline", "-vv", "index", "--metrics-port", str(port)],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline, metrics = time.monotonic() + 120, ""
        while "pipeline_records_in" not in metrics:
            assert service.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            try:
                metrics = _get(f"http://127.0.0.1:{port}/metrics")
            except OSError:
                time.sleep(0.5)
        health = _get(f"http://127.0.0.1:{port}/health")
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(60)
    _assert_secret_free(metrics, "/metrics")
    _assert_secret_free(health, "/health")
    _assert_secret_free(log.read_text(), "the service log")


def test_error_messages_never_show_the_secrets(env: dict[str, str]) -> None:
    sasl = {**env, "PIPELINE_BUS__KAFKA__SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "PIPELINE_BUS__KAFKA__SASL_MECHANISM": "PLAIN", "PIPELINE_BUS__KAFKA__SASL_USERNAME": "pipeline"}
    code, text = _run(sasl, "status")  # the broker speaks no SASL: the client cannot connect
    assert code == 3
    _assert_secret_free(text, "the Kafka error")
    down = {**env, "PIPELINE_INDEX__URL": "http://127.0.0.1:9"}  # nothing listens there
    code, text = _run(down, "index", "--until-idle")
    assert code == 3
    _assert_secret_free(text, "the Elasticsearch error")
    both = {**env, "PIPELINE_INDEX__ELASTIC__USERNAME": "elastic"}  # api_key and username: a config error
    code, text = _run(both, "search", "Iran")
    assert code == 2
    _assert_secret_free(text, "the configuration error")
