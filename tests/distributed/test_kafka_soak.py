"""bench/kafka_soak.py for a few seconds on the real servers: nothing lost or duplicated, nothing left behind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import ES_HOST, ES_PORT, KAFKA_HOST, KAFKA_PORT, REPO, require_server, write_corpus

pytestmark = [pytest.mark.kafka, pytest.mark.elastic, pytest.mark.integration, pytest.mark.slow]


def test_a_short_soak_loses_and_duplicates_nothing_and_cleans_up(tmp_path: Path) -> None:
    require_server("Kafka", KAFKA_HOST, KAFKA_PORT)
    require_server("Elasticsearch", ES_HOST, ES_PORT)
    corpus = write_corpus(tmp_path / "corpus.jsonl", n=40)
    # Bounded: 2 s of warm-up (4 more at most), 6 s at the rate, a 35 s drain: under a minute in all.
    proc = subprocess.run([sys.executable, "bench/kafka_soak.py", "--corpus", str(corpus), "--warmup-s", "2",
                           "--minutes", "0.1", "--rate", "4", "--drain-s", "35", "--sample-s", "2"],
                          cwd=REPO, capture_output=True, text=True, timeout=58)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert re.search(r"articles: published (\d+), indexed \1, lost 0, duplicated 0", out), out
    assert re.search(r"claims: (\d+) expected, \1 found, \1 documents: lost 0, duplicated 0", out), out
    assert "publish → searchable" in out and "consumer lag" in out and "RSS" in out
    namespace = re.search(r"namespace (ksoak\w+)\.", out)
    assert namespace, out
    prefix = namespace.group(1)
    with urllib.request.urlopen(f"http://{ES_HOST}:{ES_PORT}/_cat/indices/{prefix}-*?format=json") as resp:
        assert json.load(resp) == []  # the run's indices are gone
    from pipeline.bus.kafka import KafkaBus
    from pipeline.config import BusSettings

    bus = KafkaBus(f"{KAFKA_HOST}:{KAFKA_PORT}", BusSettings())
    try:
        deadline = time.monotonic() + 10  # a deletion reaches the broker's metadata within moments
        while (left := bus.drop_namespace(f"{prefix}.")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == []  # and its topics
    finally:
        bus.close()
