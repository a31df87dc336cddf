"""What one poll takes from a parsed feed: its unseen entries as articles, a bounded number at a time.

Every entry is a record boundary: one that fails to build is skipped with its reason, the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pipeline.poller.entries import EntryArticle, FeedRef, build
from pipeline.poller.parse import FeedEntry

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Fresh:
    """What one poll takes from a feed: new entries as articles, entries left for later, entries skipped."""

    candidates: list[EntryArticle] = field(default_factory=list)
    pending: int = 0  # entries not looked at this time (a later poll takes them)
    skipped: list[str] = field(default_factory=list)  # entries that failed, each with why


def fresh_entries(entries: Sequence[FeedEntry], ref: FeedRef, fetched: datetime, max_entries: int,
                  seen: Callable[[Iterable[tuple[str, str]]], set[tuple[str, str]]]) -> Fresh:
    """At most ``max_entries`` unseen entries (``seen``: which dedupe keys the feed store knows) as articles, and how many were not looked at.

    Entries are read in slices of that size, so a runaway feed costs one slice of work beyond
    what it yields, and the entries seen on earlier polls never crowd out the ones still waiting.
    """
    limit = max(1, max_entries)
    fresh = Fresh()
    local: set[tuple[str, str]] = set()
    for start in range(0, len(entries), limit):
        built = [c for e in entries[start:start + limit] if (c := _build(e, ref, fetched, fresh))]
        fresh.candidates.extend(_unseen(built, local, seen))
        if len(fresh.candidates) >= limit:
            fresh.pending = len(fresh.candidates) - limit + max(0, len(entries) - start - limit)
            del fresh.candidates[limit:]
            break
    return fresh

def _build(entry: FeedEntry, ref: FeedRef, fetched: datetime, fresh: Fresh) -> EntryArticle | None:
    try:
        return build(entry, ref, fetched)
    except Exception as exc:  # noqa: BLE001 - a record boundary: one entry's error, the others go on
        log.warning("feed %s: entry %s skipped: %s", ref.url, entry.guid or entry.link, exc)
        fresh.skipped.append(f"entry {(entry.guid or entry.link)[:200]!r}: {type(exc).__name__}: {exc}")
        return None

def _unseen(candidates: list[EntryArticle], local: set[tuple[str, str]],
            seen: Callable[[Iterable[tuple[str, str]]], set[tuple[str, str]]]) -> list[EntryArticle]:
    known = seen(k for c in candidates for k in c.dedupe_keys())
    fresh = []
    for c in candidates:
        keys = c.dedupe_keys()
        if not known.intersection(keys) and not local.intersection(keys):
            fresh.append(c)
            local.update(keys)
    return fresh
