#!/usr/bin/env python3
"""Soak and backfill of real article texts through Kafka and Elasticsearch (issue 17's "ingest at volume").

    .venv/bin/python bench/kafka_soak.py [--minutes 10] [--rate 6] [--backfill 10000]
                                         [--corpus ../shared/data/polnear/train.jsonl]

Needs Kafka on 127.0.0.1:9092 and Elasticsearch on 127.0.0.1:9200
(``scripts/servers start``). Starts ``--workers`` (2) ``pipeline nlp`` processes,
one ``pipeline index`` and one ``pipeline threads``, all on a topic namespace and
an index prefix of this run's own, and publishes the corpus's texts round-robin,
each copy under a fresh URL (so a fresh article id: every publish is a new article):

1. warm-up: ``--warmup-s`` (60) at ``--rate``; these articles count for lost and
   duplicated but not for latency; the services' RSS is read at its end;
2. with ``--backfill N``: N articles published at once (as fast as the producer
   goes), then
3. ``--minutes`` at ``--rate`` per second, then the drain: publishing stops and
   the run waits (at most ``--drain-s``) for every article to be searchable and
   for the thread stage's group to catch up.

Publish → searchable is measured for every article: publish time is when the
producer's flush returned (for a backfill, when its batch's flush did); a
watcher thread asks Elasticsearch every ``--tick-s`` (0.2 s) for the pending ids
(an ``ids`` search on the articles alias, so only what a search can see, after
the index's refresh) and notes when each first shows. Resolution: the tick plus
one search. The indexer writes an article's document after its claims', so an
article found means its claims are searchable too.

Prints: latency p50/p95/p99/max of the steady-rate articles after the warm-up and
per ``--window-s`` (30 s) window of publish time (the backfill's recovery: the
first window from which every window's p95 is under 2 s; its drain rate); consumer
lag per group sampled every ``--sample-s`` (10 s), max and final; every service's
RSS after the warm-up, its largest and at the end (growth %) and its CPU share;
articles published, indexed, lost and duplicated, claims written, lost and
duplicated (documents counted against distinct ids).

Bounded: publishing stops after ``--minutes`` (and ``--max-articles``); the drain
after ``--drain-s``. The services are stopped and the topics, consumer groups and
indices removed at the end, also on Ctrl-C, SIGTERM or failure. Exit status 0 when
nothing was lost or duplicated and every service lived to the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soak import rss_mb  # noqa: E402  (bench/soak.py: the RSS reader both soaks share)

from pipeline.backends import open_bus, open_index  # noqa: E402
from pipeline.bus.base import CONSUMER_GROUPS, ENRICHED, RAW  # noqa: E402
from pipeline.bus.kafka import KafkaBus  # noqa: E402
from pipeline.config import Settings, load_settings  # noqa: E402
from pipeline.records import Article, encode  # noqa: E402
from pipeline.replay.files import json_article  # noqa: E402

# ../shared beside the checkout (a git worktree one level deeper finds it one level up).
POLNEAR = next((p for p in (d / "shared" / "data" / "polnear" / "train.jsonl" for d in REPO.parents[:2])
                if p.exists()), REPO.parent / "shared" / "data" / "polnear" / "train.jsonl")
TARGET_P95_S = 2.0
CHUNK = 2000  # ids per watcher search (Elasticsearch returns at most 10,000 hits per page)


def corpus_texts(path: Path) -> list[dict[str, str]]:
    """The corpus's texts, each with its outlet (its ``source``, else the id's part before the first ``_``)."""
    out = []
    with path.open() as f:
        for line in f:
            data = json.loads(line)
            outlet = str(data.get("source") or str(data.get("id", "soak")).split("_")[0])
            out.append({"text": data["text"], "source": outlet})
    if not out:
        raise SystemExit(f"{path}: no articles")
    return out


def copies(texts: Sequence[dict[str, str]], tag: str) -> Iterator[Article]:
    """The texts round-robin, each copy under a URL of its own (a new article id each time)."""
    for n in itertools.count():
        item = texts[n % len(texts)]
        yield json_article({"text": item["text"], "source": item["source"],
                            "url": f"https://soak.test/{tag}/{n}"})


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core, from /proc/stat (Linux)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


class Services:
    """The pipeline's services as processes, with their RSS and CPU time read from /proc."""

    def __init__(self, env: dict[str, str], workers: int, logs: Path) -> None:
        self.names = [*(f"nlp-{i}" for i in range(workers)), "index", "threads"]
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        for name in self.names:
            stage = "nlp" if name.startswith("nlp") else name
            with (logs / f"{name}.log").open("w") as log:  # the child keeps its own descriptor
                self.procs[name] = subprocess.Popen([sys.executable, "-m", "pipeline", stage], cwd=REPO,
                                                    env=env, stdout=log, stderr=subprocess.STDOUT)

    def dead(self) -> list[str]:
        return [f"{name} (exit {p.returncode})" for name, p in self.procs.items() if p.poll() is not None]

    def rss(self) -> dict[str, float]:
        return {name: rss_mb(p.pid) for name, p in self.procs.items() if p.poll() is None}

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU seconds of each live service (fields 14 and 15 of /proc/PID/stat)."""
        out = {}
        for name, p in self.procs.items():
            try:
                fields = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return out

    def stop(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@dataclass
class Ledger:
    """Every published article's publish time and first-searchable time (perf_counter seconds)."""

    published: dict[str, float] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)  # "warmup", "backfill" or "steady"
    seen: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ids: Sequence[str], at: float, kind: str) -> None:
        with self.lock:
            for i in ids:
                self.published[i], self.kind[i] = at, kind

    def pending(self) -> list[str]:
        with self.lock:
            return [i for i in self.published if i not in self.seen]

    def mark(self, ids: Sequence[str], at: float) -> None:
        with self.lock:
            for i in ids:
                self.seen.setdefault(i, at)

    def latencies(self, kind: str) -> list[tuple[float, float]]:
        """(publish time, latency) of the searchable articles of one kind, by publish time."""
        with self.lock:
            return sorted((t, self.seen[i] - t) for i, t in self.published.items()
                          if self.kind[i] == kind and i in self.seen)


