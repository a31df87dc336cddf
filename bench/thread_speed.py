"""Benchmark: what thread assignment adds to indexing, against the NLP parse it follows.

Usage:
    python bench/thread_speed.py CORPUS.jsonl [--limit N]

CORPUS.jsonl holds one JSON object per line with a "text" field (e.g. the
PolNeAR dev split). Each article is parsed by the NLP stage's Enricher, then
written one at a time into a fresh SQLite index (upsert) and linked into
threads (ThreadAssigner.assign), as the indexer does. Prints the time per
article of each step, measured in one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.config import NlpSettings  # noqa: E402
from pipeline.index.sqlite import SqliteIndex  # noqa: E402
from pipeline.records import Article, Source, stable_id  # noqa: E402
from pipeline.stages.nlp import Enricher  # noqa: E402
from pipeline.threads.assign import ThreadAssigner  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=0)
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
        index = SqliteIndex(Path(tmp) / "index.db")
        assigner = ThreadAssigner(index)
        upsert = assign = 0.0
        for e in enriched:
            t1 = time.perf_counter()
            index.upsert([e])
            t2 = time.perf_counter()
            assigner.assign([e])
            upsert, assign = upsert + t2 - t1, assign + time.perf_counter() - t2
        links = index.thread_links([c.id for e in enriched for c in e.claims])
        index.close()
    n = len(enriched)
    threads = len({lk.thread_id for lk in links.values()})
    print(f"articles {n}, claims {len(links)}, threads {threads}")
    print(f"per article: NLP parse {1000 * parse / n:.0f} ms, upsert {1000 * upsert / n:.1f} ms, "
          f"thread assignment {1000 * assign / n:.1f} ms (assignment / parse = {assign / parse:.3f})")


if __name__ == "__main__":
    main()
