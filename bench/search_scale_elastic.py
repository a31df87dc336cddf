"""Benchmark: Elasticsearch claim search cost against index size, over PolNeAR copies, in one run.

Usage:
    python bench/search_scale_elastic.py [--url http://127.0.0.1:9201] [--sizes 100000,1000000,3000000]
                                         [--cache /work/esbench/cache] [--queries 300]
                                         [--baseline REF] [--profile N] [--merged] [--build-only]

The sibling of bench/search_scale.py (SQLite), sharing its corpus (PolNeAR
train paragraphs recombined under new ids, outlets and dates:
bench/scale_corpus.py) and its held-out query mix (text, filter, filter-only,
phrase, drawn from PolNeAR *dev* with a fixed seed). Builds, once, one set of
indices per size (prefix ``esbench-<key>-<size>-``, the key hashing the corpus
and the claims/articles mappings and settings) through the indexer's own write
path (``ElasticIndex.upsert``, 32 articles a batch, as the worker sends them):
each size is grown from a ``_clone`` of the largest smaller one, so one run
writes the largest size's claims once, and a later run reuses every size.

Then, at each size, times ``ElasticIndex.search_claims`` (limit 10, facets;
one warm-up pass first, as a running server has its caches) and prints
p50/p95/p99 per kind (client side, through the index layer, as the API sees
it), the server's ``took`` p95, store bytes per claim (``_stats``: the claims
index, and every index of the prefix), and the indexer's claims/s over the
last 50k claims before the size. ``--baseline REF`` also times the query
searches of ``pipeline/index/elastic`` at git REF (``ElasticIndex.search_claims``
and queries.py), on the same
indices in the same run, interleaved query by query with the current ones
(so load drifts hit both alike); ``--profile N`` prints the profile API's
costliest parts of the N slowest searches; ``--merged`` times, instead, a clone of
each size whose claims index is force-merged to one segment (what a read-mostly
backing index gets after it rolls over), made once and kept. Targets (issue 17): p95 < 30 ms
for every kind at 1M claims, < 50 ms at 3M. Benchmark on a node of its own
(``ES_PORT=9201 ES_HEAP=4g ES_MMAP=true scripts/servers start es``: memory-mapped index files, as
a production node has them), not the test node.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_corpus import Copies, paragraphs  # noqa: E402
from search_scale import BATCH, CORPUS_VERSION, KINDS, articles_for, pct, queries, rate_of_last, write_batches  # noqa: E402

from pipeline.config import IndexSettings  # noqa: E402
from pipeline.index.base import ClaimQuery  # noqa: E402
from pipeline.index.elastic import mappings as m  # noqa: E402
from pipeline.index.elastic.index import ElasticIndex  # noqa: E402

KINDS_CLONED = ("claims", "articles", "threads", "copies")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def layout_key(cache: Path) -> str:
    """The corpus and everything that shapes the stored indices: a change means a new build."""
    papers = sorted(cache.glob("paragraphs-*.json"))
    shape = json.dumps([(s.kind, s.version, s.mappings, s.settings(1, 0)) for s in m.SCHEMAS], sort_keys=True)
    return hashlib.sha256(f"{papers[-1].name}|{CORPUS_VERSION}|{shape}".encode()).hexdigest()[:10]


def prefix_of(key: str, size: int) -> str:
    return f"esbench-{key}-{size}-"


def open_index(url: str, prefix: str) -> ElasticIndex:
    index = ElasticIndex(url, IndexSettings(url=url), prefix=prefix, timeout_s=120)
    index.ensure_schema()
    return index


def clone(index: ElasticIndex, source: str, target: str) -> None:
    """Target's indices as a ``_clone`` of source's (hard links: seconds), behind target's aliases."""
    es = index._es  # a benchmark looks inside
    for kind in KINDS_CLONED:
        name = f"{kind}-v{next(s.version for s in m.SCHEMAS if s.kind == kind)}"
        src, dst = f"{source}{name}", f"{target}{name}"
        es.indices.put_settings(index=src, settings={"index.blocks.write": True})
        es.indices.clone(index=src, target=dst, settings={"index.blocks.write": False, "index.number_of_replicas": 0},
                         wait_for_active_shards="1")
        es.indices.put_alias(index=dst, name=f"{target}{kind}")


