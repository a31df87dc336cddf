"""The built wheel, installed into a fresh virtualenv, runs the demo's steps from an unrelated directory.

No PIPELINE_CONFIG, no PIPELINE_DATA_DIR, no checkout on sys.path: the defaults must come from the
installed package and the state must land in the user data directory. The virtualenv gets the wheel
alone (``--no-deps``); its dependencies are borrowed from the test's own environment through a
``.pth`` line (a plain path: that environment's own ``.pth`` files, its editable install of this
project among them, are not run), so the test needs no download beyond the build backend.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import venv
from pathlib import Path

import pytest
from support import REPO

from pipeline.version import VERSION

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``pipeline`` script of a fresh virtualenv holding only the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("install")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # pip must see the new venv alone
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "wheels"),
                            str(_source_copy(root / "source"))], env=env, capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stderr
    [wheel] = (root / "wheels").glob("news_claims_pipeline-*.whl")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                          str(wheel)], env=env, capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0 and "Successfully installed news-claims-pipeline" in pip.stdout, pip.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             env=env, capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir / "bin" / "pipeline"


def _source_copy(to: Path) -> Path:
    """What the wheel is built from, copied: setuptools leaves build/ and *.egg-info where it builds, and
    a stale build/lib in the checkout could slip deleted modules into a later wheel."""
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    shutil.copytree(REPO / "pipeline", to / "pipeline", ignore=skip)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, to / name)
    return to


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment: a home of its own, no project settings, nothing of the checkout."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIPELINE_", "PYTHON", "XDG_")) and k != "VIRTUAL_ENV"}
    return {**env, "HOME": str(tmp_path / "home"), "PIPELINE_HTTP__RATE_PER_S": "0"}


def _run(pipeline: Path, cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([str(pipeline), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"pipeline {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}"
    return proc.stdout


def test_the_code_is_the_installed_copy(installed: Path, tmp_path: Path, user_env: dict[str, str]) -> None:
    where = subprocess.run([str(installed.parent / "python"), "-c", "import pipeline; print(pipeline.__file__)"],
                           cwd=tmp_path, env=user_env, capture_output=True, text=True, check=True).stdout
    assert Path(where).resolve().is_relative_to(installed.parent.parent.resolve())
    assert not Path(where).resolve().is_relative_to(REPO)


def test_replay_run_search_and_serve_from_any_directory(installed: Path, tmp_path: Path,
                                                        user_env: dict[str, str]) -> None:
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    assert _run(installed, cwd, user_env, "--version") == f"pipeline {VERSION}\n"
    _run(installed, cwd, user_env, "replay", "--quiet", str(REPO / "seeds"))
    _run(installed, cwd, user_env, "run", "--until-idle")
    found = json.loads(_run(installed, cwd, user_env, "search", "--json", "drones", "--speaker", "Sullivan"))
    assert found["total"] >= 1 and found["hits"][0]["claim"]["speaker"]["canonical"] == "Jake Sullivan"
    state = tmp_path / "home" / ".local" / "share" / "news-claims-pipeline"
    assert {"bus.db", "index.db"} <= {p.name for p in state.iterdir()}
    assert list(cwd.iterdir()) == []  # nothing written where the user happened to stand
    every = json.loads(_run(installed, cwd, user_env, "search", "--json", "--limit", "1"))["total"]
    health = _health(installed, cwd, user_env)
    assert health["status"] == "ok" and health["counts"]["claims"] == every >= found["total"]


def _health(pipeline: Path, cwd: Path, env: dict[str, str]) -> dict:
    """``/health`` of ``pipeline serve`` started from ``cwd``, stopped once it answered."""
    with subprocess.Popen([str(pipeline), "serve", "--port", "0"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            line = proc.stdout.readline()  # printed once the server listens
            assert line.startswith("serving on http://127.0.0.1:"), line + proc.stderr.read()
            with urllib.request.urlopen(line.split()[2].rstrip("/") + "/health", timeout=30) as answer:
                return json.load(answer)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
