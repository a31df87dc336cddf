"""Benchmark: claim search latency per query kind on SQLite and Elasticsearch, and the HTTP API's cost.

Usage:
    python bench/search_bench.py [--claims 100000] [--backends sqlite,elastic] [--queries 40]
                                 [--dir DIR] [--http-seconds 10] [--http-workers 1]

Builds (once; reused when DIR already holds it) an index of synthetic claims
from bench/search_corpus.py (invented names and words, no PolNeAR text), 20
claims per article, then times ``Index.search_claims`` (limit 10, facets
included, as the page asks) for each query kind:

    text         2-3 ranked words            phrase   a "quoted phrase" (+ a word)
    filter       words + speaker/entity/stance/outlet/date filters
    filter-only  filters without words       all      no words, no filters (the page's first load)

and prints p50/p95 per kind and backend (targets: p95 < 50 ms for every kind).
With SQLite it also starts ``pipeline serve`` on a loopback port and reports
the API's added latency at p50 over the (cached) index call it makes (target
< 5 ms), and ``/api/claims`` requests/s from 8 concurrent keep-alive clients
(target >= 200): over the queries above, which repeat (the server answers
repeats from its result cache), and over fresh queries that never repeat,
with the server's CPU ms per request in each case (from /proc: steadier than
requests/s on a shared machine).
Elasticsearch: http://127.0.0.1:9200 (ES_URL), indices under the prefix ``bench-search-``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

if not os.environ.get("PYTHONPATH"):  # a PYTHONPATH names the checkout whose code is timed (e.g. main's)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_corpus import Corpus  # noqa: E402

from pipeline.errors import BackendUnavailable  # noqa: E402
from pipeline.index.base import ClaimQuery  # noqa: E402
from pipeline.index.result_cache import ResultCache  # noqa: E402
from pipeline.index.sqlite import SqliteIndex  # noqa: E402

KINDS = ("text", "phrase", "filter", "filter-only", "all")
ES_URL = os.environ.get("ES_URL", "http://127.0.0.1:9200")
PREFIX = "bench-search-"


def open_backend(kind: str, where: Path):  # type: ignore[no-untyped-def]
    if kind == "sqlite":
        return SqliteIndex(where / "index.db")
    from pipeline.config import IndexSettings
    from pipeline.index.elastic import ElasticIndex

    return ElasticIndex(ES_URL, IndexSettings(url=ES_URL), prefix=PREFIX, timeout_s=120)


def fill(index, n_articles: int, per: int) -> float:  # type: ignore[no-untyped-def]
    """Write the corpus unless the index already holds exactly it; returns seconds spent."""
    if index.counts() == {"articles": n_articles, "claims": n_articles * per}:
        return 0.0
    if hasattr(index, "drop"):
        index.drop()
        index.ensure_schema()
    started, batch = time.perf_counter(), []
    for article in Corpus(claims_per_article=per).articles(n_articles):
        batch.append(article)
        if len(batch) == 250:
            upsert(index, batch)
            batch = []
            print(f"\r  indexed {article.article.id}", end="", file=sys.stderr, flush=True)
    upsert(index, batch)
    index.refresh()
    print(file=sys.stderr)
    return time.perf_counter() - started


def upsert(index, batch: list) -> None:  # type: ignore[no-untyped-def]
    """Write a batch, retrying as the worker would while the index is overloaded (idempotent)."""
    for attempt in range(10):
        try:
            assert not index.upsert(batch)
            return
        except BackendUnavailable:
            time.sleep(2 ** min(attempt, 4))
    raise SystemExit("the index stayed unavailable")


def queries(n: int, n_articles: int, per: int, seed: int = 11) -> dict[str, list[ClaimQuery]]:
    """``n`` queries of each kind, drawn with a fixed seed from the same distributions as the corpus."""
    corpus = Corpus(seed=7, claims_per_article=per)
    corpus.rng.seed(seed)
    rng = random.Random(seed)
    sample = [corpus.article(rng.randrange(n_articles)) for _ in range(5)]  # phrases that occur
    contents = [c.content.text.split() for a in sample for c in a.claims]

    def words(k: int) -> str:
        return " ".join(corpus.sentence_words(k))

    def filters() -> dict[str, object]:
        options = [
            lambda: {"speaker": str(corpus.speakers.draw()).split()[-1]},
            lambda: {"entity": str(corpus.entities.draw()).split()[0]},
            lambda: {"stance": rng.choice(("assert", "deny"))},
            lambda: {"source": str(corpus.outlets.draw()).split()[0]},
            lambda: _dates(rng),
        ]
        chosen: dict[str, object] = {}
        for pick in rng.sample(options, rng.choice((1, 1, 2))):
            chosen.update(pick())
        return chosen

    def phrase() -> str:
        w = rng.choice(contents)
        i = rng.randrange(len(w) - 1)
        return f'"{w[i]} {w[i + 1]}"' + (f" {words(1)}" if rng.random() < 0.5 else "")

    return {
        "text": [ClaimQuery(words(rng.randint(2, 3))) for _ in range(n)],
        "phrase": [ClaimQuery(phrase()) for _ in range(n)],
        "filter": [ClaimQuery(words(rng.randint(1, 2)), **filters()) for _ in range(n)],  # type: ignore[arg-type]
        "filter-only": [ClaimQuery("", **filters()) for _ in range(n)],  # type: ignore[arg-type]
        "all": [ClaimQuery("") for _ in range(max(5, n // 4))],
    }


def _dates(rng: random.Random) -> dict[str, object]:
    from datetime import date, timedelta

    start = date(2023, 1, 1) + timedelta(days=rng.randrange(600))
    return {"since": start, "until": start + timedelta(days=rng.choice((7, 30, 90)))}


def time_queries(index, qs: list[ClaimQuery]) -> list[float]:  # type: ignore[no-untyped-def]
    for q in qs:  # warm-up pass: caches as a running service has them
        index.search_claims(q)
    took = []
    for q in qs:
        started = time.perf_counter()
        index.search_claims(q)
        took.append((time.perf_counter() - started) * 1000)
    return took


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def api_params(q: ClaimQuery) -> dict[str, str]:
    params = {"q": q.text, "speaker": q.speaker, "entity": q.entity, "stance": q.stance, "source": q.source,
              "since": q.since.isoformat() if q.since else None, "until": q.until.isoformat() if q.until else None}
    return {k: v for k, v in params.items() if v}


def start_server(data_dir: Path, workers: int = 1, mmap_mb: int = 0) -> tuple[subprocess.Popen, str, int]:
    env = {**os.environ, "PIPELINE_DATA_DIR": str(data_dir), "PIPELINE_HTTP__RATE_PER_S": "0",
           "PIPELINE_INDEX__URL": f"sqlite:///{data_dir / 'index.db'}",
           "PIPELINE_INDEX__SQLITE_MMAP_MB": str(mmap_mb)}
    env.pop("PIPELINE_CONFIG", None)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0", "--workers", str(workers)], env=env,
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    line = proc.stdout.readline()  # type: ignore[union-attr]
    host, port = line.split()[2].removeprefix("http://").rstrip("/").split(":")
    return proc, host, int(port)


def http_latency(host: str, port: int, index, qs: list[ClaimQuery]) -> float:  # type: ignore[no-untyped-def]
    """Median over queries of (HTTP round trip − in-process index call), both warm, in ms."""
    direct = time_queries(index, qs)
    paths = [f"/api/claims?{urlencode(api_params(q))}" for q in qs]
    conn = http.client.HTTPConnection(host, port)  # opened now: the server drops idle keep-alives after 5 s
    for path in paths:
        conn.request("GET", path)
        conn.getresponse().read()
    over = []
    for path, d in zip(paths, direct, strict=True):
        started = time.perf_counter()
        conn.request("GET", path)
        conn.getresponse().read()
        over.append((time.perf_counter() - started) * 1000 - d)
    conn.close()
    return statistics.median(over)


def server_cpu_s(pid: int) -> list[float]:
    """CPU seconds (user + system) used so far by the server process and by each of its worker
    processes, in that order (Linux /proc; empty where it cannot be read)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        used = []
        for p in [pid, *map(int, children)]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            used.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))  # utime, stime
    except OSError:
        return []
    return used


