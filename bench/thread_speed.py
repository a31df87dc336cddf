"""Benchmark: what thread assignment adds to indexing, against the NLP parse it follows.

Usage:
    python bench/thread_speed.py CORPUS.jsonl [--limit N] [--index sqlite|elastic] [--batch N]

CORPUS.jsonl holds one JSON object per line with a "text" field (e.g. the
PolNeAR dev split). Each article is parsed by the NLP stage's Enricher, then
written into a fresh index (upsert) and linked into threads
(ThreadAssigner.assign), ``--batch`` articles at a time (default 1; the
indexer's batches hold up to ``[worker] batch_size``, 16 in the distributed
configuration), as the indexer does. ``--index elastic`` uses the
Elasticsearch at 127.0.0.1:9200 under a prefix of its own, dropped
afterwards. Prints the time per article of each step and the index calls
per article, measured in one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.config import IndexSettings, NlpSettings  # noqa: E402
from pipeline.index.sqlite import SqliteIndex  # noqa: E402
from pipeline.nlp.enricher import Enricher  # noqa: E402
from pipeline.records import Article, Source, stable_id  # noqa: E402
from pipeline.threads.assign import ThreadAssigner  # noqa: E402


class CountingIndex:
    """The index, counting the requests thread assignment makes (a benchmark may look inside)."""

    def __init__(self, index: Any) -> None:
        self.index, self.calls = index, Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.index, name)
        if not callable(attr) or name in ("upsert", "close", "drop"):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted


def open_index(kind: str, tmp: str) -> Any:
    if kind == "sqlite":
        return SqliteIndex(Path(tmp) / "index.db")
    from pipeline.index.elastic import ElasticIndex

    url = "http://127.0.0.1:9200"
    index = ElasticIndex(url, IndexSettings(url=url), prefix=f"threadbench{uuid.uuid4().hex[:8]}-")
    index.ensure_schema()
    return index


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--index", choices=("sqlite", "elastic"), default="sqlite")
    ap.add_argument("--batch", type=int, default=1, help="articles per indexer batch")
    args = ap.parse_args()
    with args.corpus.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    articles = [Article(stable_id("bench", str(n)), f"https://bench.example/{n}", f"https://bench.example/{n}",
                        Source(f"Outlet {n % 7}"), str(r.get("title") or ""), r["text"]) for n, r in enumerate(rows)]
    t0 = time.perf_counter()
    enriched = Enricher(NlpSettings()).enrich(articles)
    parse = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        index = CountingIndex(open_index(args.index, tmp))
        assigner = ThreadAssigner(index)
        upsert = assign = 0.0
        for start in range(0, len(enriched), args.batch):
            batch = enriched[start:start + args.batch]
            t1 = time.perf_counter()
            index.upsert(batch)
            t2 = time.perf_counter()
            assigner.assign(batch)
            upsert, assign = upsert + t2 - t1, assign + time.perf_counter() - t2
        links = index.index.thread_links([c.id for e in enriched for c in e.claims])
        if args.index == "elastic":
            index.drop()
        index.close()
    n = len(enriched)
    threads = len({lk.thread_id for lk in links.values()})
    print(f"{args.index}, batches of {args.batch}: articles {n}, claims {len(links)}, threads {threads}")
    print(f"per article: NLP parse {1000 * parse / n:.0f} ms, upsert {1000 * upsert / n:.1f} ms, "
          f"thread assignment {1000 * assign / n:.1f} ms (assignment / parse = {assign / parse:.3f})")
    print("index calls per article in thread assignment: "
          + ", ".join(f"{name} {count / n:.2f}" for name, count in sorted(index.calls.items())))


if __name__ == "__main__":
    main()