def build(url: str, copies: Copies, sizes: list[int], cache: Path, key: str,
          writers: int) -> dict[int, dict[str, float]]:
    """Each size's indices (grown from a clone of the largest smaller one) and the indexer's rate before it."""
    stats_path = cache / f"elastic-build-{key}.json"
    stats: dict[str, dict[str, float]] = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    need = articles_for(copies, sizes)
    probe = ElasticIndex(url, IndexSettings(url=url), prefix=prefix_of(key, 0))
    for size in sorted(sizes):
        prefix = prefix_of(key, size)
        if str(size) in stats:
            continue
        ElasticIndex(url, IndexSettings(url=url), prefix=prefix).drop()  # a build cut short starts again
        smaller = [s for s in sorted(need) if s < size and str(s) in stats]
        if smaller:
            clone(probe, prefix_of(key, smaller[-1]), prefix)
        index = open_index(url, prefix)
        start = index.counts()["articles"]
        stats[str(size)] = fill(index, copies, start, need[size], writers, url)
        index.refresh()
        index.close()
        stats_path.write_text(json.dumps(stats))
    probe.close()
    return {int(k): v for k, v in stats.items()}


def merged(url: str, key: str, size: int) -> str:
    """The prefix of a clone of the size's indices whose claims index is force-merged to one segment, as a
    read-mostly index (a backing index rolled over) gets; made once, kept beside the size's own."""
    target = f"esmerged-{key}-{size}-"  # not under prefix_of(key, size): its store bytes stay apart
    index = ElasticIndex(url, IndexSettings(url=url), prefix=target, timeout_s=3600)
    if not index.exists():
        index.drop()
        clone(index, prefix_of(key, size), target)
    index._es.indices.forcemerge(index=index.alias("claims"), max_num_segments=1)  # a no-op once merged
    index.close()
    return target


def segments(index: ElasticIndex) -> int:
    """Segments of the claims index (primaries)."""
    stats = index._es.indices.stats(index=index.alias("claims"), metric="segments")
    return int(stats["_all"]["primaries"]["segments"]["count"])


