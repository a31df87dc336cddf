"""Benchmark: SQLite claim search cost against index size, over PolNeAR copies, in one run.

Usage:
    python bench/search_scale.py [--sizes 100000,1000000] [--cache /tmp/scale-cache] [--queries 300]
                                 [--steps] [--explain N] [--build-only]

Builds (once; cached under CACHE, keyed by the corpus and the index layout)
one index per size through the indexer's own write path
(``SqliteIndex.upsert``, 32 articles a batch, as the worker sends them) from
PolNeAR train paragraphs recombined under new ids, outlets and dates
(bench/scale_corpus.py). The file grows from one size to the next; each size
is kept as a snapshot, so a later run reuses it. Then, at each size, times
``SqliteIndex.search_claims`` (limit 10, facets, no result cache; one warm-up
pass first, as a running server has its page cache) over a held-out query
mix drawn with a fixed seed (words and phrases from PolNeAR *dev* sentences,
filter values as the facets offer them):

    text         2-3 words of one dev sentence        phrase       a quoted 2-word dev phrase (+ a word)
    filter       1-2 words + 1-2 filters              filter-only  1-2 filters, no words

and prints p50/p95/p99 per kind and size, bytes per claim (dbstat: every
table and index but the articles' own), and the indexer's claims/s over the
last 50k claims before each size. ``--steps``: also the mean CPU ms per step of
``pipeline.index.sqlite.queries`` (as bench/search_steps.py); ``--explain``:
the query plans of the slowest searches. Targets (issue 17): p95 < 50 ms
for every kind at 1M claims, < 80 ms at 3M.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

if not os.environ.get("PYTHONPATH"):  # a PYTHONPATH names the checkout whose code is timed (e.g. main's)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_corpus import PER_DAY, POLNEAR, START, Copies, Paragraph, paragraphs  # noqa: E402

from pipeline.index.base import ClaimQuery  # noqa: E402
from pipeline.index.sqlite import SqliteIndex  # noqa: E402

KINDS = ("text", "filter", "filter-only", "phrase")
SHARE = {"text": 80, "filter": 80, "filter-only": 80, "phrase": 60}  # of 300 queries
BATCH = 32  # articles per upsert: the worker's batch
CORPUS_VERSION = "1"  # bump when scale_corpus changes what it yields
BUILT_LAYOUT = 4  # the index layout the snapshots were built with: newer code upgrades them in place
STOP = frozenset(["that", "this", "with", "from", "have", "were", "will", "been", "they", "their", "there", "would", "about", "which", "what", "when", "said", "says", "also", "into", "more", "than", "other", "some", "could", "them", "only", "over", "such", "after", "most", "very", "just"])


def corpus_key(cache: Path) -> str:
    papers = sorted(cache.glob("paragraphs-*.json"))
    return hashlib.sha256(f"{papers[-1].name}|{CORPUS_VERSION}|{BUILT_LAYOUT}".encode()).hexdigest()[:12]


def articles_for(copies: Copies, sizes: list[int]) -> dict[int, int]:
    """How many copies (from copy 0) reach each size in claims."""
    need, claims, i = {}, 0, 0
    for size in sorted(sizes):
        while claims < size:
            claims += len(copies.article(i).claims)
            i += 1
        need[size] = i
    return need


def build(copies: Copies, sizes: list[int], cache: Path, key: str) -> dict[int, dict[str, float]]:
    """A snapshot per size (grown from the largest smaller one), and the indexer's rate before each size."""
    stats_path = cache / f"build-{key}.json"
    stats: dict[str, dict[str, float]] = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    need = articles_for(copies, sizes)
    for size in sorted(sizes):
        if snapshot(cache, key, size).exists() and str(size) in stats:
            continue
        smaller = [s for s in sorted(need) if s < size and snapshot(cache, key, s).exists()]
        grow = cache / f"grow-{key}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{grow}{suffix}").unlink(missing_ok=True)
        if smaller:
            shutil.copyfile(snapshot(cache, key, smaller[-1]), grow)
        index = SqliteIndex(grow)
        start = index.counts()["articles"]
        stats[str(size)] = fill(index, copies, start, need[size])
        index.close()
        grow.rename(snapshot(cache, key, size))
        stats_path.write_text(json.dumps(stats))
    return {int(k): v for k, v in stats.items()}


def snapshot(cache: Path, key: str, size: int) -> Path:
    return cache / f"index-{key}-{size}.db"


