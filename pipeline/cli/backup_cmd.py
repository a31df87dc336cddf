"""``pipeline backup DEST``: a consistent copy of the embedded state while the services run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from tqdm import tqdm

from pipeline.backends import sqlite_path
from pipeline.cli.context import FEED_STORE, Context
from pipeline.errors import InputError
from pipeline.upkeep.backup import ORDER, PAGES_PER_STEP, copy_sqlite


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="copy the SQLite index, bus and feed store (or snapshot Elasticsearch)",
                       description="Copy each SQLite file of this configuration (feed store, bus, index: in "
                                   "that order) into the folder DEST with SQLite's online backup, while the "
                                   "services keep running: each copy is the file as of one moment. A copy is "
                                   "written to NAME.tmp and renamed when complete, so an interrupted backup "
                                   "keeps the previous one and running it again replaces it. Elasticsearch: "
                                   "takes a snapshot when the server has path.repo set (into DEST when DEST "
                                   "lies under it, else into the first path.repo directory), otherwise "
                                   "prints the snapshot API steps. Kafka keeps its own replicas: not copied.")
    p.add_argument("dest", metavar="DEST", help="folder for the copies (created if missing)")
    p.add_argument("--pages", type=int, default=PAGES_PER_STEP, metavar="N",
                   help=f"SQLite pages copied per step (default {PAGES_PER_STEP})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    dest = Path(args.dest)
    if dest.exists() and not dest.is_dir():
        raise InputError(f"{dest} exists and is not a folder")
    if args.pages < 1:
        raise InputError(f"--pages must be at least 1, got {args.pages}")
    dest.mkdir(parents=True, exist_ok=True)
    for name, source in _sqlite_files(ctx):
        target = dest / source.name
        with tqdm(unit="page", desc=f"backup {name}", disable=args.quiet or None, file=sys.stderr) as bar:
            copied = copy_sqlite(source, target, args.pages, _progress(bar))
        print(f"{name}: {source} -> {target} ({copied} pages)")
    status = 0
    if urlsplit(ctx.settings.index_url).scheme in ("http", "https"):
        status = _snapshot(args, ctx, dest.resolve())
    if urlsplit(ctx.settings.bus_url).scheme == "kafka":
        print("bus: Kafka keeps its own replicas (replication_factor); not copied")
    return status


def _sqlite_files(ctx: Context) -> list[tuple[str, Path]]:
    """The configuration's SQLite files that exist, in :data:`ORDER`."""
    urls = {"bus": ctx.settings.bus_url, "index": ctx.settings.index_url}
    paths = {name: Path(sqlite_path(url)) for name, url in urls.items() if urlsplit(url).scheme == "sqlite"}
    paths["feeds"] = Path(ctx.settings.resolve(FEED_STORE))
    return [(name, paths[name]) for name in ORDER if name in paths and paths[name].is_file()]


def _progress(bar: tqdm[Any]) -> Callable[[int, int], None]:  # a callback factory
    def report(copied: int, total: int) -> None:
        bar.total = total
        bar.update(copied - bar.n)

    return report


@runtime_checkable
class _Snapshots(Protocol):
    """An index that takes its own snapshots (Elasticsearch)."""

    def snapshot_paths(self) -> list[str]: ...

    def snapshot_steps(self, url: str) -> str: ...

    def snapshot(self, location: str, name: str,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, Any]: ...


def _snapshot(args: argparse.Namespace, ctx: Context, dest: Path) -> int:
    index = ctx.index
    if not isinstance(index, _Snapshots):
        raise InputError(f"the index at {ctx.settings.index_url} takes no snapshots")
    allowed = index.snapshot_paths()
    if not allowed:
        print(index.snapshot_steps(ctx.settings.index_url), file=sys.stderr)
        print("index: not backed up (the Elasticsearch server has no path.repo)", file=sys.stderr)
        return 1
    inside = any(dest.is_relative_to(Path(p)) for p in allowed)
    location = str(dest if inside else Path(allowed[0]) / "pipeline")
    name = f"pipeline-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    with tqdm(unit="shard", desc="snapshot", disable=args.quiet or None, file=sys.stderr) as bar:
        info = index.snapshot(location, name, _progress(bar))
    print(f"index: snapshot {name} in repository pipeline-backup at {location} ({info.get('state')})")
    return 0
