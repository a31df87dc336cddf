"""The distributed deployment as separate processes on real Kafka and Elasticsearch, with fault drills.

Every drill ends with a count check: every article indexed, exactly one
document per claim (the claim ids of the latest enriched record per article).
"""

import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest
from harness import CuttableProxy, Deployment
from support import REPO, require_server, write_corpus

from pipeline.backends import open_bus
from pipeline.bus.base import ENRICHED, RAW, dlq_topic

pytestmark = [pytest.mark.kafka, pytest.mark.elastic, pytest.mark.integration]
N = 300
US_CLAIM = "ad5e38ce934a1d496675-0000"  # the seed's "The United States has doubled down on its claim …"


@pytest.fixture
def deployment(tmp_path):
    require_server("Kafka", "127.0.0.1", 9092)
    require_server("Elasticsearch", "127.0.0.1", 9200)
    d = Deployment(tmp_path)
    yield d
    d.stop_all()
    d.drop_index()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_everything_indexed_once(d: Deployment, articles: int) -> None:
    d.wait_for(lambda: d.counts()["articles"] >= articles, 300, f"{articles} articles indexed")
    n, claim_ids = d.expected_claim_ids()
    d.wait_for(lambda: d.counts()["claims"] == len(claim_ids), 60, "claims indexed")
    assert n == articles
    assert d.counts() == {"articles": articles, "claims": len(claim_ids)}
    assert len(claim_ids) >= 2 * articles


def dead_letters(d: Deployment) -> int:
    status = json.loads(d.cli("status", "--json").stdout)
    return sum(t["records"] for t in status["topics"] if t["topic"].endswith(".dlq"))


def test_seeds_through_kafka_and_elasticsearch_are_searchable(deployment):
    d = deployment
    d.cli("replay", "--quiet", str(REPO / "seeds"))
    d.start("nlp")
    port = free_port()
    d.start("index", PIPELINE_METRICS__PORT=str(port))
    d.wait_for(lambda: d.counts()["articles"] == 1, 180, "the seed article indexed")
    d.wait_for(lambda: d.counts()["claims"] >= 5, 30, "the seed claims indexed")
    result = json.loads(d.cli("search", "Iran drones Russia", "--speaker", "Sullivan", "--json").stdout)
    assert result["total"] >= 1
    claim = result["hits"][0]["claim"]
    assert claim["speaker"]["canonical"] == "Jake Sullivan"
    assert "Iran" in claim["content"]["text"]
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert 'pipeline_records_in_total{stage="index"} 1.0' in metrics
    health = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5))
    assert health["status"] == "ok"
    status = json.loads(d.cli("status", "--json").stdout)
    assert status["index_counts"]["articles"] == 1
    raw = [t for t in status["topics"] if t["topic"] == RAW]
    assert len(raw) == 4 and sum(t["records"] for t in raw) == 1
    d.stop_all()
    assert all(p.returncode == 0 for p in d.procs), "SIGTERM must end services cleanly"


def test_seed_threads_come_from_the_threads_service_even_started_before_the_indexer(deployment):
    d = deployment
    d.cli("replay", "--quiet", str(REPO / "seeds"))
    port = free_port()
    d.start("nlp")
    threads = d.start("threads", PIPELINE_METRICS__PORT=str(port))
    d.wait_for(lambda: d.expected_claim_ids()[0] == 1, 180, "the seed article enriched")
    assert os.getpriority(os.PRIO_PROCESS, threads.pid) >= min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)  # threads follow
    d.wait_for(lambda: _records_in(port, "threads") == 1, 60, "the thread stage to take the record")
    assert d.lag("threads") == 1  # taken, but held uncommitted while the indexer has not indexed it
    d.start("index")
    d.wait_for(lambda: d.lag("threads") == 0, 120, "the thread group to drain")
    thread = json.loads(d.cli("thread", US_CLAIM, "--json").stdout)
    assert thread["size"] >= 3 and thread["denied_by"] == 2
    assert _records_in(port, "threads") == 1  # taken once: holding the batch did not poll it again
    status = json.loads(d.cli("status", "--json").stdout)
    enriched = [(t["group"], t["lag"]) for t in status["topics"] if t["topic"] == ENRICHED]
    assert sorted(enriched) == [("indexer", 0)] * 4 + [("threads", 0)] * 4
    d.stop_all()
    assert all(p.returncode == 0 for p in d.procs), "SIGTERM must end services cleanly"


