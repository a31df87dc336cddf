"""SIGKILL the running pipeline mid-replay, restart it: every article and claim indexed exactly once."""

import json
import os
import signal
import subprocess
import sys
import time

from support import REPO, run_cli, write_corpus

from pipeline.bus.base import ENRICHED
from pipeline.bus.sqlite import SqliteBus
from pipeline.index.sqlite import SqliteIndex
from pipeline.records import decode


def index_counts(data_dir):
    index = SqliteIndex(data_dir / "index.db")
    try:
        return index.counts()
    finally:
        index.close()


def test_sigkill_mid_stream_then_restart_indexes_everything_exactly_once(tmp_path):
    data_dir = tmp_path / "data"
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus)
    run_cli(data_dir, "replay", "--quiet", str(corpus))
    env = {**os.environ, "PIPELINE_DATA_DIR": str(data_dir), "PIPELINE_WORKER__BATCH_SIZE": "8"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if (data_dir / "index.db").exists() and index_counts(data_dir)["articles"] >= 24:
                break
            time.sleep(0.2)
        killed_at = index_counts(data_dir)["articles"]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert 0 < killed_at < 200, f"the kill should land mid-stream (indexed {killed_at})"

    run_cli(data_dir, "run", "--until-idle")

    bus = SqliteBus(data_dir / "bus.db")
    latest = {}
    for message in bus.read(ENRICHED, limit=10_000):
        enriched = decode(message.value)
        latest[enriched.article.id] = enriched
    bus.close()
    expected_claims = {c.id for e in latest.values() for c in e.claims}
    counts = index_counts(data_dir)
    assert len(latest) == 200
    assert counts == {"articles": 200, "claims": len(expected_claims)}
    assert len(expected_claims) >= 400  # each article makes at least its two reported claims
    status = json.loads(run_cli(data_dir, "status", "--json").stdout)
    assert all(t["lag"] in (0, None) for t in status["topics"])


def test_sigterm_finishes_the_batch_and_exits_cleanly(tmp_path):
    data_dir = tmp_path / "data"
    run_cli(data_dir, "replay", "--quiet", str(write_corpus(tmp_path / "corpus.jsonl", 120)))
    env = {**os.environ, "PIPELINE_DATA_DIR": str(data_dir), "PIPELINE_WORKER__BATCH_SIZE": "8"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if (data_dir / "index.db").exists() and index_counts(data_dir)["articles"] >= 16:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "nlp:" in stderr and "index:" in stderr  # the summary line of a clean exit
    stopped_at = index_counts(data_dir)["articles"]
    assert 0 < stopped_at < 120
    run_cli(data_dir, "run", "--until-idle")
    assert index_counts(data_dir)["articles"] == 120
