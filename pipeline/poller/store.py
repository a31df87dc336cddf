"""Feed state in SQLite (``{data_dir}/feeds.db``), whatever bus is configured.

Per feed: URL, name, the host the operator named (trusted by the outbound
policy even when private; it stays the same when the feed moves), validators
(ETag, Last-Modified, body hash), schedule, failures and the last error,
destinations the outbound policy refused, entries still waiting (a document larger
than one poll takes) and entries skipped (each with its own error); plus the entries already published (GUID per
feed, canonical URL, content hash). Survives restarts. Writes come from one
thread (the poller's loop); ``seen`` may be called from any thread (each
thread reads through its own connection; WAL lets readers run beside the writer).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pipeline.poller.hosts import host_key
from pipeline.sqlitedb import Transaction, connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds(
    id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT 'cli', added REAL NOT NULL, title TEXT NOT NULL DEFAULT '',
    etag TEXT, last_modified TEXT, body_hash TEXT,
    interval_s REAL, next_poll REAL NOT NULL DEFAULT 0, retry_until REAL NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0, last_polled REAL, last_status INTEGER,
    last_success REAL, last_error_at REAL, last_error TEXT, published INTEGER NOT NULL DEFAULT 0,
    named_host TEXT NOT NULL DEFAULT '', refused INTEGER NOT NULL DEFAULT 0, last_refused TEXT,
    pending INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, last_skipped TEXT);
CREATE INDEX IF NOT EXISTS feeds_by_next_poll ON feeds(next_poll);
CREATE TABLE IF NOT EXISTS seen(
    kind TEXT NOT NULL, key TEXT NOT NULL, feed_id INTEGER NOT NULL, first_seen REAL NOT NULL,
    PRIMARY KEY(kind, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_by_feed ON seen(feed_id, first_seen);
"""
# Columns added after the first release: a store created before them gains them on open.
ADDED_COLUMNS = {"named_host": "TEXT NOT NULL DEFAULT ''", "refused": "INTEGER NOT NULL DEFAULT 0",
                 "last_refused": "TEXT", "pending": "INTEGER NOT NULL DEFAULT 0",
                 "skipped": "INTEGER NOT NULL DEFAULT 0", "last_skipped": "TEXT"}


@dataclass(frozen=True, slots=True)
class FeedState:
    """One row of ``feeds``; times are epoch seconds."""

    id: int
    url: str
    name: str
    origin: str
    added: float
    title: str = ""
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    interval_s: float | None = None
    next_poll: float = 0.0
    retry_until: float = 0.0
    failures: int = 0
    last_polled: float | None = None
    last_status: int | None = None
    last_success: float | None = None
    last_error_at: float | None = None
    last_error: str | None = None
    published: int = 0
    named_host: str = ""  # the host of the URL the operator added ('' in stores older than the column)
    refused: int = 0  # fetches of this feed's entries or redirects refused by the outbound policy
    last_refused: str | None = None
    pending: int = 0  # entries of the last document not yet taken (the per-poll limit); later polls take them
    skipped: int = 0  # entries that could not be turned into articles (each its own error), in all
    last_skipped: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.title or self.url

    @property
    def trusted_host(self) -> str:
        """The host the operator chose for this feed: fetched even when it is a private address."""
        return self.named_host or host_key(self.url)


COLUMNS = tuple(f.name for f in fields(FeedState))
UPDATABLE = frozenset(COLUMNS) - {"id", "added", "origin", "named_host"}


