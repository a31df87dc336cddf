"""Benchmark: the NLP stage's extraction path against spaCy's full pipeline, in one run.

Usage:
    python bench/extract_speed.py CORPUS.jsonl [--processes N] [--limit N] [--rounds 2]

CORPUS.jsonl holds one JSON object per line with a "text" field. On the same
texts, with the same number of processes (default: the machine's cores) and
the same batch size, it times alternately

* **full**: spaCy's ``nlp.pipe`` with every component of the model
  (tok2vec, tagger, parser, attribute ruler, lemmatizer, NER), nothing else,
  as spaCy ships it;
* **full, NumPy BLAS**: the same, its models switched to NumPy's BLAS as the
  NLP stage does (:func:`pipeline.nlp.spacy.transitions.use_numpy_blas`), to
  show how much of the gain is the BLAS and how much is the stage;
* **extract**: what ``pipeline extract`` and the NLP workers run per article
  (``Enricher.analyse``: the gated parse, entities and claims),

and prints the throughputs and the ratio extract / full (target >= 1.5),
by wall time and by the processes' CPU seconds (steadier on a shared machine).
Each path has its own copy of the model.
Every path first runs once over the texts untimed (model caches warm, as in
a long-running worker); then ``--rounds`` timed rounds, alternating, and the
median of each is reported, so both paths see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.config import NlpSettings  # noqa: E402
from pipeline.nlp.enricher import Enricher
from pipeline.nlp.spacy.parser import load_spacy  # noqa: E402
from pipeline.nlp.spacy.transitions import use_numpy_blas  # noqa: E402

PATHS = ("full", "full-blas", "extract")

_state: dict = {}


def _init(model: str, batch_size: int) -> None:
    _state["full"] = load_spacy(model)
    _state["full-blas"] = load_spacy(model)
    use_numpy_blas(component for _, component in _state["full-blas"].components)
    _state["batch_size"] = batch_size
    _state["enricher"] = Enricher(NlpSettings(model=model, batch_size=batch_size), nlp=load_spacy(model))


def _run(path: str, texts: list[str]) -> float:
    """CPU seconds one process spends on ``texts`` along ``path``."""
    started = time.process_time()
    if path != "extract":
        for _ in _state[path].pipe(texts, batch_size=_state["batch_size"]):
            pass
    else:
        for _ in _state["enricher"].analyse((str(i), t) for i, t in enumerate(texts)):
            pass
    return time.process_time() - started


def _timed(pool: ProcessPoolExecutor, path: str, shards: list[list[str]]) -> tuple[float, float]:
    """Wall seconds for all processes to finish their shard along ``path``, and their CPU seconds."""
    started = time.perf_counter()
    cpu = sum(pool.map(_run, [path] * len(shards), shards))
    return time.perf_counter() - started, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=NlpSettings().batch_size)
    ap.add_argument("--model", default=NlpSettings().model)
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    texts = texts[: args.limit] if args.limit else texts
    shards = [texts[k::args.processes] for k in range(args.processes)]  # same shards for both paths
    times: dict[str, list[tuple[float, float]]] = {path: [] for path in PATHS}
    with ProcessPoolExecutor(args.processes, initializer=_init, initargs=(args.model, args.batch_size)) as pool:
        for path in times:
            _timed(pool, path, shards)  # warm-up
        for _ in range(args.rounds):
            for path in times:
                times[path].append(_timed(pool, path, shards))
    full, blas, extract = (statistics.median(w for w, _ in times[p]) for p in PATHS)
    full_cpu, blas_cpu, extract_cpu = (statistics.median(c for _, c in times[p]) for p in PATHS)
    chars = sum(map(len, texts)) / len(texts)
    print(f"articles {len(texts)} ({chars:.0f} characters on average), processes {args.processes}, "
          f"batch size {args.batch_size}, rounds {args.rounds} (median)")
    print(f"full spaCy pipeline nlp.pipe   {full:7.2f} s  {len(texts) / full:6.1f} articles/s  (CPU {full_cpu:.1f} s)")
    print(f"  the same on NumPy's BLAS     {blas:7.2f} s  {len(texts) / blas:6.1f} articles/s  (CPU {blas_cpu:.1f} s)")
    print(f"pipeline extract path          {extract:7.2f} s  {len(texts) / extract:6.1f} articles/s  "
          f"(CPU {extract_cpu:.1f} s)")
    print(f"ratio extract / full throughput {full / extract:.2f}  (target >= 1.5); "
          f"by CPU seconds {full_cpu / extract_cpu:.2f}")
    print(f"ratio extract / full on NumPy's BLAS {blas / extract:.2f}; by CPU seconds {blas_cpu / extract_cpu:.2f}")


if __name__ == "__main__":
    main()
