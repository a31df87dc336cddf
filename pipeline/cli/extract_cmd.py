"""``pipeline extract``: JSONL articles in, JSONL entities and claims out (no bus, no index).

The measuring point for claim quality: the same Enricher the NLP stage runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import IO, Any

from tqdm import tqdm

from pipeline.cli.context import Context
from pipeline.cli.streams import open_stream
from pipeline.nlp.budget import OVER_BUDGET
from pipeline.nlp.enricher import Enricher
from pipeline.records import to_dict

CHUNK = 64  # lines parsed per nlp.pipe call: bounded memory on any input size


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("extract", help="JSONL articles in, JSONL entities + claims out",
                       description='Read lines {"id", "text", ...}; write lines {"id", "entities", '
                                   '"claims"} with end-exclusive character offsets into text (a claim\'s "content" is a '
                                   "list of spans when its cue clause interrupts it). Bad lines "
                                   "are reported on stderr and skipped; an article over the NLP budget "
                                   "([nlp] max_run_chars, max_tokens, max_sentence_tokens) is written "
                                   "without claims and reported on stderr.")
    p.add_argument("--input", "-i", default="-", help="input JSONL (default stdin)")
    p.add_argument("--output", "-o", default="-", help="output JSONL (default stdout)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    enricher = Enricher(ctx.settings.nlp)
    source = open_stream(args.input, "r")
    if source is not sys.stdin:
        ctx.on_close(source.close)
    sink = open_stream(args.output, "w")
    written, over_budget = 0, 0
    bad_lines: list[int] = []
    try:
        show = args.output != "-" and sys.stderr.isatty()
        for chunk in _chunks(tqdm(_items(source, bad_lines), unit="article", disable=not show, file=sys.stderr)):
            for (item_id, _), found in zip(chunk, enricher.assess(chunk), strict=True):
                if found.over_budget is not None:
                    print(f"id {item_id}: {OVER_BUDGET}: {found.over_budget}; written without claims", file=sys.stderr)
                    over_budget += 1
                row: dict[str, Any] = {"id": item_id, "entities": [asdict(e) for e in found.entities],
                                       "claims": [_claim_row(to_dict(c)) for c in found.claims]}
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
    finally:
        if sink is not sys.stdout:
            sink.close()
    print(f"extracted {written} article(s)" + (f", skipped {len(bad_lines)} bad line(s)" if bad_lines else "")
          + (f", {over_budget} over the NLP budget (no claims)" if over_budget else ""), file=sys.stderr)
    return 0


def _claim_row(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim record without its envelope; a content in pieces is written as the list of its
    pieces (the scorer's discontinuous span), else as the one span."""
    claim.pop("schema", None)
    claim.pop("v", None)
    parts = claim.pop("content_parts", None)
    if parts:
        claim["content"] = parts
    return claim


def _items(lines: IO[str], bad_lines: list[int]) -> Iterator[tuple[str, str]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            item_id, text = data["id"], data["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            print(f"line {number}: skipped: {exc!r}", file=sys.stderr)
            bad_lines.append(number)
            continue
        yield str(item_id), text


def _chunks(items: Iterable[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    chunk: list[tuple[str, str]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
