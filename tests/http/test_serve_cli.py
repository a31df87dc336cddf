"""``pipeline serve`` as a command: a clear one-line error when it cannot listen; worker processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from http_corpus import all_claims, corpus
from support import REPO, run_cli

from pipeline.index.sqlite import SqliteIndex


def test_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = run_cli(tmp_path, "serve", "--port", str(port), check=False, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and f"127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr


def _children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(x) for x in (task / "children").read_text().split()}
    return found


def test_workers_share_the_port_and_stop_together(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    index.upsert(corpus())
    index.close()
    env = {**os.environ, "PIPELINE_DATA_DIR": str(tmp_path), "PIPELINE_HTTP__RATE_PER_S": "0"}
    env.pop("PIPELINE_CONFIG", None)
    with subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0", "--workers", "3"],
                          cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            workers = _serve_and_stop(proc)
        finally:
            proc.kill()  # only if something above failed: a clean stop already ended it
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)  # stopped and reaped


def _serve_and_stop(proc: subprocess.Popen) -> set[int]:
    """Search through every worker of ``proc``, then stop it with SIGTERM; the workers' process ids."""
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()  # printed once every worker process exists
    assert line.startswith("serving on http://127.0.0.1:"), line + proc.stderr.read()
    base = line.split()[2].rstrip("/")
    workers = _children(proc.pid)
    assert len(workers) == 2  # and this process is the third
    for _ in range(12):  # new connections, spread over the workers by the kernel
        with urllib.request.urlopen(f"{base}/api/claims?q=drones", timeout=30) as answer:
            found = json.load(answer)
        assert found["total"] == sum("drone" in c.content.text for c, _ in all_claims())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    return workers


def test_a_bad_number_of_workers_is_a_one_line_error(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "serve", "--port", "0", "--workers", "0", check=False, timeout=60)
    assert proc.returncode == 2 and "--workers" in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
