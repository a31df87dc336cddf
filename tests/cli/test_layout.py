"""Every command module is under the import-linter contract that keeps commands from importing each other."""

from __future__ import annotations

import tomllib

from support import REPO


def test_every_command_is_in_the_independence_contract():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "independence"
                  and all(m.startswith("pipeline.cli.") for m in c["modules"])]
    commands = {f"pipeline.cli.{p.stem}" for p in (REPO / "pipeline" / "cli").glob("*_cmd.py")}
    assert commands and set(contract["modules"]) == commands