class FeedStore:
    """The poller's durable state; see the module docstring."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._conn.executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        present = {row[1] for row in self._conn.execute("PRAGMA table_info(feeds)")}
        for name, declaration in ADDED_COLUMNS.items():
            if name not in present:
                try:
                    self._conn.execute(f"ALTER TABLE feeds ADD COLUMN {name} {declaration}")
                except sqlite3.OperationalError as exc:  # another process added it first
                    if "duplicate column" not in str(exc):
                        raise

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
            with self._guard:
                self._all.append(conn)
        return conn

    # --- feeds -------------------------------------------------------------

    def add(self, url: str, name: str = "", origin: str = "cli", now: float = 0.0) -> tuple[FeedState, bool]:
        """Add a feed (due at once); an existing URL keeps its state. Returns (feed, created)."""
        existing = self.get(url)
        if existing is not None:
            if name and name != existing.name:
                self.update(existing.id, {"name": name})
                existing = self._written(url)
            return existing, False
        self._conn.execute("INSERT INTO feeds(url, name, origin, added, next_poll, named_host) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (url, name, origin, now, now, host_key(url)))
        return self._written(url), True

    def _written(self, url: str) -> FeedState:
        """The feed just written at ``url`` (gone only if another process removed it in between)."""
        feed = self.get(url)
        if feed is None:
            raise LookupError(f"feed {url} was removed while being added")
        return feed

    def get(self, key: str | int) -> FeedState | None:
        """A feed by id (int, or a string of digits) or by URL."""
        column = "id" if isinstance(key, int) or str(key).isdigit() else "url"
        sql = f"SELECT {', '.join(COLUMNS)} FROM feeds WHERE {column}=?"
        row = self._conn.execute(sql, (key,)).fetchone()
        return None if row is None else FeedState(*row)

    def by_ids(self, ids: Sequence[int]) -> dict[int, FeedState]:
        """The feeds still present among ``ids`` (at most a few hundred per call), by id."""
        marks = ", ".join("?" * len(ids))
        return {f.id: f for f in self._select(f"WHERE id IN ({marks})", ids)} if ids else {}

    def remove(self, key: str | int) -> FeedState | None:
        """Remove a feed and its per-feed GUIDs; URLs and hashes stay seen (no republishing on re-add)."""
        feed = self.get(key)
        if feed is not None:
            with self._txn() as c:
                c.execute("DELETE FROM feeds WHERE id=?", (feed.id,))
                c.execute("DELETE FROM seen WHERE kind='guid' AND feed_id=?", (feed.id,))
        return feed

    def feeds(self) -> list[FeedState]:
        return self._select("ORDER BY id")

    def count(self, due_at: float | None = None) -> int:
        """How many feeds (due at ``due_at``, when given), without reading their rows."""
        where, args = ("", ()) if due_at is None else ("WHERE next_poll <= ?", (due_at,))
        return int(self._conn.execute(f"SELECT COUNT(*) FROM feeds {where}", args).fetchone()[0])

    def due(self, now: float, ignore_schedule: bool = False, *, limit: int | None = None,
            after: tuple[float, int] | None = None) -> list[FeedState]:
        """Feeds whose next poll has come (all feeds with ``ignore_schedule``), soonest first (ties by id).

        With ``limit``: at most that many, and with ``after`` only those past that ``(next_poll, id)``
        position, so successive pages list every due feed once, each page read through the index.
        """
        where, args = ["next_poll <= ?"] if not ignore_schedule else [], [now] if not ignore_schedule else []
        if after is not None:
            where.append("(next_poll, id) > (?, ?)")
            args.extend(after)
        tail = f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY next_poll, id"
        return self._select(tail if limit is None else f"{tail} LIMIT {int(limit)}", args)

    def iter_due(self, now: float, ignore_schedule: bool = False, page: int = 256) -> Iterator[FeedState]:
        """Every feed :meth:`due` lists, in its order, read ``page`` rows at a time (never all at once).

        A feed whose ``next_poll`` changes meanwhile is listed where the page reading it finds it.
        """
        after: tuple[float, int] | None = None
        while True:
            rows = self.due(now, ignore_schedule, limit=page, after=after)
            yield from rows
            if len(rows) < page:
                return
            after = (rows[-1].next_poll, rows[-1].id)

    def due_ids(self, now: float, ignore_schedule: bool = False) -> list[int]:
        """The ids of the feeds :meth:`due` lists, in its order (a few bytes per feed, not its row)."""
        where, args = ("", ()) if ignore_schedule else ("WHERE next_poll <= ?", (now,))
        return [int(r[0]) for r in self._conn.execute(f"SELECT id FROM feeds {where} ORDER BY next_poll, id",
                                                      args)]

    def paused(self, now: float) -> list[FeedState]:
        """Feeds a server asked to wait past ``now`` (Retry-After): usually none, never every row."""
        return self._select("WHERE retry_until > ? ORDER BY id", (now,))

    def update(self, feed_id: int, changes: Mapping[str, Any]) -> None:
        self.apply([(feed_id, changes)], [])

    def apply(self, updates: Sequence[tuple[int, Mapping[str, Any]]],
              seen: Iterable[tuple[str, str, int, float]]) -> None:
        """Feed updates and newly seen entries ``(kind, key, feed_id, when)`` in one transaction."""
        with self._txn() as c:
            for feed_id, changes in updates:
                bad = set(changes) - UPDATABLE
                if bad:
                    raise ValueError(f"not updatable: {sorted(bad)}")
                if changes:
                    sets = ", ".join(f"{k}=?" for k in changes)
                    c.execute(f"UPDATE feeds SET {sets} WHERE id=?", (*changes.values(), feed_id))
            c.executemany("INSERT OR IGNORE INTO seen(kind, key, feed_id, first_seen) VALUES (?, ?, ?, ?)",
                          list(seen))

    # --- entries -----------------------------------------------------------

    def seen(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the (kind, key) pairs are already recorded. Safe from any thread."""
        keys = list(keys)
        found: set[tuple[str, str]] = set()
        for start in range(0, len(keys), 400):
            chunk = keys[start:start + 400]
            where = " OR ".join(["(kind=? AND key=?)"] * len(chunk))
            args = [v for pair in chunk for v in pair]
            found.update(self._conn.execute(f"SELECT kind, key FROM seen WHERE {where}", args).fetchall())
        return found

    def items_since(self, since: float) -> dict[int, int]:
        """Entries first seen after ``since``, per feed (counted once, by canonical URL)."""
        rows = self._conn.execute("SELECT feed_id, COUNT(*) FROM seen WHERE kind='url' AND first_seen>=? "
                                  "GROUP BY feed_id", (since,))
        return {int(f): int(n) for f, n in rows}

    # --- plumbing ----------------------------------------------------------

    def _select(self, tail: str, args: Sequence[Any] = ()) -> list[FeedState]:
        rows = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feeds {tail}", args).fetchall()
        return [FeedState(*r) for r in rows]

    def _txn(self) -> Transaction:
        return Transaction(self._conn)

    def close(self) -> None:
        with self._guard:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
