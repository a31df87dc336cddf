"""``pipeline threads``: the thread stage as its own command, waiting for the indexer (embedded deployment)."""

from __future__ import annotations

import json
from pathlib import Path

from support import REPO, run_cli

from pipeline.bus.base import ENRICHED

US_CLAIM = "ad5e38ce934a1d496675-0000"  # the seed's "The United States has doubled down on its claim …"
FAST_GIVE_UP = {"PIPELINE_WORKER__BACKOFF_INITIAL_S": "0.1", "PIPELINE_WORKER__OUTAGE_ATTEMPTS": "3"}


def _groups(data_dir: Path, env: dict | None = None) -> dict[str, int]:
    status = json.loads(run_cli(data_dir, "status", "--json", env=env).stdout)
    return {t["group"]: t["lag"] for t in status["topics"] if t["topic"] == ENRICHED}


def test_threads_before_the_indexer_waits_then_threads_the_seed(tmp_path: Path) -> None:
    run_cli(tmp_path, "replay", "--quiet", str(REPO / "seeds"))
    run_cli(tmp_path, "nlp", "--until-idle")
    early = run_cli(tmp_path, "threads", "--until-idle", env=FAST_GIVE_UP, check=False)
    assert early.returncode == 3, early.stderr  # the indexer never ran: it waited, then reported it
    assert "not indexed yet" in early.stderr and "Traceback" not in early.stderr
    assert _groups(tmp_path) == {"indexer": 1, "threads": 1}  # nothing committed while it waited
    run_cli(tmp_path, "index", "--until-idle")
    assert json.loads(run_cli(tmp_path, "thread", US_CLAIM, "--json").stdout)["size"] == 1  # searchable, unthreaded
    done = run_cli(tmp_path, "threads", "--until-idle")
    assert "threads: 1 in" in done.stderr
    thread = json.loads(run_cli(tmp_path, "thread", US_CLAIM, "--json").stdout)
    assert thread["size"] >= 3 and thread["denied_by"] == 2
    assert _groups(tmp_path) == {"indexer": 0, "threads": 0}


def test_with_threads_off_there_is_no_thread_stage(tmp_path: Path) -> None:
    off = {"PIPELINE_INDEX__THREADS": "false"}
    refused = run_cli(tmp_path, "threads", "--until-idle", env=off, check=False)
    assert refused.returncode == 2 and "threads are off" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert _groups(tmp_path, off) == {"indexer": 0}
