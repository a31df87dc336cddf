#!/usr/bin/env python3
"""Throughput and latency of the distributed pipeline against its spaCy ceiling.

    .venv/bin/python bench/pipeline_bench.py CORPUS.jsonl [--workers 2] [--limit N] [--rate 10 --seconds 30]

Needs Kafka on 127.0.0.1:9092 and Elasticsearch on 127.0.0.1:9200
(`scripts/servers start`). Measures in one run:

1. ceiling: spaCy's own ``nlp.pipe`` over the texts, same model and
   components, ``n_process`` = the number of NLP workers;
2. end to end: replay → Kafka → N NLP worker processes → Kafka → indexer →
   Elasticsearch, from the first publish until every article is counted;
3. latency from publish to searchable at a steady publish rate (p50, p95).

Prints the figures and the ratio end-to-end / ceiling. Uses its own topic
namespace and index prefix, removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.backends import open_bus, open_index  # noqa: E402
from pipeline.bus.base import RAW  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.records import encode  # noqa: E402
from pipeline.stages.nlp import load_spacy  # noqa: E402
from pipeline.stages.replay import json_article  # noqa: E402


def read_articles(path: Path, limit: int | None, tag: str = "") -> list:
    articles = []
    with path.open() as f:
        for line in f:
            data = json.loads(line)
            # A fresh URL per run and phase: ids never collide with an earlier run's.
            articles.append(json_article({"text": data["text"], "title": data.get("title") or "",
                                          "url": f"https://bench.test/{tag}/{data.get('id', len(articles))}"}))
            if limit and len(articles) >= limit:
                break
    return articles


def ceiling(texts: list[str], model: str, processes: int, batch_size: int) -> float:
    nlp = load_spacy(model)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
        pass
    return len(texts) / (time.perf_counter() - started)


class Services:
    def __init__(self, env: dict[str, str], workers: int, logs: Path) -> None:
        self.procs = []
        self.names = [*(f"nlp-{i}" for i in range(workers)), "index"]
        for name in self.names:
            stage = "index" if name == "index" else "nlp"
            with (logs / f"{name}.log").open("w") as log:
                self.procs.append(subprocess.Popen([sys.executable, "-m", "pipeline", stage], cwd=REPO,
                                                   env=env, stdout=log, stderr=subprocess.STDOUT))

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds (user + system) each service has used so far, from /proc (Linux; else empty)."""
        out = {}
        for name, p in zip(self.names, self.procs, strict=True):
            try:
                fields = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return {}
            out[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return out

    def stop(self) -> None:
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()


def publish(settings, articles) -> None:
    bus = open_bus(settings)
    producer = bus.producer()
    for a in articles:
        producer.publish(RAW, a.id, encode(a))
    producer.flush()
    producer.close()
    bus.close()


def wait_for_count(index, target: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while index.counts()["articles"] < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {target} articles (have {index.counts()['articles']})")
        time.sleep(0.05)


def end_to_end(settings, index, articles, already: int) -> float:
    started = time.perf_counter()
    publish(settings, articles)
    wait_for_count(index, already + len(articles), 3600)
    return len(articles) / (time.perf_counter() - started)


def latency(settings, index, articles, rate: float) -> list[float]:
    """Publish at ``rate`` per second; watch the index for each id becoming searchable."""
    published: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = threading.Event()

    def watch() -> None:
        es = index._es  # a benchmark may look inside: one terms query per tick for pending ids
        while not done.is_set() or len(seen) < len(published):
            pending = [i for i in published if i not in seen]
            if pending:
                hits = es.search(index=index.alias("articles"), query={"ids": {"values": pending}},
                                 size=len(pending), source=False)["hits"]["hits"]
                now = time.perf_counter()
                for h in hits:
                    seen.setdefault(h["_id"], now)
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    bus = open_bus(settings)
    producer = bus.producer()
    start = time.perf_counter()
    for n, a in enumerate(articles):
        time.sleep(max(0.0, start + n / rate - time.perf_counter()))
        producer.publish(RAW, a.id, encode(a))
        producer.flush()
        published[a.id] = time.perf_counter()
    done.set()
    watcher.join(timeout=120)
    producer.close()
    bus.close()
    return sorted(seen[i] - published[i] for i in published if i in seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="articles for the throughput runs")
    parser.add_argument("--rate", type=float, default=10.0, help="articles per second in the latency run")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the latency run")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:8]
    env = {**os.environ, "PIPELINE_CONFIG": str(REPO / "config/distributed.toml"),
           "PIPELINE_BUS__NAMESPACE": f"bench{tag}.", "PIPELINE_INDEX__PREFIX": f"bench{tag}-",
           "PIPELINE_BUS__PARTITIONS": "4", "PIPELINE_DATA_DIR": f"/tmp/bench-{tag}"}
    settings = load_settings(None, {k: v for k, v in env.items() if k.startswith("PIPELINE_")})
    articles = read_articles(args.corpus, args.limit, f"{tag}-e2e")
    texts = [a.text[: settings.nlp.max_chars] for a in articles]
    print(f"corpus: {len(articles)} articles, {sum(map(len, texts)) / len(texts):.0f} characters on average; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (others' work skews every figure)")

    ceil = ceiling(texts, settings.nlp.model, args.workers, settings.nlp.batch_size)
    print(f"ceiling  (spaCy nlp.pipe, n_process={args.workers}): {ceil:8.1f} articles/s")

    index = open_index(settings)
    index.ensure_schema()
    logs = Path(f"/tmp/bench-{tag}")
    logs.mkdir(parents=True, exist_ok=True)
    services = Services(env, args.workers, logs)
    try:
        warm = read_articles(args.corpus, args.workers * 2, f"{tag}-warm")
        publish(settings, warm)  # the services load their model and join the group first
        wait_for_count(index, len(warm), 600)
        cpu_before, started = services.cpu_seconds(), time.perf_counter()
        e2e = end_to_end(settings, index, articles, len(warm))
        wall, cpu_after = time.perf_counter() - started, services.cpu_seconds()
        print(f"end to end ({args.workers} NLP workers, Kafka, indexer, Elasticsearch): {e2e:8.1f} articles/s")
        if cpu_before and cpu_after:  # who was busy: NLP-bound means the NLP workers near 100 % of a core
            print("  CPU during it (share of one core): " + ", ".join(
                f"{name} {100 * (cpu_after[name] - cpu_before[name]) / wall:.0f} %" for name in services.names)
                + f"; indexer {1000 * (cpu_after['index'] - cpu_before['index']) / len(articles):.0f} ms per article")
        print(f"ratio end-to-end / ceiling: {e2e / ceil:.2f} (load average now {os.getloadavg()[0]:.1f})")
        steady = read_articles(args.corpus, int(args.rate * args.seconds), f"{tag}-lat")
        lat = latency(settings, index, steady, args.rate)
        if lat:
            p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
            print(f"publish → searchable at {args.rate:g}/s over {len(lat)} articles: "
                  f"p50 {statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")
    finally:
        services.stop()
        index.drop()  # type: ignore[attr-defined]
        index.close()


if __name__ == "__main__":
    main()