def watch(es: Any, alias: str, ledger: Ledger, stop: threading.Event, tick_s: float) -> None:
    """Note when each pending id first shows in a search of ``alias``, until ``stop`` is set."""
    while not stop.is_set():
        began = time.perf_counter()
        pending = ledger.pending()
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start:start + CHUNK]
            try:
                resp = es.search(index=alias, query={"ids": {"values": chunk}}, size=len(chunk), source=False)
            except Exception as exc:  # noqa: BLE001  (a slow or failed search is retried next tick)
                print(f"  watcher: search failed ({exc}); retrying", file=sys.stderr)
                break
            ledger.mark([h["_id"] for h in resp["hits"]["hits"]], time.perf_counter())
        stop.wait(max(0.0, tick_s - (time.perf_counter() - began)))


@dataclass
class Sample:
    at: float
    lag: dict[str, int]
    rss: dict[str, float]


def group_lags(bus: Any) -> dict[str, int]:
    """Records each consumer group has not committed yet, over every partition of the topic it reads."""
    out: dict[str, int] = {}
    for topic in (RAW, ENRICHED):
        stats = bus.stats([topic])
        for group in CONSUMER_GROUPS[topic]:
            out[group] = sum(bus.lag(s, group) for s in stats)
    return out


def sample(bus: Any, services: Services, samples: list[Sample], stop: threading.Event, every_s: float) -> None:
    """Every ``every_s``: each group's lag and each service's RSS."""
    while not stop.wait(every_s):
        try:
            samples.append(Sample(time.perf_counter(), group_lags(bus), services.rss()))
        except Exception as exc:  # noqa: BLE001  (one missed sample is not a failed soak)
            print(f"  sampler: {exc}", file=sys.stderr)


