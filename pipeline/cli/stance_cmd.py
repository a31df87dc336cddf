"""``pipeline stance``: stance of article bodies toward claims, JSONL in and out (no bus, no index).

The measuring point for the stance decision: bodies go through the NLP
stage's Enricher, then every pair through the same
:class:`~pipeline.threads.decide.StanceDecider` that links claim threads.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from tqdm import tqdm

from pipeline.cli.context import Context
from pipeline.cli.streams import open_stream
from pipeline.threads.body import Body
from pipeline.threads.decide import StanceDecider
from pipeline.threads.model import load_model

CHUNK = 64  # bodies per nlp.pipe call
BATCH = 512  # pairs per model call


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stance", help="stance of article bodies toward claims (JSONL)",
                       description='Read pairs {"id", "claim", "body_id"} and bodies {"body_id", "text"}; '
                                   'write {"id", "stance"} with stance agree | disagree | discuss | unrelated. '
                                   "Bad lines are reported on stderr and skipped; a pair whose body is "
                                   "missing, or whose claim has no words, is unrelated.")
    p.add_argument("--pairs", required=True, help="pairs JSONL")
    p.add_argument("--bodies", required=True, help="bodies JSONL")
    p.add_argument("--output", "-o", default="-", help="output JSONL (default stdout)")
    p.add_argument("--model", help="stance model .npz (default: the packaged one)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    decider = StanceDecider(load_model(args.model) if args.model else None)
    show = args.output != "-" and sys.stderr.isatty()
    with open_stream(args.bodies, "r") as fh:
        raw = dict(_rows(fh, args.bodies, ("body_id", "text")))
    with open_stream(args.pairs, "r") as fh:
        pairs = list(_rows(fh, args.pairs, ("id", "claim", "body_id")))
    bodies = _prepare(ctx, decider, raw, show)
    sink = open_stream(args.output, "w")
    missing = 0
    try:
        for start in tqdm(range(0, len(pairs), BATCH), unit="batch", disable=not show, file=sys.stderr,
                          desc="stance"):
            batch = pairs[start:start + BATCH]
            known = [(pid, row) for pid, row in batch if str(row["body_id"]) in bodies]
            missing += len(batch) - len(known)
            decisions = dict(zip((pid for pid, _ in known), decider.decide_many(
                [(str(row["claim"]), bodies[str(row["body_id"])]) for _, row in known]), strict=True))
            for pid, _ in batch:
                stance = decisions[pid].stance if pid in decisions else "unrelated"
                sink.write(json.dumps({"id": pid, "stance": stance}) + "\n")
    finally:
        if sink is not sys.stdout:
            sink.close()
    note = f"; {missing} pair(s) name an unknown body_id (answered unrelated)" if missing else ""
    print(f"stance: {len(pairs)} pair(s), {len(bodies)} bod(y/ies){note}", file=sys.stderr)
    return 0


def _prepare(ctx: Context, decider: StanceDecider, raw: dict[str, dict[str, Any]], show: bool) -> dict[str, Body]:
    """Bodies parsed by the NLP stage's Enricher, then prepared for decisions."""
    from pipeline.nlp.enricher import Enricher

    enricher = Enricher(ctx.settings.nlp)
    items = [(body_id, str(row["text"])) for body_id, row in raw.items()]
    bodies: dict[str, Body] = {}
    with tqdm(total=len(items), unit="body", disable=not show, file=sys.stderr, desc="parse") as bar:
        for start in range(0, len(items), CHUNK):
            chunk = items[start:start + CHUNK]
            for (body_id, text), (entities, claims) in zip(chunk, enricher.analyse(chunk), strict=True):
                bodies[body_id] = decider.prepare(text, claims, entities)
            bar.update(len(chunk))
    return bodies


def _rows(lines: IO[str], path: str, keys: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(first key's value, row) per valid line; bad lines are reported and skipped."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise TypeError("not a JSON object")
            absent = [k for k in keys if k not in row]
            if absent:
                raise KeyError(f"missing {', '.join(absent)}")
            if not isinstance(row[keys[1]], str):
                raise TypeError(f"{keys[1]} is not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            print(f"{path}:{number}: skipped: {exc}", file=sys.stderr)
            continue
        yield str(row[keys[0]]), row
