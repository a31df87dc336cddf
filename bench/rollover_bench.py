"""Benchmark: the Elasticsearch write path's cost with one backing index and with several (rollover).

Usage:
    python bench/rollover_bench.py [--backing 1,4] [--batches 20] [--batch 32]

For each layout, writes ``backing`` parts of ``batches`` batches of synthetic
articles (bench/search_corpus.py, 20 claims each, no PolNeAR text), rolling
claims and articles over after each part but the last, then times
``ElasticIndex.upsert`` on ``batches`` more batches of new ids (the common
case) and on ``batches`` batches re-sent from the oldest backing index (each
overwritten where it lives), and prints ms per batch (p50 / p95) and claims/s.
With ``PYTHONPATH`` pointing at a checkout without rollover only ``--backing 1``
runs (the baseline). Elasticsearch: http://127.0.0.1:9200 (ES_URL), indices
under ``bench-roll-<random>-``, dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import Corpus  # noqa: E402

from pipeline.config import IndexSettings  # noqa: E402
from pipeline.index.elastic import ElasticIndex  # noqa: E402
from pipeline.records import EnrichedArticle  # noqa: E402

URL = os.environ.get("ES_URL", "http://127.0.0.1:9200")


def timed(index: ElasticIndex, batches: Sequence[Sequence[EnrichedArticle]]) -> list[float]:
    """ms per upsert of each batch (no failures allowed)."""
    out = []
    for batch in batches:
        start = time.perf_counter()
        failures = index.upsert(batch)
        out.append((time.perf_counter() - start) * 1000)
        assert not failures, failures[:1]
    return out


def run(backing: int, n_batches: int, size: int) -> dict[str, float]:
    corpus = Corpus()
    index = ElasticIndex(URL, IndexSettings(url=URL), prefix=f"bench-roll-{uuid.uuid4().hex[:8]}-")
    try:
        index.ensure_schema()
        first: list[list[EnrichedArticle]] = []
        serial = 0
        for part in range(backing):
            batches = [[corpus.article(serial + i * size + j) for j in range(size)] for i in range(n_batches)]
            serial += n_batches * size
            timed(index, batches)
            first = first or batches
            if part < backing - 1:
                assert index.rollover("claims", force=True) and index.rollover("articles", force=True)
        index.refresh()
        new = timed(index, [[corpus.article(serial + i * size + j) for j in range(size)] for i in range(n_batches)])
        again = timed(index, first)
        index.refresh()
        counts = index.counts()
        want = (backing + 1) * n_batches * size
        assert counts["articles"] == want, (counts, want)  # the re-sent batches made no second documents
        claims = size * corpus.per
        return {"new p50": statistics.median(new), "new p95": sorted(new)[int(0.95 * (len(new) - 1))],
                "re-sent p50": statistics.median(again), "re-sent p95": sorted(again)[int(0.95 * (len(again) - 1))],
                "claims/s new": claims / (statistics.median(new) / 1000)}
    finally:
        index.drop()
        index.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backing", default="1,4", help="backing indices per layout, comma-separated")
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32, help="articles per batch (20 claims each)")
    args = ap.parse_args()
    layouts = [int(x) for x in args.backing.split(",")]
    if not hasattr(ElasticIndex, "rollover"):
        layouts = [b for b in layouts if b == 1]
        print("no rollover in this checkout: the one-index baseline only")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")
    print(f"{'backing':>7} {'new p50':>8} {'new p95':>8} {'re-sent p50':>12} {'re-sent p95':>12} {'claims/s':>9}")
    for backing in layouts:
        r = run(backing, args.batches, args.batch)
        print(f"{backing:>7} {r['new p50']:>6.0f}ms {r['new p95']:>6.0f}ms {r['re-sent p50']:>10.0f}ms "
              f"{r['re-sent p95']:>10.0f}ms {r['claims/s new']:>9.0f}")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