def throughput(host: str, port: int, qs: list[ClaimQuery], seconds: float, clients: int = 8,
               pid: int | None = None) -> tuple[float, float, list[float]]:
    """Requests/s of 8 keep-alive clients cycling through ``qs`` (each client its own share, in turn),
    the server's CPU ms per request, and each server process's share of that CPU (``pid``: the
    server process; NaN and no shares without it or /proc)."""
    paths = [f"/api/claims?{urlencode(api_params(q))}" for q in qs]
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(host, port)
        i = n
        while time.perf_counter() < stop:
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            done[n] += 1
            i += clients
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    before = server_cpu_s(pid) if pid else []
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    after = server_cpu_s(pid) if pid else []
    used = [b - a for a, b in zip(before, after, strict=False)] if len(before) == len(after) else []
    cpu_ms = sum(used) * 1000 / max(sum(done), 1) if used else float("nan")
    shares = [u / sum(used) for u in used] if used and sum(used) else []
    return sum(done) / elapsed, cpu_ms, shares


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--per-article", type=int, default=20)
    ap.add_argument("--backends", default="sqlite,elastic")
    ap.add_argument("--queries", type=int, default=40, help="queries per kind")
    ap.add_argument("--dir", help="where the SQLite index lives (kept for the next run)")
    ap.add_argument("--http-seconds", type=float, default=10.0, help="0: skip the API measurements")
    ap.add_argument("--http-workers", type=int, default=1, help="pipeline serve --workers (server processes)")
    ap.add_argument("--sqlite-mmap-mb", type=int, default=0,
                    help="the server's [index] sqlite_mmap_mb (0, the default: no memory map)")
    args = ap.parse_args()
    n_articles = args.claims // args.per_article
    where = Path(args.dir or tempfile.mkdtemp(prefix="search-bench-"))
    where.mkdir(parents=True, exist_ok=True)
    qs = queries(args.queries, n_articles, args.per_article)
    results: dict[str, dict[str, dict[str, float]]] = {}
    print(f"{n_articles} articles, {n_articles * args.per_article} claims; {args.queries} queries per kind")
    print(f"{'backend':<9}{'kind':<13}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
    for backend in args.backends.split(","):
        index = open_backend(backend, where)
        built = fill(index, n_articles, args.per_article)
        if built:
            print(f"  ({backend}: indexed in {built:.0f} s)")
        results[backend] = {}
        for kind in KINDS:
            took = time_queries(index, qs[kind])
            results[backend][kind] = {"p50": pct(took, 50), "p95": pct(took, 95), "max": max(took)}
            r = results[backend][kind]
            print(f"{backend:<9}{kind:<13}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['max']:>8.1f}", flush=True)
        if backend == "sqlite" and args.http_seconds:
            proc, host, port = start_server(where, args.http_workers, args.sqlite_mmap_mb)
            try:
                mixed = [q for kind in KINDS for q in qs[kind]]
                # The server answers a repeated search from its cache; compare it with a cached index call.
                cached = SqliteIndex(where / "index.db", cache=ResultCache())
                overhead = http_latency(host, port, cached, mixed)
                cached.close()
                repeated, repeated_cpu, repeated_shares = throughput(host, port, mixed, args.http_seconds, pid=proc.pid)
                more = queries(args.queries * 25, n_articles, args.per_article, seed=23)
                seen = set(mixed)
                # Kinds interleaved, as in the repeated set (in 10 s the clients reach only the first few hundred).
                mixed_fresh = (q for group in zip(*(more[kind] for kind in KINDS[:-1]), strict=True) for q in group)
                fresh = [q for q in dict.fromkeys(mixed_fresh) if q not in seen]
                # Each used once (far more than fit).
                unique, unique_cpu, unique_shares = throughput(host, port, fresh, args.http_seconds, pid=proc.pid)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            results["api"] = {"sqlite": {"overhead_p50_ms": overhead, "repeated_requests_per_s": repeated,
                                         "unique_requests_per_s": unique, "repeated_server_cpu_ms": repeated_cpu,
                                         "unique_server_cpu_ms": unique_cpu, "unique_cpu_shares": unique_shares}}
            print(f"api      added latency at p50: {overhead:.1f} ms")
            print(f"api      /api/claims, 8 clients, {args.http_workers} server process(es): {repeated:.0f} req/s over the {len(mixed)} queries above "
                  f"(repeats, answered from the cache); {unique:.0f} req/s over fresh queries (no repeats)")
            print(f"api      server CPU per request: {repeated_cpu:.1f} ms (repeats), {unique_cpu:.1f} ms (fresh)")
            if args.http_workers > 1:  # the 8 connections stay with the process that accepted them
                print("api      each server process's share of that CPU: " + "; ".join(
                    " / ".join(f"{share:.0%}" for share in shares) + f" ({what})"
                    for shares, what in ((repeated_shares, "repeats"), (unique_shares, "fresh"))))
        index.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
