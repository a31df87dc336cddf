"""The stage commands' watchdog: a process that ignores its stop flag is killed after the grace period."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline.runtime.hardstop import killed_if_stuck
from pipeline.runtime.shutdown import StopFlag

REPO = Path(__file__).resolve().parents[2]
STUCK = """
import sys
from pipeline.runtime.hardstop import killed_if_stuck
from pipeline.runtime.shutdown import StopFlag, signals_set_flag
stop = StopFlag()
with killed_if_stuck(stop, 1.0), signals_set_flag(stop):
    print("ready", flush=True)
    while True:  # never looks at the flag, like a batch inside C code
        pass
"""


def children() -> set[int]:
    return {int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in Path(task, "children").read_text().split()}


def test_a_process_that_does_not_stop_is_killed_soon_after_the_grace_period():
    proc = subprocess.Popen([sys.executable, "-c", STUCK], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL and "killed" in stderr
    assert 1.0 <= time.monotonic() - signalled < 30


def test_a_block_that_ends_by_itself_leaves_no_watchdog_behind():
    before = children()
    with killed_if_stuck(StopFlag(), 1.0):
        assert len(children() - before) == 1  # the watchdog
    assert children() - before == set()
