"""``pipeline dlq list | redrive``: inspect dead letters, and send them through again after a fix."""

from __future__ import annotations

import argparse
import json

from pipeline.bus.base import DLQ_TOPICS
from pipeline.cli.context import Context
from pipeline.runtime.worker import Worker
from pipeline.stages.redrive import REDRIVE_GROUP, RedriveHandler, describe


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("dlq", help="list dead letters, or re-drive them after a fix",
                       description="Dead letters keep the original record with the stage, error and time. "
                                   "`list` shows them; `redrive` publishes each original record again to the "
                                   "topic it came from (once per dead letter).")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="show dead letters")
    ls.add_argument("--topic", choices=DLQ_TOPICS, help="one dead-letter topic (default: all)")
    ls.add_argument("--limit", type=int, default=50, help="at most this many per topic (default 50)")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=list_letters)
    rd = actions.add_parser("redrive", help="publish dead letters' original records again")
    rd.add_argument("--topic", choices=DLQ_TOPICS, help="one dead-letter topic (default: all)")
    rd.set_defaults(func=redrive)


def list_letters(args: argparse.Namespace, ctx: Context) -> int:
    letters = {t: [describe(m) for m in ctx.bus.read(t, args.limit)] for t in _topics(args)}
    if args.json:
        print(json.dumps(letters, indent=1))
        return 0
    for topic, rows in letters.items():
        print(f"{topic}: {len(rows)} dead letter(s)" + (" shown" if len(rows) == args.limit else ""))
        for r in rows:
            print(f"  {r.get('time') or '?'}  {r.get('stage') or '?':<7} key={r['key']}  {r['error']}")
    return 0


def redrive(args: argparse.Namespace, ctx: Context) -> int:
    topics = _topics(args)
    consumer = ctx.closing(ctx.bus.consumer(REDRIVE_GROUP, topics))
    worker = Worker(consumer, ctx.closing(ctx.bus.producer()), RedriveHandler(), ctx.settings.worker, ctx.stop)
    total = 0
    while handled := worker.step(timeout_s=2.0):
        total += handled
    print(f"re-drove {total} dead letter(s) from {', '.join(topics)}")
    return 0


def _topics(args: argparse.Namespace) -> list[str]:
    return [args.topic] if args.topic else list(DLQ_TOPICS)