def write_batches(index: Any, copies: Copies, start: int, stop: int) -> list[tuple[float, int]]:
    """Upsert copies ``start`` … ``stop`` in the worker's batches through ``index.upsert`` (either
    backend): (seconds spent writing so far, claims so far) after each batch."""
    marks: list[tuple[float, int]] = []
    claims, spent, batch = 0, 0.0, []
    for article in copies.articles(start, stop):
        batch.append(article)
        if len(batch) == BATCH or article.article.id == f"scale{stop - 1:08d}":
            began = time.perf_counter()  # only the write is timed, not building the copies
            assert not index.upsert(batch)
            spent += time.perf_counter() - began
            claims += sum(len(a.claims) for a in batch)
            marks.append((spent, claims))
            batch = []
            if len(marks) % 50 == 0:
                print(f"\r  indexed {claims} claims, {claims / spent:.0f}/s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return marks


def rate_of_last(marks: list[tuple[float, int]], claims: int = 50_000) -> dict[str, float]:
    """The write rate over the last ``claims`` claims of ``marks`` (the rate at this size)."""
    spent, total = marks[-1] if marks else (0.0, 0)
    last = next((m for m in reversed(marks) if total - m[1] >= claims), (0.0, 0))
    return {"claims_per_s": (total - last[1]) / max(spent - last[0], 1e-9),
            "rated_claims": total - last[1], "seconds": spent, "claims": total}


def fill(index: SqliteIndex, copies: Copies, start: int, stop: int) -> dict[str, float]:
    """Upsert copies ``start`` … ``stop``; the rate over the last 50k claims (the rate at this size)."""
    return rate_of_last(write_batches(index, copies, start, stop))


def dev_sentences() -> list[list[str]]:
    """Lower-case words (4+ letters) of each PolNeAR dev sentence: held out of the corpus."""
    found = []
    for line in (POLNEAR / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", json.loads(line)["text"]):
            words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", sentence) if w.lower() not in STOP]
            if len(words) >= 4:
                found.append(words)
    return found


def queries(paras: list[Paragraph], copies: Copies, n_articles: int, total: int = 300,
            seed: int = 29) -> dict[str, list[ClaimQuery]]:
    """The query mix for an index of ``n_articles`` copies (only date ranges depend on the size)."""
    rng = random.Random(seed)
    sentences = dev_sentences()
    speakers = [c.speaker.canonical for p in paras for c in p.claims if c.speaker and c.speaker.label == "PERSON"]
    entities = [e.canonical for p in paras for c in p.claims for e in c.entities]
    days = max(1, n_articles // PER_DAY)

    def words(k: int) -> str:
        sentence = rng.choice(sentences)
        return " ".join(rng.sample(sentence, min(k, len(sentence))))

    def phrase() -> str:
        sentence = rng.choice(sentences)
        i = rng.randrange(len(sentence) - 1)
        return f'"{sentence[i]} {sentence[i + 1]}"' + (f" {words(1)}" if rng.random() < 0.5 else "")

    def dates() -> dict[str, Any]:
        span = min(days, rng.choice((7, 30, 90)))
        since = START.date() + timedelta(days=rng.randrange(max(1, days - span + 1)))
        return {"since": since, "until": since + timedelta(days=span - 1)}

    def outlet(name: str) -> str:  # the whole name, or its town (a few outlets share one)
        return name if rng.random() < 0.5 else name.split()[0]

    options: list[Callable[[], dict[str, Any]]] = [
        lambda: {"speaker": rng.choice(speakers).split()[-1]},  # drawn by occurrence: "Trump" is common
        lambda: {"entity": rng.choice(entities)},
        lambda: {"stance": rng.choice(("assert", "deny"))},
        lambda: {"source": outlet(copies.outlet(rng).name)},
        lambda: {"language": "en"},
        dates,
    ]

    def filters() -> dict[str, Any]:
        chosen: dict[str, Any] = {}
        for pick in rng.sample(options, rng.choice((1, 1, 2))):
            chosen.update(pick())
        return chosen

    scale = total / sum(SHARE.values())
    count = {kind: round(n * scale) for kind, n in SHARE.items()}
    return {
        "text": [ClaimQuery(words(rng.randint(2, 3))) for _ in range(count["text"])],
        "filter": [ClaimQuery(words(rng.randint(1, 2)), **filters()) for _ in range(count["filter"])],
        "filter-only": [ClaimQuery("", **filters()) for _ in range(count["filter-only"])],
        "phrase": [ClaimQuery(phrase()) for _ in range(count["phrase"])],
    }


def time_queries(index: SqliteIndex, qs: list[ClaimQuery]) -> list[float]:
    for q in qs:  # warm-up pass: the page cache and word counts as a running server has them
        index.search_claims(q)
    took = []
    for q in qs:
        began = time.perf_counter()
        index.search_claims(q)
        took.append((time.perf_counter() - began) * 1000)
    return took


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bytes_per_claim(path: Path, claims: int) -> tuple[float, float]:
    """(bytes per claim of every table and index but the articles', file bytes per claim) via dbstat."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    conn.close()
    article_tables = re.compile(r"^(articles|articles_fts.*|articles_by_.*|sqlite_autoindex_articles_.*)$")
    claims_bytes = sum(size for name, size in rows if not article_tables.match(name))
    return claims_bytes / claims, path.stat().st_size / claims


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="claims, comma-separated")
    ap.add_argument("--cache", default="/tmp/scale-cache", help="where the corpus and the indices are kept")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--steps", action="store_true", help="also the CPU ms of each search step")
    ap.add_argument("--explain", type=int, default=0, help="print the query plans of the N slowest searches")
    ap.add_argument("--build-only", action="store_true",
                    help="build (or reuse) the snapshots and stop: time the searches in a later run, under a lock")
    args = ap.parse_args()
    cache = Path(args.cache)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    paras = paragraphs(cache)
    copies = Copies(paras)
    key = corpus_key(cache)
    built = build(copies, sizes, cache, key)
    if args.build_only:
        print(json.dumps({size: built[size] for size in sizes}))
        return
    need = articles_for(copies, sizes)
    print(f"PolNeAR train copies ({len(paras)} paragraphs recombined; wire-copy detection not run); "
          f"{args.queries} queries; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'claims':>9} {'kind':<12}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        qs = queries(paras, copies, need[size], args.queries)
        began = time.perf_counter()
        index = SqliteIndex(snapshot(cache, key, size))  # a file of an older layout is upgraded here, once
        opened = time.perf_counter() - began
        if opened > 1:
            print(f"  (opening took {opened:.1f} s: the file was upgraded to the current layout)")
        claims = index.counts()["claims"]
        results[size] = {"claims": claims}
        slow: list[tuple[float, ClaimQuery]] = []
        for kind in KINDS:
            took = time_queries(index, qs[kind])
            slow += zip(took, qs[kind], strict=True)
            r = {"p50": pct(took, 50), "p95": pct(took, 95), "p99": pct(took, 99)}
            results[size][kind] = r
            print(f"{claims:>9} {kind:<12}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['p99']:>8.1f}", flush=True)
        per_claim, file_per_claim = bytes_per_claim(snapshot(cache, key, size), claims)
        rate = built[size]["claims_per_s"]
        results[size].update(bytes_per_claim=per_claim, file_bytes_per_claim=file_per_claim, claims_per_s=rate)
        print(f"{claims:>9} bytes/claim {per_claim:.0f} without the articles' tables ({file_per_claim:.0f} with); "
              f"indexer {rate:.0f} claims/s over the last 50k claims; load "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        if args.steps:
            steps(index, [q for kind in KINDS for q in qs[kind]], {q: k for k in KINDS for q in qs[k]})
        for ms, q in sorted(slow, key=lambda s: -s[0])[:args.explain]:
            explain(index, q, ms)
        index.close()
    print(json.dumps(results))


def steps(index: SqliteIndex, qs: list[ClaimQuery], kind_of: dict[ClaimQuery, str]) -> None:
    """Mean CPU ms per search and per step, per kind (bench/search_steps.py's wrappers)."""
    from search_steps import present_steps, timed

    spent: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    calls: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    current = {"kind": ""}
    originals = [(module, name, getattr(module, name)) for module, name in present_steps()]
    for module, name, _ in originals:
        timed(module, name, spent, calls, current)
    count: dict[str, int] = defaultdict(int)
    for q in qs:
        current["kind"] = kind_of[q]
        count[kind_of[q]] += 1
        index.search_claims(q)
    for module, name, step in originals:
        setattr(module, name, step)
    for kind in KINDS:
        ranked = sorted(spent[kind].items(), key=lambda kv: -kv[1])[:5]
        print(f"          steps {kind:<12}" + ", ".join(
            f"{name} {1000 * s / count[kind]:.1f} (x{calls[kind][name] / count[kind]:.1f})" for name, s in ranked))


def explain(index: SqliteIndex, q: ClaimQuery, took: float) -> None:
    """The statements of one search that take over 2 ms, timed again, with SQLite's EXPLAIN QUERY PLAN."""
    conn = index._conn  # a benchmark looks inside
    seen: list[str] = []
    conn.set_trace_callback(seen.append)  # statements with their parameters expanded
    index.search_claims(q)
    conn.set_trace_callback(None)
    print(f"  {took:.0f} ms {q.text!r} {q.filter_values()}")
    for sql in seen:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        began = time.perf_counter()
        conn.execute(sql).fetchall()
        ms = (time.perf_counter() - began) * 1000
        if ms > 2:
            plan = "; ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            print(f"    {ms:5.1f} ms {sql[:150]}\n             plan: {plan}")


if __name__ == "__main__":
    main()
