"""Benchmark: the NLP stage's extraction path against spaCy's full pipeline, in one run.

Usage:
    python bench/extract_speed.py CORPUS.jsonl [--processes 1] [--core N] [--limit N] [--rounds 2]
                                  [--worker-rss]

CORPUS.jsonl holds one JSON object per line with a "text" field. On the same
texts, with the same number of processes (default one) and the same batch
size, it times alternately

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

With one process (the default, the ratio the README quotes) every path runs
in one worker process pinned to one core (``--core``, default the highest
core this process may use), so both paths run on the same core. The load
average and the core count are printed before and after the timed rounds,
next to the figures: a wall ratio means little under load.

``--worker-rss`` then runs the extract path once more in a fresh process
holding only the NLP stage's model (as a worker does) and prints that
process's peak RSS (``ru_maxrss``; target < 600 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.config import NlpSettings  # noqa: E402
from pipeline.nlp.enricher import Enricher  # noqa: E402
from pipeline.nlp.spacy.parser import load_spacy  # noqa: E402
from pipeline.nlp.spacy.transitions import use_numpy_blas  # noqa: E402

PATHS = ("full", "full-blas", "extract")

_state: dict = {}


def _init(model: str, batch_size: int, paths: tuple[str, ...] = PATHS) -> None:
    if "full" in paths:
        _state["full"] = load_spacy(model)
    if "full-blas" in paths:
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


def _peak_rss_mb(texts: list[str]) -> float:
    """Peak RSS (MB) of this process after the extract path over ``texts``."""
    _run("extract", texts)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _timed(pool: ProcessPoolExecutor, path: str, shards: list[list[str]]) -> tuple[float, float]:
    """Wall seconds for all processes to finish their shard along ``path``, and their CPU seconds."""
    started = time.perf_counter()
    cpu = sum(pool.map(_run, [path] * len(shards), shards))
    return time.perf_counter() - started, cpu


def _machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--core", type=int, default=max(os.sched_getaffinity(0)),
                    help="the core one process is pinned to (with --processes 1)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=NlpSettings().batch_size)
    ap.add_argument("--model", default=NlpSettings().model)
    ap.add_argument("--worker-rss", action="store_true",
                    help="then the peak RSS of a fresh process running the extract path alone")
    return ap.parse_args()


def main() -> None:
    args = _args()
    with open(args.corpus, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    texts = texts[: args.limit] if args.limit else texts
    if args.processes == 1:  # the worker processes inherit it: every path on the same core
        os.sched_setaffinity(0, {args.core})
    shards = [texts[k::args.processes] for k in range(args.processes)]  # same shards for both paths
    times: dict[str, list[tuple[float, float]]] = {path: [] for path in PATHS}
    with ProcessPoolExecutor(args.processes, initializer=_init, initargs=(args.model, args.batch_size)) as pool:
        for path in times:
            _timed(pool, path, shards)  # warm-up
        before = _machine()
        for _ in range(args.rounds):
            for path in times:
                times[path].append(_timed(pool, path, shards))
        after = _machine()
    _report(args, texts, times, before, after)
    if args.worker_rss:
        with ProcessPoolExecutor(1, initializer=_init, initargs=(args.model, args.batch_size, ("extract",))) as pool:
            rss = pool.submit(_peak_rss_mb, texts).result()
        print(f"extract worker peak RSS {rss:.0f} MB (target < 600 MB; model loaded, one pass over the texts)")


def _report(args: argparse.Namespace, texts: list[str], times: dict[str, list[tuple[float, float]]],
            before: str, after: str) -> None:
    full, blas, extract = (statistics.median(w for w, _ in times[p]) for p in PATHS)
    full_cpu, blas_cpu, extract_cpu = (statistics.median(c for _, c in times[p]) for p in PATHS)
    chars = sum(map(len, texts)) / len(texts)
    where = f"pinned to core {args.core}" if args.processes == 1 else "not pinned"
    print(f"articles {len(texts)} ({chars:.0f} characters on average), processes {args.processes} ({where}), "
          f"batch size {args.batch_size}, rounds {args.rounds} (median)")
    print(f"before the timed rounds: {before}")
    print(f"after the timed rounds:  {after}")
    print(f"full spaCy pipeline nlp.pipe   {full:7.2f} s  {len(texts) / full:6.1f} articles/s  (CPU {full_cpu:.2f} s)")
    print(f"  the same on NumPy's BLAS     {blas:7.2f} s  {len(texts) / blas:6.1f} articles/s  (CPU {blas_cpu:.2f} s)")
    print(f"pipeline extract path          {extract:7.2f} s  {len(texts) / extract:6.1f} articles/s  "
          f"(CPU {extract_cpu:.2f} s)")
    print(f"ratio extract / full throughput {full / extract:.2f}  (target >= 1.5); "
          f"by CPU seconds {full_cpu / extract_cpu:.2f}")
    print(f"ratio extract / full on NumPy's BLAS {blas / extract:.2f}; by CPU seconds {blas_cpu / extract_cpu:.2f}")


if __name__ == "__main__":
    main()