def fill(index: ElasticIndex, copies: Copies, start: int, stop: int, writers: int,
         url: str) -> dict[str, float]:
    """Upsert copies ``start`` … ``stop``; the indexer's rate over the last 50k claims (the rate at this size).

    The copies before the last ~50k claims go in from ``writers`` threads (two indexer instances would,
    and the build is faster); the last ~50k, whose rate is reported, from one, as one indexer sends them.
    """
    timed_from = max(start, stop - 50_000 // 9 - 1)  # ~9 claims a copy: a little over 50k claims one writer
    if writers > 1 and timed_from > start:
        bounds = [start + (timed_from - start) * k // writers for k in range(writers + 1)]
        with ThreadPoolExecutor(writers) as pool:
            done = list(pool.map(lambda k: write_batches(open_index(url, index.prefix), copies,
                                                         bounds[k], bounds[k + 1]), range(writers)))
        print(f"  {sum(d[-1][1] for d in done if d)} claims from {writers} writers", file=sys.stderr)
        start = timed_from
    return rate_of_last(write_batches(index, copies, start, stop))


def rates(url: str, copies: Copies, sizes: list[int], key: str, first: int, claims: int = 50_000) -> dict[int, float]:
    """The indexer's claims/s at each size, measured fairly: the same new copies, batch by batch in turn.

    Each size's indices are cloned (hard links, seconds) and the clones take the same ~``claims`` new
    claims (copies from ``first`` on, past every size), one worker batch to each clone in turn, so load
    drifts hit every size alike; the clones are dropped after.
    """
    probe = ElasticIndex(url, IndexSettings(url=url), prefix=prefix_of(key, 0))
    targets = {size: f"{prefix_of(key, size)}rate-" for size in sizes}
    for size, prefix in targets.items():
        ElasticIndex(url, IndexSettings(url=url), prefix=prefix).drop()
        clone(probe, prefix_of(key, size), prefix)
    indices = {size: open_index(url, prefix) for size, prefix in targets.items()}
    spent = dict.fromkeys(sizes, 0.0)
    written, i = 0, first
    while written < claims:
        batch = list(copies.articles(i, i + BATCH))
        i += BATCH
        for size, index in indices.items():
            began = time.perf_counter()
            assert not index.upsert(batch)
            spent[size] += time.perf_counter() - began
        written += sum(len(a.claims) for a in batch)
    for index in indices.values():
        index.drop()
        index.close()
    probe.close()
    return {size: written / spent[size] for size in sizes}


Search = Callable[[ElasticIndex, ClaimQuery], Any]


def search_at(ref: str) -> Search:
    """``ElasticIndex.search_claims`` as it was at git ``ref``, with that ref's query bodies.

    Both files are read at ``ref``: the search method (which requests it sends) and queries.py (their
    bodies); the method runs on the current index object, so writes, term statistics and copies are shared.
    """
    root = Path(__file__).resolve().parents[1]

    def module_at(path: str) -> types.ModuleType:
        source = subprocess.run(["git", "-C", str(root), "show", f"{ref}:{path}"],
                                check=True, capture_output=True, text=True).stdout
        module = types.ModuleType(f"{Path(path).stem}_at_{ref}")
        exec(compile(source, f"{ref}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own file at a ref
        return module

    old = module_at("pipeline/index/elastic/index.py")
    old.queries = module_at("pipeline/index/elastic/queries.py")  # type: ignore[attr-defined]
    return old.ElasticIndex.search_claims  # type: ignore[no-any-return]


class Timed:
    """A search of ``index`` timed client side, with the server's ``took`` (summed over its requests)."""

    def __init__(self, index: ElasticIndex) -> None:
        self.index = index
        self.took: list[int] = []
        self.body: dict[str, Any] = {}
        search, msearch = index._search, index._msearch

        def timed_search(kind: str, body: dict[str, Any]) -> Any:
            resp = search(kind, body)
            if kind == "claims":
                self.body = self.body or body
                self.took.append(int(resp["took"]))
            return resp

        def timed_msearch(kind: str, bodies: list[dict[str, Any]], *headers: Any) -> list[Any]:
            found = msearch(kind, bodies, *headers)
            if kind == "claims" and bodies:
                self.body = self.body or bodies[0]
                self.took.append(max(int(r["took"]) for r in found))  # its searches run side by side
            return found

        index._search = timed_search  # type: ignore[method-assign]
        index._msearch = timed_msearch  # type: ignore[method-assign]

    def run(self, q: ClaimQuery, search: Search) -> tuple[float, int]:
        self.took, self.body = [], {}
        began = time.perf_counter()
        search(self.index, q)
        return (time.perf_counter() - began) * 1000, sum(self.took)


def store_bytes(index: ElasticIndex, prefix: str) -> tuple[int, int]:
    """(bytes of the claims index, bytes of every index of the prefix), primaries."""
    stats = index._es.indices.stats(index=f"{prefix}*", metric="store")["indices"]
    claims = sum(v["primaries"]["store"]["size_in_bytes"] for k, v in stats.items() if k.startswith(f"{prefix}claims"))
    return claims, sum(v["primaries"]["store"]["size_in_bytes"] for v in stats.values())


def profile(index: ElasticIndex, body: dict[str, Any], took: float, q: ClaimQuery) -> None:
    """The profile API's costliest query and aggregation parts of one search."""
    resp = index._es.search(index=index.alias("claims"), **{**body, "profile": True})
    print(f"  {took:.0f} ms {q.text!r} {q.filter_values()} (took {resp['took']} ms under profile)")
    for shard in resp["profile"]["shards"]:
        parts = [(p["time_in_nanos"], p["type"], p["description"][:90]) for s in shard["searches"]
                 for p in s["query"]]
        parts += [(a["time_in_nanos"], a["type"], a["description"][:90]) for a in shard.get("aggregations", [])]
        for a in shard.get("aggregations", []):
            parts += [(c["time_in_nanos"], c["type"], c["description"]) for c in a.get("children", [])]
        for ns, kind, what in sorted(parts, reverse=True)[:6]:
            print(f"    {ns / 1e6:6.1f} ms {kind} {what}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:9201", help="a node of the benchmark's own")
    ap.add_argument("--sizes", default="100000,1000000,3000000", help="claims, comma-separated")
    ap.add_argument("--cache", default="/work/esbench/cache", help="where the corpus and the build stats are kept")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--baseline", default="", help="a git ref whose query bodies are timed alongside")
    ap.add_argument("--profile", type=int, default=0, help="profile the N slowest searches at each size")
    ap.add_argument("--writers", type=int, default=2, help="threads writing the build (the rated 50k: one)")
    ap.add_argument("--rate", action="store_true", help="also the indexer's claims/s at each size, side by side")
    ap.add_argument("--merged", action="store_true",
                    help="time a clone of each size with its claims index force-merged to one segment")
    ap.add_argument("--build-only", action="store_true", help="build (or check) the indices, time nothing")
    args = ap.parse_args()
    cache = Path(args.cache)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    paras = paragraphs(cache)
    copies = Copies(paras)
    key = layout_key(cache)
    built = build(args.url, copies, sizes, cache, key, args.writers)
    if args.build_only:
        print(json.dumps(built))
        return
    need = articles_for(copies, sizes)
    variants: dict[str, Search] = {"current": ElasticIndex.search_claims}
    if args.baseline:
        variants = {args.baseline: search_at(args.baseline), **variants}
    print(f"PolNeAR train copies ({len(paras)} paragraphs recombined; wire-copy detection not run); "
          f"{args.queries} queries; index key {key}; load {load()}")
    print(f"{'claims':>9} {'kind':<12}{'queries':<10}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'took p95':>10}")
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        qs = queries(paras, copies, need[size], args.queries)
        prefix = merged(args.url, key, size) if args.merged else prefix_of(key, size)
        index = open_index(args.url, prefix)
        timed = Timed(index)
        claims = index.counts()["claims"]
        results[size] = {"claims": claims}
        slow: list[tuple[float, ClaimQuery, dict[str, Any]]] = []
        for kind in KINDS:
            for q in qs[kind]:  # warm-up pass: caches and word counts as a running server has them
                for search in variants.values():
                    timed.run(q, search)
            took: dict[str, list[tuple[float, int]]] = {name: [] for name in variants}
            for q in qs[kind]:
                for name, search in variants.items():
                    took[name].append(timed.run(q, search))
                    if name == "current":
                        slow.append((took[name][-1][0], q, timed.body))
            for name, pairs in took.items():
                ms = [t for t, _ in pairs]
                r = {"p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99),
                     "took_p95": pct([float(s) for _, s in pairs], 95)}
                results[size][f"{kind}/{name}"] = r
                print(f"{claims:>9} {kind:<12}{name:<10}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['p99']:>8.1f}"
                      f"{r['took_p95']:>10.0f}", flush=True)
        claim_bytes, all_bytes = store_bytes(index, prefix)
        rate = built[size]["claims_per_s"]
        results[size].update(bytes_per_claim=claim_bytes / claims, all_bytes_per_claim=all_bytes / claims,
                             claims_per_s=rate, segments=segments(index))
        print(f"{claims:>9} {prefix}: {results[size]['segments']} segments in the claims index; "
              f"store bytes/claim {claim_bytes / claims:.0f} (claims index), {all_bytes / claims:.0f} "
              f"(every index, articles' texts included); indexer {rate:.0f} claims/s over the last 50k claims; "
              f"load {load()}", flush=True)
        for ms, q, body in sorted(slow, key=lambda s: -s[0])[:args.profile]:
            profile(index, body, ms, q)
        index.close()
    if args.rate:
        found = rates(args.url, copies, sizes, key, need[sizes[-1]])
        for size, rate in found.items():
            results[size]["claims_per_s_side_by_side"] = rate
        print("indexer claims/s, the same ~50k new claims to a clone of each size in turn: "
              + ", ".join(f"{size}: {rate:.0f}" for size, rate in found.items())
              + f" (largest / smallest {found[sizes[-1]] / found[sizes[0]]:.2f}); load {load()}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
