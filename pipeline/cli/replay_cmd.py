"""``pipeline replay PATH...``: publish local files as articles."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from tqdm import tqdm

from pipeline.bus.base import RAW
from pipeline.cli.context import Context
from pipeline.records import encode
from pipeline.replay.files import ReplayError, ReplaySkip, find_files, read_articles

FLUSH_EVERY = 200


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("replay", help="publish .txt / .jsonl / .warc[.gz] files as articles (the seed feed)",
                       description="Publish local files as articles on articles.raw, exactly as the poller "
                                   "would. Same ids on every replay, so replaying again adds no duplicates. "
                                   "Folders are searched for .txt, .jsonl, .warc and .warc.gz files; a web "
                                   "archive's HTML pages go through the poller's full-text extractor, its other "
                                   "records are counted and skipped.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--topic", default=RAW, help=f"topic to publish to (default {RAW})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    files = find_files(args.paths)
    ctx.bus.ensure_topics([args.topic])
    producer = ctx.closing(ctx.bus.producer())
    published, errors, skipped = 0, 0, Counter[str]()
    bar = tqdm(files, unit="file", desc="replay", disable=args.quiet or None, file=sys.stderr)
    for path in bar:
        for item in read_articles(path, ctx.settings.poller.max_bytes):
            if isinstance(item, ReplaySkip):
                skipped[item.kind] += 1
                continue
            if isinstance(item, ReplayError):
                errors += 1
                bar.write(f"skipped {item}", file=sys.stderr)
                continue
            payload = encode(item)  # any record encodes (records.clean_text); bus errors are not a line's
            producer.publish(args.topic, item.id, payload)
            published += 1
            if published % FLUSH_EVERY == 0:
                producer.flush()
    producer.flush()
    print(summary(published, len(files), args.topic, errors, skipped))
    return 1 if errors and not published else 0


def summary(published: int, files: int, topic: str, errors: int, skipped: Counter[str]) -> str:
    """One line: what was published, what failed, and what was not an article (by kind)."""
    line = f"published {published} article(s) from {files} file(s) to {topic}"
    if errors:
        line += f"; {errors} skipped (see above)"
    if skipped:
        kinds = ", ".join(f"{kind} {n}" for kind, n in skipped.most_common())
        line += f"; {sum(skipped.values())} record(s) not articles ({kinds})"
    return line
