"""The tests find scripts/servers' cache by the script's own rule (PIPELINE_SERVERS_CACHE, else under HOME)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import REPO, servers_cache


def _script_cache(env: dict[str, str]) -> str:
    """The CACHE the script computes under ``env``: its own assignment line, evaluated by bash."""
    line = next(m.group(0) for m in re.finditer(r"^CACHE=.*$", (REPO / "scripts/servers").read_text(), re.M))
    return subprocess.run([shutil.which("bash") or "bash", "-c", f'{line}; printf %s "$CACHE"'], env=env, capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize("configured", ["", "/srv/other-cache"])
def test_the_drills_look_where_the_script_keeps_its_servers(configured: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"HOME": str(tmp_path / "home"), "PIPELINE_SERVERS_CACHE": configured}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert str(servers_cache()) == _script_cache(env)
    assert str(servers_cache()) == (configured or f"{tmp_path}/home/.cache/news-claims-pipeline")
