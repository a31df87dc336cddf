"""One version string: pyproject's, read from the installed metadata, shown by --version, the API and the agent."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline import __version__
from pipeline.config import load_settings
from pipeline.version import VERSION

REPO = Path(__file__).resolve().parents[1]


def test_the_version_is_pyprojects() -> None:
    assert __version__ == VERSION == tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_the_command_line_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"pipeline {VERSION}\n"


def test_the_user_agent_and_the_api_schema_carry_it(tmp_path: Path) -> None:
    from pipeline.http import create_app
    from pipeline.index.sqlite import SqliteIndex

    assert load_settings(None, {}).poller.user_agent.startswith(f"news-claims-pipeline/{VERSION} ")
    index = SqliteIndex(tmp_path / "index.db")
    try:
        with TestClient(create_app(index)) as client:
            assert client.get("/openapi.json").json()["info"]["version"] == VERSION
    finally:
        index.close()
