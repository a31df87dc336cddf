"""Benchmark: SQLite searches whose totals pass 10,000, on a bench/search_scale.py snapshot.

Usage:
    python bench/search_over_bound.py [--cache /tmp/scale-cache] [--size 1000000]

Times (median of 7 after one warm-up search) name filters, words and words with
dates that match tens of thousands of claims, plus one counted under the bound,
and prints each one's total and whether it is exact. Run it from either checkout
(its ``PYTHONPATH``) against the same snapshot, under the lock.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

if not os.environ.get("PYTHONPATH"):  # a PYTHONPATH names the checkout whose code is timed (e.g. main's)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_corpus import START, outlets  # noqa: E402

from pipeline.index.base import ClaimQuery  # noqa: E402
from pipeline.index.sqlite import SqliteIndex  # noqa: E402


def searches() -> dict[str, ClaimQuery]:
    town = outlets()[0].name.split()[0]  # the outlet with the most copies
    d0 = START.date()
    return {
        "speaker Trump": ClaimQuery(speaker="Trump"),
        "speaker Clinton": ClaimQuery(speaker="Clinton"),
        f"source {town}": ClaimQuery(source=town),
        f"source {town} + deny": ClaimQuery(source=town, stance="deny"),
        "entity Trump": ClaimQuery(entity="Trump"),
        "text trump": ClaimQuery("trump"),
        "text trump campaign": ClaimQuery("trump campaign"),
        "text trump (export)": ClaimQuery("trump", facets=False),
        "text trump, 90 days": ClaimQuery("trump", since=d0 + timedelta(days=100), until=d0 + timedelta(days=189)),
        "text trump + speaker Clinton": ClaimQuery("trump", speaker="Clinton"),
        f"text people + source {town}": ClaimQuery("people", source=town),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default="/tmp/scale-cache", help="where bench/search_scale.py keeps its snapshots")
    ap.add_argument("--size", type=int, default=1_000_000, help="the snapshot's claims")
    args = ap.parse_args()
    found = sorted(Path(args.cache).glob(f"index-*-{args.size}.db"))
    if not found:
        sys.exit(f"no {args.size}-claim snapshot under {args.cache}: build it with bench/search_scale.py --build-only")
    index = SqliteIndex(found[-1])
    for name, q in searches().items():
        result = index.search_claims(q)
        took = []
        for _ in range(7):
            began = time.perf_counter()
            index.search_claims(q)
            took.append((time.perf_counter() - began) * 1000)
        exact = getattr(result, "total_exact", True)  # an older checkout's results have no flag: exact
        print(f"{name:<36} {statistics.median(took):7.1f} ms  total {result.total}{'' if exact else '+'}", flush=True)
    index.close()


if __name__ == "__main__":
    main()
