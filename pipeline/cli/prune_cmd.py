"""``pipeline prune --before DATE``: forget articles, claims, thread links and dead letters older than DATE."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date

from tqdm import tqdm

from pipeline.cli.context import Context
from pipeline.errors import InputError
from pipeline.index.retention import Prunable, PrunePlan
from pipeline.runtime.shutdown import signals_set_flag
from pipeline.upkeep import prune as upkeep

AGE_RULE = ("An article's age is its publication date (an estimated date is its fetch time already); "
            "an article with no date is aged by its fetch time, and kept when it has neither.")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("prune", help="delete articles, claims, thread links and dead letters older than a date",
                       description="Delete what is older than DATE (UTC, the day itself is kept): articles "
                                   "with their claims and thread links (the threads of remaining claims are "
                                   "renamed to their smallest remaining claim and lose denials of deleted "
                                   "ones), and dead letters on the SQLite bus (on Kafka, set the topics' "
                                   "retention.ms instead). " + AGE_RULE + " Works in committed batches: "
                                   "stopped (Ctrl-C), it is finished by running it again. Then the SQLite "
                                   "index merges its text-index segments (Elasticsearch: a force merge "
                                   "expunging deletions).")
    p.add_argument("--before", required=True, type=_day, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--dry-run", action="store_true", help="show what would be deleted; change nothing")
    p.add_argument("--batch", type=_positive, default=500, metavar="N", help="articles per batch (default 500)")
    p.add_argument("--vacuum", action="store_true",
                   help="SQLite: shrink the file with VACUUM (rewrites the whole file, needs free disk about its "
                        "size, blocks writers while it runs); later prunes then give space back incrementally")
    p.add_argument("--no-compact", action="store_true", help="skip the segment merge / force merge")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    index = ctx.index
    if not isinstance(index, Prunable):
        raise InputError(f"the index at {ctx.settings.index_url} cannot be pruned")
    plan, letters = upkeep.plan(index, ctx.bus, args.before)
    if args.dry_run:
        return _show_plan(args, plan, letters)
    with signals_set_flag(ctx.stop), \
            tqdm(total=plan.counts.articles, unit="article", desc="prune", disable=args.quiet or None,
                 file=sys.stderr) as bar, \
            tqdm(unit="step", desc="compact", disable=args.quiet or None, file=sys.stderr, leave=False) as steps:
        report = upkeep.prune(index, ctx.bus, args.before, batch=args.batch, stop=ctx.stop.is_set,
                              progress=bar.update, compact=not args.no_compact, vacuum=args.vacuum,
                              compact_progress=steps.update)
    if args.json:
        print(json.dumps({**asdict(report), "counts": asdict(report.counts)}, indent=1))
    else:
        c = report.counts
        print(f"deleted {c.articles} article(s), {c.claims} claim(s), {c.links} thread link(s) "
              f"({c.relinked} link(s) of remaining claims repaired); {_letters(report.dead_letters, 'deleted')}")
        if report.dropped:
            print(f"dropped whole indices: {', '.join(report.dropped)}")
        print(f"compaction: {report.compacted}" if report.complete else
              "stopped before the end: run the same command again to finish")
    return 0 if report.complete else 1


def _show_plan(args: argparse.Namespace, plan: PrunePlan, letters: int | None) -> int:
    if args.json:
        print(json.dumps({"counts": asdict(plan.counts), "undated_kept": plan.undated_kept,
                          "whole_indices": list(plan.whole_indices), "dead_letters": letters}, indent=1))
        return 0
    c = plan.counts
    print(f"would delete {c.articles} article(s), {c.claims} claim(s), {c.links} thread link(s) older than "
          f"{args.before}; {_letters(letters, 'would delete')}")
    print(f"kept: {plan.undated_kept} undated article(s) (no date and no older fetch time)")
    if plan.whole_indices:
        print(f"would drop whole indices: {', '.join(plan.whole_indices)}")
    return 0


def _letters(count: int | None, verb: str) -> str:
    return upkeep.KAFKA_NOTE if count is None else f"{verb} {count} dead letter(s)"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1: {text!r}")
    return int(text)