def test_sigkill_nlp_worker_indexer_and_thread_stage_mid_stream(deployment):
    d = deployment
    d.cli("replay", "--quiet", str(write_corpus(d.tmp / "c.jsonl", N)))
    nlp, index, threads = d.start("nlp"), d.start("index"), d.start("threads")
    d.wait_for(lambda: d.counts()["articles"] >= 40, 180, "40 articles indexed")
    for proc in (nlp, index, threads):
        proc.kill()
        proc.wait()
    assert d.counts()["articles"] < N, "the kill should land mid-stream"
    d.start("nlp", "nlp2")
    d.start("index", "index2")
    d.start("threads", "threads2")
    assert_everything_indexed_once(d, N)
    _, claim_ids = d.expected_claim_ids()
    d.wait_for(lambda: d.lag("threads") == 0, 300, "the thread group to drain")
    assert d.threaded(claim_ids) == len(claim_ids)  # every claim got a thread


def test_two_nlp_workers_on_four_partitions_one_killed(deployment):
    d = deployment
    d.cli("replay", "--quiet", str(write_corpus(d.tmp / "c.jsonl", N)))
    first, _second = d.start("nlp", "nlp-a"), d.start("nlp", "nlp-b")
    d.start("index")
    d.wait_for(lambda: d.counts()["articles"] >= 40, 180, "40 articles indexed")
    first.kill()
    first.wait()
    assert_everything_indexed_once(d, N)


def test_kafka_stopped_and_restarted_mid_stream(deployment):
    d = deployment
    d.cli("replay", "--quiet", str(write_corpus(d.tmp / "c.jsonl", N)))
    services = [d.start("nlp"), d.start("index")]
    d.wait_for(lambda: d.counts()["articles"] >= 30, 180, "30 articles indexed")
    subprocess.run([str(REPO / "scripts" / "servers"), "stop", "kafka"], check=True, timeout=120)
    assert d.counts()["articles"] < N, "the outage should land mid-stream"
    time.sleep(5)
    subprocess.run([str(REPO / "scripts" / "servers"), "start", "kafka"], check=True, timeout=180)
    assert_everything_indexed_once(d, N)
    assert all(p.poll() is None for p in services), "services must ride out a broker outage"


def test_elasticsearch_unreachable_for_20_seconds(deployment):
    proxy = CuttableProxy(9200)
    try:
        d = deployment
        d.cli("replay", "--quiet", str(write_corpus(d.tmp / "c.jsonl", N)))
        d.start("nlp")
        metrics_port = free_port()
        indexer = d.start("index", PIPELINE_INDEX__URL=f"http://127.0.0.1:{proxy.port}",
                          PIPELINE_METRICS__PORT=str(metrics_port))
        d.wait_for(lambda: d.counts()["articles"] >= 30, 180, "30 articles indexed")
        proxy.cut()
        time.sleep(20)
        during = d.counts()["articles"]
        proxy.restore()
        assert during < N, "the outage should land mid-stream"
        assert_everything_indexed_once(d, N)
        assert indexer.poll() is None, "the indexer must ride out the outage"
        assert dead_letters(d) == 0, "an outage is not the records' fault: nothing is dead-lettered"
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as r:
            metrics = r.read().decode()
        retries = [line for line in metrics.splitlines() if line.startswith('pipeline_retries_total{stage="index"}')]
        assert retries and float(retries[0].split()[-1]) >= 1  # the worker's one retry loop waited it out
    finally:
        proxy.close()


def test_poison_record_is_dead_lettered_and_the_rest_arrives(deployment):
    d = deployment
    bus = open_bus(d.settings())
    try:
        producer = bus.producer()
        producer.publish(RAW, "poison-1", b"\xff not an article")
        producer.publish(RAW, "poison-2", b'{"schema": "article", "v": 1, "id": ""}')
        producer.flush()
        producer.close()
        d.cli("replay", "--quiet", str(write_corpus(d.tmp / "c.jsonl", 40)))
        d.start("nlp")
        d.start("index")
        assert_everything_indexed_once(d, 40)
        dead = bus.read(dlq_topic(RAW), limit=10)
        assert sorted(m.key for m in dead) == ["poison-1", "poison-2"]
        reasons = [json.loads(m.value)["error"] for m in dead]
        assert any("not JSON" in r for r in reasons) and any("invalid article" in r for r in reasons)
    finally:
        bus.close()


def _records_in(port: int, stage: str) -> float:
    """The stage's records polled so far, from its /metrics (0 before it has polled any)."""
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    line = next((ln for ln in metrics.splitlines() if ln.startswith(f'pipeline_records_in_total{{stage="{stage}"}}')), "")
    return float(line.split()[-1]) if line else 0.0
