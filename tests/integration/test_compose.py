"""docker-compose.yml must be accepted by Docker Compose and describe the whole deployment."""

import os
import shutil
import subprocess

import pytest
from support import REPO


def compose_command() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"],
                                                 capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    reason = "neither `docker compose` nor `docker-compose` is installed (scripts/test installs it)"
    if os.environ.get("CI", "").lower() == "true" or os.environ.get("TEST_REQUIRE_SERVERS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def compose(*args: str) -> str:
    proc = subprocess.run([*compose_command(), "-f", str(REPO / "docker-compose.yml"), *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_compose_file_validates_and_has_every_service():
    compose("config", "-q")
    services = set(compose("config", "--services").split())
    assert services == {"kafka", "elasticsearch", "poller", "nlp", "indexer", "web"}


def test_every_service_has_a_health_check_and_two_nlp_workers():
    config = compose("config")
    assert config.count("healthcheck:") == 6
    nlp_section = config.split("\n  nlp:\n", 1)[1].split("\n  poller:\n")[0]
    assert "replicas: 2" in nlp_section
    assert "kafka://kafka:9092" in config and "http://elasticsearch:9200" in config