def pct(values: Sequence[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def summary(lat: Sequence[float]) -> str:
    s = sorted(lat)
    if not s:
        return "none searchable"
    return (f"p50 {statistics.median(s):.2f} s, p95 {pct(s, 0.95):.2f} s, p99 {pct(s, 0.99):.2f} s, "
            f"max {s[-1]:.2f} s")


def windows(points: Sequence[tuple[float, float]], origin: float, width_s: float) -> list[tuple[int, list[float]]]:
    """Latencies grouped by window of publish time after ``origin``: [(window number, latencies)]."""
    grouped: dict[int, list[float]] = {}
    for t, lat in points:
        grouped.setdefault(int((t - origin) // width_s), []).append(lat)
    return sorted(grouped.items())


def recovery(rows: Sequence[tuple[int, list[float]]], width_s: float) -> float | None:
    """Start (s after the origin) of the first window from which every window's p95 is under the target."""
    bad = [n for n, lat in rows if pct(sorted(lat), 0.95) >= TARGET_P95_S]
    after = [n for n, _ in rows if not bad or n > bad[-1]]
    return after[0] * width_s if after else None


class Publisher:
    """Publishes articles and records their publish time in the ledger."""

    def __init__(self, bus: Any, source: Iterator[Article], ledger: Ledger) -> None:
        self.producer, self.source, self.ledger = bus.producer(), source, ledger
        self.count = 0

    def steady(self, seconds: float, rate: float, kind: str, limit: int, stop: threading.Event) -> None:
        """One article every 1/rate s (flushed each) for ``seconds`` or until ``limit`` articles in all."""
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < seconds and self.count < limit and not stop.is_set():
            article = next(self.source)
            self.producer.publish(RAW, article.id, encode(article))
            self.producer.flush()
            self.ledger.add([article.id], time.perf_counter(), kind)
            self.count, n = self.count + 1, n + 1
            time.sleep(max(0.0, started + n / rate - time.perf_counter()))

    def burst(self, n: int, batch: int = 500) -> float:
        """``n`` articles as fast as the producer goes, flushed every ``batch``; the seconds it took."""
        started = time.perf_counter()
        for start in range(0, n, batch):
            ids = []
            for article in itertools.islice(self.source, min(batch, n - start)):
                self.producer.publish(RAW, article.id, encode(article))
                ids.append(article.id)
            self.producer.flush()
            self.ledger.add(ids, time.perf_counter(), "backfill")
            self.count += len(ids)
        return time.perf_counter() - started

    def close(self) -> None:
        self.producer.close()


def books(index: Any, ids: Sequence[str]) -> dict[str, int]:
    """Articles and claims in the index counted against distinct ids: found, lost and duplicated.

    The claims expected are those each article's document names (the indexer writes them before the
    article); a claim document more than the distinct claim ids found is a duplicate, a named claim
    id not found is lost. Real-time multi-gets (a benchmark may look inside the adapter).
    """
    index.refresh()
    states: dict[str, Any] = {}
    for start in range(0, len(ids), 1000):
        states.update(index._mget("articles", ids[start:start + 1000], ["state"]))
    expected = sorted({c for src in states.values() for c in src.get("state", {}).get("claim_ids", [])})
    found: set[str] = set()
    for start in range(0, len(expected), 1000):
        found.update(index._mget("claims", expected[start:start + 1000], ["article"]))
    counts = index.counts()
    return {"articles": len(states), "lost": len(ids) - len(states), "duplicated": counts["articles"] - len(states),
            "claims": len(found), "claims_expected": len(expected), "claims_lost": len(expected) - len(found),
            "claim_docs": counts["claims"], "claims_duplicated": counts["claims"] - len(found)}


def env_for(tag: str, workers: int, logs: Path) -> dict[str, str]:
    """The services' environment: the distributed config, this run's namespace and prefix."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    return {**base, "PIPELINE_CONFIG": str(REPO / "config" / "distributed.toml"),
            "PIPELINE_DATA_DIR": str(logs / "data"), "PIPELINE_BUS__NAMESPACE": f"ksoak{tag}.",
            "PIPELINE_INDEX__PREFIX": f"ksoak{tag}-", "PIPELINE_BUS__PARTITIONS": str(max(4, workers))}


def settings_of(env: dict[str, str]) -> Settings:
    return load_settings(None, {k: v for k, v in env.items() if k.startswith("PIPELINE_")})


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM cleans up as Ctrl-C does
    tag = uuid.uuid4().hex[:8]
    logs = Path(tempfile.mkdtemp(prefix=f"kafka-soak-{tag}-"))
    env = env_for(tag, args.workers, logs)
    settings = settings_of(env)
    texts = corpus_texts(args.corpus)
    print(f"kafka soak: {len(texts)} texts from {args.corpus} ({statistics.mean(len(t['text']) for t in texts):,.0f} "
          f"characters on average), {args.workers} NLP workers, indexer, thread stage; namespace "
          f"{settings.bus.namespace} and index prefix {settings.index.prefix}; "
          f"{args.warmup_s:g} s warm-up, {f'backfill of {args.backfill}, ' if args.backfill else ''}"
          f"{args.minutes:g} min at {args.rate:g}/s; logs in {logs}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    bus, index = open_bus(settings), open_index(settings)
    services: Services | None = None
    stop = threading.Event()
    try:
        index.ensure_schema()
        bus.ensure_topics([RAW, ENRICHED])
        services = Services(env, args.workers, logs)
        return run(args, settings, bus, index, services, copies(texts, tag), stop)
    except KeyboardInterrupt as exc:
        print(f"interrupted ({exc or 'Ctrl-C'}): cleaning up", file=sys.stderr)
        return 130
    finally:
        stop.set()
        if services is not None:
            services.stop()
        cleanup(settings, bus, index)


def cleanup(settings: Settings, bus: Any, index: Any) -> None:
    """Remove the run's indices, topics and consumer groups (each step tried even if another fails)."""
    try:
        index.drop()
    except Exception as exc:  # noqa: BLE001
        print(f"cleanup: dropping the indices failed: {exc}", file=sys.stderr)
    index.close()
    bus.close()
    kafka = KafkaBus(settings.bus_url.split("://", 1)[1], settings.bus)
    try:
        kafka.drop_namespace(settings.bus.namespace)
    except Exception as exc:  # noqa: BLE001
        print(f"cleanup: dropping the topics failed: {exc}", file=sys.stderr)
    finally:
        kafka.close()


@dataclass
class Reading:
    """The services' RSS and CPU seconds and the machine's CPU at one moment."""

    at: float
    rss: dict[str, float]
    cpu: dict[str, float]
    machine: tuple[float, float]

    @classmethod
    def now(cls, services: Services) -> Reading:
        return cls(time.perf_counter(), services.rss(), services.cpu_seconds(), machine_cpu())


def run(args: argparse.Namespace, settings: Settings, bus: Any, index: Any, services: Services,
        source: Iterator[Article], stop: threading.Event) -> int:
    """Warm-up, backfill, steady rate, drain; print the figures. 0 when nothing was lost or duplicated."""
    ledger, samples = Ledger(), []
    threading.Thread(target=watch, args=(index._es, index.alias("articles"), ledger, stop, args.tick_s),
                     daemon=True).start()  # a benchmark may look inside: one ids search per tick
    # The sampler has a bus of its own: kafka-python's admin client is not shared across threads here.
    threading.Thread(target=sample, args=(open_bus(settings), services, samples, stop, args.sample_s),
                     daemon=True).start()
    publisher = Publisher(bus, source, ledger)
    warmup_s = warm_up(args, publisher, ledger, stop)
    warm = Reading.now(services)
    print(f"warm-up: {warmup_s:.0f} s, {publisher.count} articles, {len(ledger.pending())} not yet searchable "
          f"at its end; RSS read")
    burst_s = publisher.burst(min(args.backfill, args.max_articles - publisher.count)) if args.backfill else 0.0
    steady_at = time.perf_counter()
    publisher.steady(args.minutes * 60 - burst_s, args.rate, "steady", args.max_articles, stop)
    publisher.close()
    last_publish = time.perf_counter()
    drained = drain(bus, ledger, services, last_publish + args.drain_s)
    end, final_lag = Reading.now(services), group_lags(bus)
    stop.set()
    dead = services.dead()
    services.stop()  # the books are read from a still index
    report(args, ledger, samples, warm.at, steady_at, last_publish, drained)
    print(f"consumer lag (records not committed), sampled every {args.sample_s:g} s: " + "; ".join(
        f"{g} max {max((s.lag.get(g, 0) for s in samples), default=0)}, final {final_lag[g]}" for g in final_lag))
    report_services(services.names, samples, warm, end)
    ok = report_books(index, list(ledger.published), drained is not None) and not dead
    if dead:
        print("services that died: " + ", ".join(dead) + f" (see {services.logs})")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"0 lost / 0 duplicated: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


def report_services(names: Sequence[str], samples: Sequence[Sample], warm: Reading, end: Reading) -> None:
    """Each service's RSS (after the warm-up, largest, at the end) and CPU share; the machine's CPU beside it."""
    wall, nan = end.at - warm.at, float("nan")
    for name in names:
        peak = max([s.rss.get(name, 0.0) for s in samples if s.at >= warm.at] + [end.rss.get(name, 0.0)])
        before, after = warm.rss.get(name, nan), end.rss.get(name, nan)
        cpu = (end.cpu.get(name, 0.0) - warm.cpu.get(name, 0.0)) / wall * 100
        print(f"  {name:8s} RSS {before:6.1f} MB after the warm-up, max {peak:6.1f}, end {after:6.1f} MB "
              f"({(after - before) / before * 100:+.1f} %); CPU {cpu:.0f} % of a core")
    ours = sum(end.cpu.get(n, 0.0) - warm.cpu.get(n, 0.0) for n in names)
    busy, total = end.machine[0] - warm.machine[0], end.machine[1] - warm.machine[1]
    print(f"  machine after the warm-up: {100 * busy / total:.0f} % of its {os.cpu_count()} cores busy; the services "
          f"{100 * ours / total:.0f} %, everything else (Kafka, Elasticsearch, this bench, other work) "
          f"{100 * (busy - ours) / total:.0f} %")


def report_books(index: Any, ids: Sequence[str], drained: bool) -> bool:
    """Print the books; True when nothing was lost or duplicated."""
    b = books(index, ids)
    lost = "lost" if drained else "not indexed (the drain timed out: lost or still queued, see the lag)"
    print(f"articles: published {len(ids)}, indexed {b['articles']}, {lost} {b['lost']}, duplicated {b['duplicated']}; "
          f"claims: {b['claims_expected']} expected, {b['claims']} found, {b['claim_docs']} documents: "
          f"lost {b['claims_lost']}, duplicated {b['claims_duplicated']}")
    return not any(b[k] for k in ("lost", "duplicated", "claims_lost", "claims_duplicated"))


def warm_up(args: argparse.Namespace, publisher: Publisher, ledger: Ledger, stop: threading.Event) -> float:
    """Publish at the rate for ``--warmup-s``, then on until the services keep up (at most as long again).

    Keeping up: no more than 3 s of articles pending, so the models are loaded and the RSS read
    after it is the baseline of a working service. The seconds it took.
    """
    started = time.perf_counter()
    publisher.steady(args.warmup_s, args.rate, "warmup", args.max_articles, stop)
    while len(ledger.pending()) > 3 * args.rate and time.perf_counter() - started < 2 * args.warmup_s:
        publisher.steady(5.0, args.rate, "warmup", args.max_articles, stop)
    return time.perf_counter() - started


def drain(bus: Any, ledger: Ledger, services: Services, deadline: float) -> float | None:
    """Wait until every article is searchable and every group has caught up; when that was (None: not by the deadline)."""
    while time.perf_counter() < deadline:
        if not ledger.pending() and not any(group_lags(bus).values()):
            return time.perf_counter()
        if services.dead():
            return None
        time.sleep(0.5)
    return None


def report(args: argparse.Namespace, ledger: Ledger, samples: list[Sample], warm_at: float, steady_at: float,
           last_publish: float, drained: float | None) -> None:
    steady = ledger.latencies("steady")
    n_steady = sum(1 for k in ledger.kind.values() if k == "steady")
    print(f"publish → searchable, {len(steady)} of {n_steady} steady-rate articles after the warm-up: "
          f"{summary([lat for _, lat in steady])} (target p95 < {TARGET_P95_S:g} s)")
    rows = windows(steady, steady_at, args.window_s)
    print(f"  per {args.window_s:g} s of publish time: " + "; ".join(
        f"{n * args.window_s:.0f}s p50 {statistics.median(lat):.2f} p95 {pct(sorted(lat), 0.95):.2f} (n {len(lat)})"
        for n, lat in rows))
    if args.backfill:
        back = ledger.latencies("backfill")
        n_back = sum(1 for k in ledger.kind.values() if k == "backfill")
        if back and len(back) == n_back:
            last = max(t + lat for t, lat in back) - steady_at
            drain_s = max(t + lat for t, lat in back) - min(t for t, _ in back)
            print(f"backfill: {n_back} articles, all searchable {drain_s:.1f} s after the burst began "
                  f"({n_back / drain_s:.1f} articles/s drained, steady-rate articles flowing beside them); "
                  f"last one {last:.1f} s after the steady rate resumed")
        else:
            print(f"backfill: {len(back)} of {n_back} articles searchable by the end (not drained)")
        start = recovery(rows, args.window_s)
        print("  recovered (every later window p95 < 2 s): " +
              (f"from the window starting {start:.0f} s after the steady rate resumed" if start is not None else "not within the run"))
    print("drained: " + (f"{drained - last_publish:.1f} s after the last publish" if drained is not None
                         else f"NOT within {args.drain_s:g} s ({len(ledger.pending())} articles not searchable)"))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=POLNEAR, help="JSONL with a text per line (default PolNeAR train)")
    p.add_argument("--minutes", type=float, default=10.0, help="steady publishing after the warm-up (default 10)")
    p.add_argument("--rate", type=float, default=6.0, help="articles per second (default 6, Media Cloud's rate)")
    p.add_argument("--warmup-s", type=float, default=60.0, help="publishing before the figures start (default 60)")
    p.add_argument("--backfill", type=int, default=0, help="articles published at once after the warm-up")
    p.add_argument("--workers", type=int, default=2, help="`pipeline nlp` processes (default 2)")
    p.add_argument("--drain-s", type=float, default=300.0, help="longest wait for the drain (default 300)")
    p.add_argument("--max-articles", type=int, default=100_000, help="cap on the articles published")
    p.add_argument("--tick-s", type=float, default=0.2, help="the watcher's search interval (default 0.2)")
    p.add_argument("--sample-s", type=float, default=10.0, help="lag and RSS sampling interval (default 10)")
    p.add_argument("--window-s", type=float, default=30.0, help="latency window (default 30)")
    return p.parse_args()


if __name__ == "__main__":
    sys.exit(main())
