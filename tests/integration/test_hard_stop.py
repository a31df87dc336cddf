"""SIGTERM while a batch is stuck in spaCy's C code: the command ends within seconds, nothing of the batch
committed; the next run indexes the batch, the pathological article without claims and dead-lettered."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from support import REPO, run_cli

from pipeline.bus.base import ENRICHED, NLP_GROUP, RAW
from pipeline.bus.sqlite import SqliteBus
from pipeline.index.sqlite import SqliteIndex
from pipeline.records import decode

QUOTES = '"' * 40_000  # minutes in spaCy's tokenizer, holding the GIL throughout


def write_corpus(path: Path) -> Path:
    texts = ["The minister said on Monday that the bridge would open in June.", QUOTES,
             "The mayor denied that the budget had been cut.", "Police said the road would stay closed."]
    with path.open("w") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"text": text, "url": f"https://news.test/{i}", "source": "News Test"}) + "\n")
    return path


def has_child(pid: int) -> bool:
    """Whether ``pid`` has started a child process (the stage commands' watchdog: the loop starts next)."""
    return any(Path(task, "children").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir())


def test_sigterm_mid_batch_stuck_in_c_code_exits_within_seconds_and_commits_nothing_of_it(tmp_path):
    data_dir = tmp_path / "data"
    run_cli(data_dir, "replay", "--quiet", str(write_corpus(tmp_path / "corpus.jsonl")))
    env = {**os.environ, "PIPELINE_DATA_DIR": str(data_dir), "PIPELINE_NLP__MAX_RUN_CHARS": "1000000",
           "PIPELINE_WORKER__STOP_GRACE_S": "3"}  # the run cap lifted: the tokenizer gets the quotes
    env.pop("PIPELINE_CONFIG", None)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not has_child(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # the batch (all four articles) is in the tokenizer by now
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
    assert took < 30
    assert proc.returncode == -signal.SIGKILL, stderr  # its watchdog ended it: the batch was still in hand
    assert "not committed" in stderr
    bus = SqliteBus(data_dir / "bus.db")
    try:
        assert bus.committed(NLP_GROUP, RAW) == {} and bus.read(ENRICHED) == []
    finally:
        bus.close()

    run_cli(data_dir, "run", "--until-idle")  # the default caps: the quotes never reach the tokenizer
    bus = SqliteBus(data_dir / "bus.db")
    enriched = {decode(m.value).article.text[:20]: decode(m.value) for m in bus.read(ENRICHED)}
    bus.close()
    slow = enriched[QUOTES[:20]]
    assert len(enriched) == 4 and slow.claims == () and all(e.claims for e in enriched.values() if e is not slow)
    index = SqliteIndex(data_dir / "index.db")
    try:
        assert index.counts()["articles"] == 4 and slow.article.id in index.get_articles([slow.article.id])
    finally:
        index.close()
    [letter] = json.loads(run_cli(data_dir, "dlq", "list", "--json").stdout)["articles.raw.dlq"]
    assert letter["error"].startswith("over the NLP budget: a run of 40,000 characters")
