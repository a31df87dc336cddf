"""Benchmark: the NLP stage's Enricher on pathological texts, each shape at two sizes, on one core.

Usage:
    python bench/pathological.py [--scale 1.0] [--caps-off]

For each shape it prints the seconds ``Enricher.assess`` takes on the text at
size n and at 2n, the ratio (about 2 is linear; 4 quadratic), and the cap
the text passed, if any (such an article is indexed without claims and
dead-lettered). ``--caps-off`` lifts the per-article caps (max_run_chars,
max_tokens, max_sentence_tokens) to show what they prevent; shapes that
would then take minutes (the runs of quotes) are left out there. ``--scale``
multiplies every size. Pinned to one CPU (the NLP stage's BLAS already runs
one thread).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.config import NlpSettings  # noqa: E402
from pipeline.nlp.enricher import Enricher  # noqa: E402

ORDINARY = ("The minister said on Monday that the bridge would open in June, although engineers doubted it. "
            "\"We will not be rushed,\" Ms. Lopez told reporters in Lisbon. The company denied that it had "
            "cut the budget, according to a statement.\n")
CUE_SENTENCE = "the minister said that " * 230 + "it rained. "  # ~921 tokens: just inside the sentence cap

# name -> (text of size n, base n, whether it is left out with the caps off)
SHAPES: dict[str, tuple[Callable[[int], str], int, bool]] = {
    "ordinary prose": (lambda n: ORDINARY * n, 100, False),
    "200k quotes (one run)": (lambda n: '"' * n, 100_000, True),
    "quote runs at the run cap": (lambda n: " ".join(['"' * 1_000] * n), 10, False),
    "giant single token": (lambda n: "a" * n, 100_000, False),
    "nested brackets, no spaces": (lambda n: "(" * n + ")" * n, 50_000, True),
    "nested brackets, spaced": (lambda n: "( " * n + ") " * n, 10_000, False),
    "unpunctuated cue sentence": (lambda n: "the minister said that " * n, 1_000, False),
    "cue sentences at the sentence cap": (lambda n: CUE_SENTENCE * n, 5, False),
    "many tiny sentences": (lambda n: "He said so. " * n, 2_000, False),
    "whitespace and newlines": (lambda n: " \n\t" * n, 50_000, False),
}


def timed(enricher: Enricher, text: str) -> tuple[float, str | None]:
    started = time.perf_counter()
    [analysis] = enricher.assess([("bench", text)])
    return time.perf_counter() - started, analysis.over_budget


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--caps-off", action="store_true")
    args = p.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    settings = NlpSettings()
    if args.caps_off:
        settings = NlpSettings(max_run_chars=10**9, max_tokens=10**9, max_sentence_tokens=10**9)
    enricher = Enricher(settings)
    timed(enricher, ORDINARY * 5)  # warm the model's caches, as in a long-running worker
    print(f"{'shape':36} {'chars n':>9} {'s':>7} {'chars 2n':>9} {'s':>7} {'ratio':>6}  cap passed")
    for name, (make, n, slow_uncapped) in SHAPES.items():
        if args.caps_off and slow_uncapped:
            print(f"{name:36} (left out with --caps-off: minutes in spaCy's tokenizer)")
            continue
        n = max(1, int(n * args.scale))
        small, large = make(n), make(2 * n)
        t1, _ = timed(enricher, small)
        t2, over = timed(enricher, large)
        print(f"{name:36} {len(small):>9,} {t1:>7.2f} {len(large):>9,} {t2:>7.2f} {t2 / max(t1, 1e-3):>6.1f}  "
              f"{over or '-'}")


if __name__ == "__main__":
    main()
