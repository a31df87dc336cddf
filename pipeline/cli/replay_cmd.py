"""``pipeline replay PATH...``: publish local files as articles."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from pipeline.bus.base import RAW
from pipeline.cli.context import Context
from pipeline.records import encode
from pipeline.replay.files import ReplayError, find_files, read_articles

FLUSH_EVERY = 200


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="publish .txt / .jsonl files as articles (the seed feed)",
                       description="Publish local files as articles on articles.raw, exactly as the poller "
                                   "would. Same ids on every replay, so replaying again adds no duplicates. "
                                   "Folders are searched for .txt and .jsonl files.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--topic", default=RAW, help=f"topic to publish to (default {RAW})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    files = find_files(args.paths)
    ctx.bus.ensure_topics([args.topic])
    producer = ctx.closing(ctx.bus.producer())
    published, errors = 0, []
    bar = tqdm(files, unit="file", desc="replay", disable=args.quiet or None, file=sys.stderr)
    for path in bar:
        for item in read_articles(path):
            if isinstance(item, ReplayError):
                errors.append(item)
                bar.write(f"skipped {item}", file=sys.stderr)
                continue
            payload = encode(item)  # any record encodes (records.clean_text); bus errors are not a line's
            producer.publish(args.topic, item.id, payload)
            published += 1
            if published % FLUSH_EVERY == 0:
                producer.flush()
    producer.flush()
    print(f"published {published} article(s) from {len(files)} file(s) to {args.topic}"
          + (f"; {len(errors)} skipped (see above)" if errors else ""))
    return 1 if errors and not published else 0

