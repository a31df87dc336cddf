"""Where an uncached SQLite claim search spends its CPU: per query kind, per step of the search.

Usage:
    python bench/search_steps.py [--dir /tmp/search-bench] [--queries 400]

Reads the index ``bench/search_bench.py`` built in DIR (run that first), then
runs fresh queries (the benchmark's fresh set: the four kinds in turn, none
repeated) through ``SqliteIndex.search_claims`` in this process, reading the
file as a server does (``--mmap-mb``: through a memory map), and prints per kind the mean CPU
ms of a search and of each step in ``pipeline.index.sqlite.queries`` it calls
(``x`` = calls per search; a step's SQL runs inside it).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

if not os.environ.get("PYTHONPATH"):  # a PYTHONPATH names the checkout whose code is timed (e.g. main's)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import KINDS, queries  # noqa: E402

from pipeline.index.sqlite import SqliteIndex  # noqa: E402
from pipeline.index.sqlite import queries as sqlite_read  # noqa: E402
from pipeline.index.sqlite import tags as sqlite_tags  # noqa: E402

try:  # an older checkout counts in queries (the benchmark may time one)
    from pipeline.index.sqlite import totals as sqlite_totals  # noqa: E402
except ImportError:
    sqlite_totals = sqlite_read

# The steps of a search, where the module has them (the benchmark may time an older checkout's code).
STEPS = {sqlite_totals: ("count",),
         sqlite_read: ("text_expression", "count", "window_start", "newest_matches", "newest_bound", "ranked_rows",
                       "docs", "highlights", "article_refs"),
         sqlite_tags: ("names_like",)}


def present_steps() -> list[tuple[object, str]]:
    """``(module, name)`` of each of :data:`STEPS` the imported modules define."""
    return [(module, name) for module, names in STEPS.items() for name in names if hasattr(module, name)]


Table = dict[str, dict[str, float]]  # kind -> step -> CPU seconds (or calls)


def timed(module: object, name: str, spent: Table, calls: Table, current: dict[str, str]) -> None:
    """Replace ``module.name`` with a wrapper adding its CPU seconds and calls under the current kind."""
    step = getattr(module, name)

    @functools.wraps(step)
    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.thread_time()
        try:
            return step(*args, **kwargs)
        finally:
            spent[current["kind"]][name] += time.thread_time() - started
            calls[current["kind"]][name] += 1

    setattr(module, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="/tmp/search-bench", help="where search_bench.py built the index")
    ap.add_argument("--queries", type=int, default=400, help="fresh queries per kind")
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--per-article", type=int, default=20)
    ap.add_argument("--mmap-mb", type=int, default=0, help="read the file through a memory map of this size "
                    "(a server's [index] sqlite_mmap_mb; 0: none)")
    args = ap.parse_args()
    n_articles = args.claims // args.per_article
    seen = {q for qs in queries(40, n_articles, args.per_article).values() for q in qs}
    more = queries(max(40, args.queries) * 25, n_articles, args.per_article, seed=23)
    kind_of = {q: kind for kind in KINDS for q in more[kind]}
    fresh = [q for q in dict.fromkeys(q for group in zip(*(more[k] for k in KINDS[:-1]), strict=True) for q in group)
             if q not in seen][:args.queries * 4]
    index = SqliteIndex(Path(args.dir) / "index.db", mmap_bytes=args.mmap_mb << 20)
    for q in fresh[:20]:  # warm-up: word counts and pages as a running server has them
        index.search_claims(q)
    spent: Table = defaultdict(lambda: defaultdict(float))
    calls: Table = defaultdict(lambda: defaultdict(float))
    total: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    current = {"kind": ""}
    for module, name in present_steps():
        timed(module, name, spent, calls, current)
    for q in fresh[20:]:
        kind = current["kind"] = kind_of[q]
        started = time.thread_time()
        index.search_claims(q)
        total[kind] += time.thread_time() - started
        count[kind] += 1
    index.close()
    print(f"{sum(count.values())} fresh searches; mean CPU ms per search, then per step (x calls per search)")
    for kind in KINDS[:-1]:
        n = count[kind]
        steps = sorted(spent[kind].items(), key=lambda kv: -kv[1])
        print(f"{kind:<12}{1000 * total[kind] / n:6.2f}  " + ", ".join(
            f"{name} {1000 * s / n:.2f} (x{calls[kind][name] / n:.1f})" for name, s in steps))


if __name__ == "__main__":
    main()
