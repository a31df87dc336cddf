"""``pipeline feeds add|list|remove|import-opml``: the feeds the poller follows, and their health."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from pipeline.cli.context import Context
from pipeline.errors import InputError
from pipeline.poller.health import health_rows, table
from pipeline.poller.opml import read_opml
from pipeline.urls import fetch_refusal


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("feeds", help="add, list, remove or import the feeds to poll",
                       description="Manage the feeds `pipeline poll` follows. State per feed (validators, "
                                   "schedule, seen entries, errors) lives in {data_dir}/feeds.db. Feeds "
                                   "named in the configuration ([[feeds]] url=..., name=...) are added "
                                   "automatically.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="follow a feed (http or https URL)")
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", default="", help="outlet name shown on its articles (default: the feed title)")
    add.set_defaults(func=run_add)
    ls = actions.add_parser("list", help="every feed with its health",
                            description="Per feed: status (ok, new, error, failing), last success, "
                                        "consecutive failures, next poll, items per day and the last "
                                        "error's reason.")
    ls.add_argument("--json", action="store_true", help="machine-readable output (all fields)")
    ls.set_defaults(func=run_list)
    rm = actions.add_parser("remove", help="stop following a feed (by URL or id)")
    rm.add_argument("feed", metavar="URL|ID")
    rm.set_defaults(func=run_remove)
    imp = actions.add_parser("import-opml", help="follow every feed of an OPML file")
    imp.add_argument("file", metavar="FILE", type=Path)
    imp.set_defaults(func=run_import)


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    url = args.url.strip()
    refusal = fetch_refusal(url)
    if refusal:
        raise InputError(f"{url}: {refusal}")
    feed, created = ctx.feeds.add(url, args.name.strip(), origin="cli", now=time.time())
    print(f"{'added' if created else 'already following'} feed {feed.id}: {feed.url}"
          + (f" ({feed.name})" if feed.name else ""))
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    rows = health_rows(ctx.feeds, time.time())
    print(json.dumps(rows, indent=1, ensure_ascii=False) if args.json else table(rows))
    return 0


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    feed = ctx.feeds.remove(args.feed.strip())
    if feed is None:
        raise InputError(f"no feed {args.feed!r} (see `pipeline feeds list`)")
    in_config = feed.origin == "config"
    note = " (it is in the configuration file and comes back on the next start)" if in_config else ""
    print(f"removed feed {feed.id}: {feed.url}{note}")
    return 0


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    try:
        subscriptions = read_opml(args.file.read_bytes())
    except OSError as exc:
        raise InputError(f"{args.file}: cannot read: {exc.strerror or exc}") from exc
    store, now = ctx.feeds, time.time()
    added = existing = 0
    for sub in subscriptions:
        refusal = fetch_refusal(sub.url)
        if refusal:
            print(f"skipped {sub.url}: {refusal}")
            continue
        created = store.add(sub.url, sub.name, origin="opml", now=now)[1]
        added, existing = added + created, existing + (not created)
    print(f"imported {args.file}: {added} feed(s) added, {existing} already followed, "
          f"{len(subscriptions) - added - existing} skipped")
    return 0
