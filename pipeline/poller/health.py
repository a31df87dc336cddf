"""Feed health for people: one row per feed, as data (``--json``) or as a table.

Each row also counts the fetches the outbound policy refused (an entry linking
to a private address, a redirect inside the network) and names the last one.

A feed is ``ok`` after a success, ``partial`` after a success that left entries
for later polls (a document larger than ``max_entries_per_poll`` new entries:
the row says how many wait), ``new`` before its first poll, ``error`` after
one or two failures in a row and ``failing`` from three on. Failing feeds stay
in the list and keep being polled (with backoff); nothing is dropped silently:
entries that could not be read are counted and the last one named.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pipeline.config import FeedSettings
from pipeline.poller.store import FeedState, FeedStore

FAILING_AFTER = 3
RATE_WINDOW_S = 7 * 86_400.0  # items per day over the last week (or since the feed was added)


def status_of(feed: FeedState) -> str:
    if feed.failures >= FAILING_AFTER:
        return "failing"
    if feed.failures:
        return "error"
    if not feed.last_success:
        return "new"
    return "partial" if feed.pending else "ok"


def iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def health_rows(store: FeedStore, now: float) -> list[dict[str, Any]]:
    """Per feed: status, last success, last error and reason, failures in a row, next poll, items/day."""
    since = now - RATE_WINDOW_S
    counts = store.items_since(since)
    rows = []
    for feed in store.feeds():
        days = max(1.0, (now - max(since, feed.added)) / 86_400.0)
        rows.append({
            "id": feed.id, "name": feed.label, "url": feed.url, "status": status_of(feed),
            "last_success": iso(feed.last_success), "last_error": iso(feed.last_error_at),
            "last_error_reason": feed.last_error, "consecutive_failures": feed.failures,
            "last_status": feed.last_status, "next_poll": iso(feed.next_poll),
            "items_per_day": round(counts.get(feed.id, 0) / days, 2), "published_total": feed.published,
            "origin": feed.origin, "refused_fetches": feed.refused, "last_refused_reason": feed.last_refused,
            "pending_entries": feed.pending, "skipped_entries": feed.skipped,
            "last_skipped_reason": feed.last_skipped,
        })
    return rows


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``feeds`` section of ``pipeline status``."""
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    return {"count": len(rows), "by_status": by_status, "feeds": list(rows)}


def table(rows: Sequence[dict[str, Any]]) -> str:
    """A fixed-width table; the error reason is cut to keep each feed on one line."""
    if not rows:
        return "no feeds (add one with `pipeline feeds add URL`)"
    head = f"{'id':>4}  {'name':<28}{'status':<9}{'last success':<22}{'fails':>5}  {'next poll':<22}" \
           f"{'items/day':>9}  last error"
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['id']:>4}  {_cut(r['name'], 27):<28}{r['status']:<9}{_when(r['last_success']):<22}"
            f"{r['consecutive_failures']:>5}  {_when(r['next_poll']):<22}{r['items_per_day']:>9}  "
            f"{_cut(_last_problem(r), 60)}")
    return "\n".join(lines)


def _last_problem(row: dict[str, Any]) -> str:
    """The failure reason while failing, else the entries still waiting, else the last entry skipped,
    else the last destination the outbound policy refused."""
    if row["consecutive_failures"]:
        return row["last_error_reason"] or "-"
    if row["pending_entries"]:
        return f"{row['pending_entries']:,} entries wait for the next polls (per-poll limit)"
    if row["last_skipped_reason"]:
        return f"{row['skipped_entries']:,} entries skipped, last: {row['last_skipped_reason']}"
    return row["last_refused_reason"] or "-"


def _when(value: str | None) -> str:
    return (value or "never").replace("T", " ").replace("+00:00", "Z")


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def merge_config_feeds(store: FeedStore, feeds: Sequence[FeedSettings], now: float) -> int:
    """Add the configuration's ``[[feeds]]`` to the store (existing ones keep their state); count the new."""
    return sum(store.add(f.url, f.name, origin="config", now=now)[1] for f in feeds)
