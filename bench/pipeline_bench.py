#!/usr/bin/env python3
"""Throughput and latency of the distributed pipeline against its spaCy ceiling.

    .venv/bin/python bench/pipeline_bench.py CORPUS.jsonl [--workers 2] [--limit N] [--rate 10 --seconds 30]

Needs Kafka on 127.0.0.1:9092 and Elasticsearch on 127.0.0.1:9200
(`scripts/servers start`). Measures in one run:

1. ceiling: spaCy's own ``nlp.pipe`` over the texts, same model and
   components, ``n_process`` = the number of NLP workers;
2. end to end: replay → Kafka → N NLP worker processes → Kafka → indexer →
   Elasticsearch, from the first publish until every article (and its claims)
   is searchable; with claim threads on (``[index] threads``, the default) the
   thread service runs too, and the time its consumer group needs to drain
   after that is printed, with the rate counting it;
3. latency from publish to searchable at a steady publish rate (p50, p95),
   and from publish to threaded (the article's claims have thread links).

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
from pipeline.bus.base import ENRICHED, RAW, THREADS_GROUP  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.nlp.spacy.parser import load_spacy  # noqa: E402
from pipeline.records import encode  # noqa: E402
from pipeline.replay.files import json_article  # noqa: E402


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
    def __init__(self, env: dict[str, str], workers: int, logs: Path, threads: bool) -> None:
        self.procs = []
        self.names = [*(f"nlp-{i}" for i in range(workers)), "index", *(["threads"] if threads else [])]
        for name in self.names:
            stage = name if name in ("index", "threads") else "nlp"
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


def thread_lag(bus) -> int:
    """Records of articles.enriched the thread service has not committed yet."""
    return sum(bus.lag(s, THREADS_GROUP) for s in bus.stats([ENRICHED]))


def wait_for_threads(bus, timeout: float) -> float:
    """Seconds until the thread group has committed everything (the thread backlog is drained)."""
    started = time.perf_counter()
    while thread_lag(bus):
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"timed out waiting for the thread service (lag {thread_lag(bus)})")
        time.sleep(0.1)
    return time.perf_counter() - started


def end_to_end(settings, index, articles, already: int) -> float:
    """Seconds from the first publish until every article is searchable."""
    started = time.perf_counter()
    publish(settings, articles)
    wait_for_count(index, already + len(articles), 3600)
    return time.perf_counter() - started


def percentiles(seconds: list[float]) -> str:
    p95 = seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]
    return (f"p50 {statistics.median(seconds) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {seconds[-1] * 1000:.0f} ms")


def first_seen(es, alias: str, field: str, pending: list[str], seen: dict[str, float]) -> None:
    """Note now as the time each of ``pending`` first shows in ``alias`` (by ``field``: "_id" or a keyword)."""
    if not pending:
        return
    if field == "_id":
        hits = es.search(index=alias, query={"ids": {"values": pending}}, size=len(pending), source=False)
        found = [h["_id"] for h in hits["hits"]["hits"]]
    else:
        resp = es.search(index=alias, query={"terms": {field: pending}}, size=0,
                         aggs={"ids": {"terms": {"field": field, "size": len(pending)}}})
        found = [b["key"] for b in resp["aggregations"]["ids"]["buckets"]]
    now = time.perf_counter()
    for i in found:
        seen.setdefault(i, now)


def latency(settings, index, articles, rate: float, threads: bool) -> tuple[list[float], list[float]]:
    """Publish at ``rate`` per second; watch the index for each id becoming searchable and (with
    threads) threaded, until the thread group has drained. Returns both latencies, sorted."""
    published: dict[str, float] = {}
    seen: dict[str, float] = {}
    threaded: dict[str, float] = {}
    done = threading.Event()
    lag_bus = open_bus(settings)

    def watch() -> None:
        es = index._es  # a benchmark may look inside: one terms query per tick for pending ids
        while not done.is_set() or len(seen) < len(published) or (threads and thread_lag(lag_bus)):
            first_seen(es, index.alias("articles"), "_id", [i for i in published if i not in seen], seen)
            if threads:  # an article is threaded when its claims have links (one without claims never is)
                first_seen(es, index.alias("threads"), "article_id", [i for i in seen if i not in threaded],
                           threaded)
            time.sleep(0.02)
        if threads:  # links written with the last commit: one more look
            first_seen(es, index.alias("threads"), "article_id", [i for i in seen if i not in threaded], threaded)

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
    watcher.join(timeout=600)
    producer.close()
    bus.close()
    lag_bus.close()
    return (sorted(seen[i] - published[i] for i in published if i in seen),
            sorted(threaded[i] - published[i] for i in published if i in threaded))


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
    threads = settings.index.threads
    services = Services(env, args.workers, logs, threads)
    bus = open_bus(settings)
    try:
        warm = read_articles(args.corpus, args.workers * 2, f"{tag}-warm")
        publish(settings, warm)  # the services load their model and join the group first
        wait_for_count(index, len(warm), 600)
        if threads:
            wait_for_threads(bus, 600)
        cpu_before, started = services.cpu_seconds(), time.perf_counter()
        e2e_s = end_to_end(settings, index, articles, len(warm))
        wall, cpu_after = time.perf_counter() - started, services.cpu_seconds()
        drain_s = wait_for_threads(bus, 3600) if threads else 0.0
        cpu_drained = services.cpu_seconds()
        e2e = len(articles) / e2e_s
        print(f"end to end ({args.workers} NLP workers, Kafka, indexer, Elasticsearch; claims searchable): "
              f"{e2e:8.1f} articles/s" + ("" if threads else " (claim threads off)"))
        if threads:
            print(f"  thread service: its backlog drained {drain_s:.1f} s after the last article was searchable; "
                  f"counting that, {len(articles) / (e2e_s + drain_s):.1f} articles/s threaded "
                  f"(ratio {len(articles) / (e2e_s + drain_s) / ceil:.2f})")
        if cpu_before and cpu_after and cpu_drained:  # who was busy: NLP-bound means the NLP workers near 100 % of a core
            print("  CPU while claims became searchable (share of one core): " + ", ".join(
                f"{name} {100 * (cpu_after[name] - cpu_before[name]) / wall:.0f} %" for name in services.names)
                + "; " + ", ".join(f"{name} {1000 * (cpu_drained[name] - cpu_before[name]) / len(articles):.0f} ms "
                                   "per article" for name in services.names if not name.startswith("nlp")))
        print(f"ratio end-to-end / ceiling: {e2e / ceil:.2f} (load average now {os.getloadavg()[0]:.1f})")
        steady = read_articles(args.corpus, int(args.rate * args.seconds), f"{tag}-lat")
        lat, lat_threads = latency(settings, index, steady, args.rate, threads)
        if lat:
            print(f"publish → searchable at {args.rate:g}/s over {len(lat)} articles: {percentiles(lat)}")
        if lat_threads:
            print(f"publish → threaded at {args.rate:g}/s over {len(lat_threads)} articles with claims: "
                  f"{percentiles(lat_threads)}")
    finally:
        bus.close()
        services.stop()
        index.drop()  # type: ignore[attr-defined]
        index.close()


if __name__ == "__main__":
    main()
