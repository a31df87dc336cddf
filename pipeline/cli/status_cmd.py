"""``pipeline status``: backlog per topic and group, dead letters, index counts."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from pipeline.backends import index_exists
from pipeline.bus.base import CONSUMER_GROUPS, PIPELINE_TOPICS, THREADS_GROUP
from pipeline.cli.context import Context
from pipeline.errors import BackendUnavailable
from pipeline.poller.health import health_rows, summary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="backlog, dead letters, index counts",
                       description="Show each topic's records, each consumer group's committed offset and "
                                   "backlog (lag; articles.enriched has two groups, the indexer and the "
                                   "thread stage), dead-letter counts and index document counts.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def collect(ctx: Context) -> dict[str, Any]:
    """Everything ``status`` shows, as data."""
    report: dict[str, Any] = {"bus": ctx.settings.bus_url, "index": ctx.settings.index_url, "topics": []}
    for stats in ctx.bus.stats(PIPELINE_TOPICS):
        for group in _groups(ctx, stats.topic) or (None,):  # one row per group reading the partition
            report["topics"].append({
                "topic": stats.topic, "partition": stats.partition, "end_offset": stats.end_offset,
                "records": stats.records, "group": group,
                "committed": stats.committed.get(group, 0) if group else None,
                "lag": ctx.bus.lag(stats, group) if group else None,
            })
    try:
        report["index_exists"] = index_exists(ctx.settings)  # looking must not create an empty index
        report["index_counts"] = ctx.index.counts() if report["index_exists"] else {"articles": 0, "claims": 0}
        report["languages"] = ctx.index.language_counts() if report["index_exists"] else {}
    except BackendUnavailable as exc:
        report["index_counts"] = {"error": str(exc)}
    report["feeds"] = _feed_health(ctx)
    return report


def _groups(ctx: Context, topic: str) -> tuple[str, ...]:
    """The consumer groups that read ``topic`` in this configuration (no thread stage with threads off)."""
    return tuple(g for g in CONSUMER_GROUPS.get(topic, ()) if g != THREADS_GROUP or ctx.settings.index.threads)


def _feed_health(ctx: Context) -> dict[str, Any]:
    """Feed health in summary (no feed store yet and none configured: no feeds)."""
    return summary(health_rows(ctx.feeds, time.time()) if ctx.has_feeds() else [])


def run(args: argparse.Namespace, ctx: Context) -> int:
    report = collect(ctx)
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"bus:   {report['bus']}\nindex: {report['index']}\n")
    print(f"{'topic':<24}{'part':>5}{'records':>10}{'group':>10}{'committed':>11}{'lag':>8}")
    for t in report["topics"]:
        print(f"{t['topic']:<24}{t['partition']:>5}{t['records']:>10}{t['group'] or '-':>10}"
              f"{'-' if t['committed'] is None else t['committed']:>11}{'-' if t['lag'] is None else t['lag']:>8}")
    counts = report["index_counts"]
    none_yet = "" if report.get("index_exists", True) else "  (no index yet: the indexer creates it)"
    print("\nindex: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + none_yet)
    if report.get("languages"):
        print("articles by language: " + ", ".join(f"{k} {v}" for k, v in report["languages"].items()))
    dead = sum(t["records"] for t in report["topics"] if t["topic"].endswith(".dlq"))
    print(f"dead letters: {dead}" + ("  (see: pipeline dlq list)" if dead else ""))
    _print_feeds(report.get("feeds"))
    return 0


def _print_feeds(feeds: dict[str, Any] | None) -> None:
    """Feed health, one line per feed (``pipeline feeds list`` has the full table)."""
    if not feeds:
        return
    states = ", ".join(f"{n} {s}" for s, n in sorted(feeds["by_status"].items()))
    print(f"\nfeeds: {feeds['count']}" + (f" ({states})" if states else ""))
    for f in feeds["feeds"]:
        error = f"; last error: {f['last_error_reason']}" if f["consecutive_failures"] else ""
        print(f"  {f['id']:>4} {f['status']:<8} {f['name'][:40]:<40} "
              f"last success {f['last_success'] or 'never'}, "
              f"{f['consecutive_failures']} failure(s), next poll {f['next_poll']}, "
              f"{f['items_per_day']}/day{error}")
