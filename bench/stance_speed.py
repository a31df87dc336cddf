"""Benchmark: stance decisions per second once bodies are parsed (target >= 200 pairs/s).

Usage:
    python bench/stance_speed.py [FNC1_DIR] [--repeat N]

FNC1_DIR holds ``dev.jsonl`` (pairs) and ``bodies-dev.jsonl`` (default:
../shared/data/fnc1 beside the repository). Prints, measured in one run: the
NLP parse of the bodies (spaCy + claim extraction, the Enricher), body
preparation (sentences, vectors), and the decisions over every pair (features
and both model stages, batched as ``pipeline stance`` does), with pairs per
second for the last. The decisions run ``--repeat`` times; the best run counts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.cli.stance_cmd import BATCH  # noqa: E402
from pipeline.config import NlpSettings  # noqa: E402
from pipeline.nlp.enricher import Enricher  # noqa: E402
from pipeline.threads.decide import StanceDecider  # noqa: E402


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", type=Path, default=repo.parent / "shared" / "data" / "fnc1")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pairs, raw = read(args.data / "dev.jsonl"), read(args.data / "bodies-dev.jsonl")
    enricher, decider = Enricher(NlpSettings()), StanceDecider()
    items = [(b["body_id"], b["text"]) for b in raw]
    t0 = time.perf_counter()
    parsed = list(enricher.analyse(items))
    t1 = time.perf_counter()
    bodies = {bid: decider.prepare(text, claims, ents) for (bid, text), (ents, claims) in zip(items, parsed, strict=True)}
    t2 = time.perf_counter()
    best = float("inf")
    for _ in range(args.repeat):
        decider = StanceDecider(decider.model)  # a cold claim cache each run
        start = time.perf_counter()
        for i in range(0, len(pairs), BATCH):
            decider.decide_many([(p["claim"], bodies[p["body_id"]]) for p in pairs[i:i + BATCH]])
        best = min(best, time.perf_counter() - start)
    print(f"bodies {len(items)}: NLP parse {t1 - t0:.1f} s ({len(items) / (t1 - t0):.1f} bodies/s), "
          f"preparation {t2 - t1:.2f} s")
    print(f"pairs {len(pairs)}: decisions {best:.2f} s (best of {args.repeat}): "
          f"{len(pairs) / best:.0f} pairs/s once bodies are parsed")


if __name__ == "__main__":
    main()
