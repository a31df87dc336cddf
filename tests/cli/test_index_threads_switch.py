"""``[index] threads``: on by default (the seed's denials join the US claim's thread); off, the indexer only upserts."""

from __future__ import annotations

import json
from pathlib import Path

from support import REPO, run_cli

US_CLAIM = "ad5e38ce934a1d496675-0000"  # the seed's "The United States has doubled down on its claim …"


def _thread(data_dir: Path) -> dict:
    return json.loads(run_cli(data_dir, "thread", US_CLAIM, "--json").stdout)


def test_threads_switched_off_leave_every_claim_alone_but_searchable(tmp_path: Path, seeded_data_dir: Path) -> None:
    run_cli(tmp_path, "replay", "--quiet", str(REPO / "seeds"))
    run_cli(tmp_path, "run", "--until-idle", env={"PIPELINE_INDEX__THREADS": "false"})
    off, on = _thread(tmp_path), _thread(seeded_data_dir)
    assert (off["size"], off["denied_by"], off["disagree"]) == (1, 0, [])
    assert on["size"] >= 3 and on["denied_by"] >= 1
    assert "drones" in run_cli(tmp_path, "search", "drones").stdout
