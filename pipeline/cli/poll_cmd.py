"""``pipeline poll [--once] [--force]``: the feed poller as a service, or one pass for cron and tests."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from tqdm import tqdm

from pipeline.bus.base import RAW
from pipeline.cli.context import Context
from pipeline.poller.outcome import PollOutcome
from pipeline.poller.report import PollReport
from pipeline.poller.service import Poller
from pipeline.runtime.hardstop import killed_if_stuck
from pipeline.runtime.loop import serve
from pipeline.runtime.reports import to_stderr


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("poll", help="poll the feeds and publish new entries as articles",
                       description="Poll every feed on its own schedule (conditional GETs, backoff on "
                                   "errors, per-host limits) and publish new entries on articles.raw. Runs "
                                   "until SIGTERM/SIGINT; --once polls every due feed once and exits.")
    p.add_argument("--once", action="store_true", help="poll every due feed once, then exit (for cron)")
    p.add_argument("--force", action="store_true",
                   help="with --once: poll every feed now, whatever its schedule (still conditional GETs, "
                        "still the per-host limits and a server's Retry-After); implies --once")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--metrics-port", type=int, default=None,
                   help="serve /metrics (Prometheus) and /health on this port (0: off; default from config)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    store = ctx.feeds
    ctx.bus.ensure_topics([RAW])
    producer = ctx.closing(ctx.bus.producer())
    bar = None
    if args.once or args.force:
        total = store.count(None if args.force else time.time())  # counted, not loaded
        bar = tqdm(total=total, unit="feed", desc="poll", disable=args.quiet or None, file=sys.stderr)
    sensor = ctx.sensor(args.metrics_port)
    poller = ctx.closing(Poller(store, producer, ctx.settings.poller, sensor=sensor, on_polled=_progress(bar)))
    if bar is None:
        print(f"poll: following {store.count()} feed(s); stop with Ctrl-C", file=sys.stderr)
        # A pass stuck where the stop flag cannot reach (a parse holding the GIL): the watchdog ends it.
        with killed_if_stuck(ctx.stop, ctx.settings.worker.stop_grace_s):
            serve([poller], ctx.stop, ctx.settings.worker.poll_timeout_s, reporters=[PollReport(poller, to_stderr)])
        return 0
    stats = poller.poll_once(force=args.force, stop=ctx.stop.is_set)
    bar.close()
    print(f"poll: {stats.line()}")
    return 1 if stats.polled and stats.failed == stats.polled else 0


def _progress(bar: tqdm[Any] | None) -> Callable[[PollOutcome], None]:  # a callback factory
    def polled(outcome: PollOutcome) -> None:
        if bar is not None:
            bar.update(1)  # errors are logged (WARNING) by the poller itself
    return polled
