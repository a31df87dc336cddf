"""A durable log in SQLite with Kafka's semantics, for one machine.

Records get a global, strictly increasing offset (SQLite serialises writers,
so offset order is commit order). A topic has a fixed number of partitions;
a key always maps to the same partition. Consumer groups share partitions
through leases held by live members: a member's lease ends when it closes,
when its process is gone (same machine, so the pid is checked), or when it
has not polled for ``lease_s``. Several processes may use one file (WAL).
"""

from __future__ import annotations

import json
import math
import os
import socket
import sqlite3
import time
import uuid
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.bus.base import Message, TopicStats
from pipeline.sqlitedb import Transaction, connect

_TP = tuple[str, int]  # a topic and one of its partitions

SCHEMA = """
CREATE TABLE IF NOT EXISTS topics(name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records(
    offset INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, partition INTEGER NOT NULL,
    key TEXT, value BLOB NOT NULL, headers TEXT NOT NULL, ts INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS records_by_partition ON records(topic, partition, offset);
CREATE TABLE IF NOT EXISTS offsets(
    grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY(grp, topic, partition));
CREATE TABLE IF NOT EXISTS members(grp TEXT NOT NULL, owner TEXT NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY(grp, owner));
CREATE TABLE IF NOT EXISTS leases(
    grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, owner TEXT NOT NULL,
    PRIMARY KEY(grp, topic, partition));
"""


def partition_for(key: str | None, partitions: int) -> int:
    """Stable key → partition mapping (keyless records go to partition 0)."""
    if key is None or partitions <= 1:
        return 0
    return zlib.crc32(key.encode("utf-8")) % partitions


class SqliteBus:
    """The embedded bus. ``path`` is the database file; created on first use."""

    def __init__(self, path: str | Path, partitions: int = 1, lease_s: float = 15.0) -> None:
        self.path = Path(path)
        self.partitions = partitions
        self.lease_s = lease_s
        self._conn = connect(self.path)
        self._conn.executescript(SCHEMA)

    def producer(self) -> SqliteProducer:
        return SqliteProducer(self)

    def consumer(self, group: str, topics: Sequence[str]) -> SqliteConsumer:
        self.ensure_topics(topics)
        return SqliteConsumer(self, group, list(topics))

    def ensure_topics(self, topics: Sequence[str]) -> None:
        with Transaction(self._conn) as c:
            c.executemany("INSERT OR IGNORE INTO topics(name, partitions) VALUES (?, ?)",
                          [(t, self.partitions) for t in topics])

    def partitions_of(self, topic: str) -> int:
        row = self._conn.execute("SELECT partitions FROM topics WHERE name=?", (topic,)).fetchone()
        if row is None:
            self.ensure_topics([topic])
            return self.partitions
        return int(row[0])

    def stats(self, topics: Sequence[str]) -> list[TopicStats]:
        out = []
        for topic in topics:
            for part in range(self.partitions_of(topic)):
                end, count = self._conn.execute(
                    "SELECT COALESCE(MAX(offset), 0) + 1, COUNT(*) FROM records WHERE topic=? AND partition=?",
                    (topic, part)).fetchone()
                committed = dict(self._conn.execute(
                    "SELECT grp, next_offset FROM offsets WHERE topic=? AND partition=?", (topic, part)))
                out.append(TopicStats(topic, part, end, count, committed))
        return out

    def lag(self, stats: TopicStats, group: str) -> int:
        """Records of the partition at or after the group's committed offset."""
        start = stats.committed.get(group, 0)
        row = self._conn.execute("SELECT COUNT(*) FROM records WHERE topic=? AND partition=? AND offset>=?",
                                 (stats.topic, stats.partition, start)).fetchone()
        return int(row[0])

    def committed(self, group: str, topic: str) -> dict[int, int]:
        rows = self._conn.execute("SELECT partition, next_offset FROM offsets WHERE grp=? AND topic=?", (group, topic))
        return {int(p): int(o) for p, o in rows}

    def read(self, topic: str, limit: int = 100) -> list[Message]:
        rows = self._conn.execute(
            "SELECT topic, partition, offset, key, value, headers, ts FROM records WHERE topic=? "
            "ORDER BY offset LIMIT ?", (topic, limit)).fetchall()
        return [_message(r) for r in rows]

    # --- retention (bus.base.Retention) ------------------------------------------------

    def count_before(self, topics: Sequence[str], before_ms: int) -> int:
        return sum(self._conn.execute("SELECT COUNT(*) FROM records WHERE topic=? AND ts<?",
                                      (topic, before_ms)).fetchone()[0] for topic in topics)

    def prune_before(self, topics: Sequence[str], before_ms: int, limit: int) -> int:
        """Offsets are never reused (AUTOINCREMENT), so a committed offset stays meaningful afterwards."""
        deleted = 0
        with Transaction(self._conn) as c:
            for topic in topics:  # oldest offsets first: what a re-run finds next is older still
                deleted += c.execute(
                    "DELETE FROM records WHERE offset IN (SELECT offset FROM records WHERE topic=? AND ts<? "
                    "ORDER BY offset LIMIT ?)", (topic, before_ms, limit - deleted)).rowcount
        return deleted

    def close(self) -> None:
        self._conn.close()


def _message(row: tuple[Any, ...]) -> Message:  # a records row, as SQLite returns it
    topic, part, offset, key, value, headers, ts = row
    return Message(topic, part, offset, key, bytes(value), json.loads(headers), ts)


class SqliteProducer:
    """Buffers records; ``flush`` writes them in one transaction (then they are durable)."""

    def __init__(self, bus: SqliteBus) -> None:
        self.bus = bus
        self._conn = connect(bus.path)
        self._pending: list[tuple[str, int, str | None, bytes, str, int]] = []
        self._partitions: dict[str, int] = {}

    def publish(self, topic: str, key: str | None, value: bytes, headers: Mapping[str, str] | None = None) -> None:
        if topic not in self._partitions:
            self._partitions[topic] = self.bus.partitions_of(topic)
        part = partition_for(key, self._partitions[topic])
        now_ms = int(time.time() * 1000)
        self._pending.append((topic, part, key, value, json.dumps(dict(headers or {})), now_ms))

    def flush(self, timeout_s: float | None = None) -> None:
        if not self._pending:
            return
        with Transaction(self._conn) as c:  # an outage raises BackendUnavailable; nothing is lost
            c.executemany("INSERT INTO records(topic, partition, key, value, headers, ts) "
                          "VALUES (?, ?, ?, ?, ?, ?)", self._pending)
        self._pending.clear()

    def close(self) -> None:
        if self._conn is not None:
            self.flush()
            self._conn.close()
            # Closed for good (close runs once): Optional would need a check at every other use.
            self._conn = None  # type: ignore[assignment]


class SqliteConsumer:
    """One member of a consumer group; see the module docstring for the lease rules."""

    def __init__(self, bus: SqliteBus, group: str, topics: list[str]) -> None:
        self.bus, self.group, self.topics = bus, group, topics
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._conn = connect(bus.path)
        self._positions: dict[tuple[str, int], int] = {}  # owned partition -> next offset to read
        self._next_rebalance = 0.0

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        deadline = time.monotonic() + timeout_s
        while True:
            if time.monotonic() >= self._next_rebalance:
                self._rebalance()
                # Renew well within the lease; each renewal takes the write lock.
                self._next_rebalance = time.monotonic() + min(1.0, self.bus.lease_s / 3)
            batch = self._fetch(max_records)
            if batch or time.monotonic() >= deadline:
                return batch
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def commit(self, messages: Sequence[Message]) -> None:
        highest: dict[tuple[str, int], int] = {}
        for m in messages:
            tp = (m.topic, m.partition)
            highest[tp] = max(highest.get(tp, -1), m.offset)
        with Transaction(self._conn) as c:
            c.executemany(
                "INSERT INTO offsets(grp, topic, partition, next_offset) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(grp, topic, partition) DO UPDATE SET next_offset=MAX(next_offset, excluded.next_offset)",
                [(self.group, t, p, off + 1) for (t, p), off in highest.items()])

    def close(self) -> None:
        if self._conn is None:
            return
        with Transaction(self._conn) as c:
            c.execute("DELETE FROM leases WHERE grp=? AND owner=?", (self.group, self.owner))
            c.execute("DELETE FROM members WHERE grp=? AND owner=?", (self.group, self.owner))
        self._conn.close()
        # Closed for good (close runs once): Optional would need a check at every other use.
        self._conn = None  # type: ignore[assignment]

    # --- group membership ------------------------------------------------------

    def _rebalance(self) -> None:
        """Renew membership, drop dead members, then take or give back partitions."""
        now = time.time()
        with Transaction(self._conn) as c:
            c.execute("INSERT OR REPLACE INTO members(grp, owner, expires) VALUES (?, ?, ?)",
                      (self.group, self.owner, now + self.bus.lease_s))
            self._evict_dead(c, now)
            members = c.execute("SELECT COUNT(*) FROM members WHERE grp=?", (self.group,)).fetchone()[0]
            wanted = self._all_partitions(c)
            share = math.ceil(len(wanted) / max(1, members))
            owned = {(t, p) for t, p in c.execute(
                "SELECT topic, partition FROM leases WHERE grp=? AND owner=?", (self.group, self.owner))}
            owned = self._give_back(c, owned, share)
            self._take(c, owned, wanted, share)
            owned = {(t, p) for t, p in c.execute(
                "SELECT topic, partition FROM leases WHERE grp=? AND owner=?", (self.group, self.owner))}
            self._sync_positions(c, owned)

    def _evict_dead(self, c: sqlite3.Connection, now: float) -> None:
        for (owner,) in c.execute("SELECT owner FROM members WHERE grp=?", (self.group,)).fetchall():
            expired = c.execute("SELECT expires < ? FROM members WHERE grp=? AND owner=?",
                                (now, self.group, owner)).fetchone()[0]
            if expired or not _process_alive(owner):
                c.execute("DELETE FROM members WHERE grp=? AND owner=?", (self.group, owner))
                c.execute("DELETE FROM leases WHERE grp=? AND owner=?", (self.group, owner))

    def _all_partitions(self, c: sqlite3.Connection) -> list[tuple[str, int]]:
        parts: list[tuple[str, int]] = []
        for topic in self.topics:
            row = c.execute("SELECT partitions FROM topics WHERE name=?", (topic,)).fetchone()
            parts.extend((topic, p) for p in range(int(row[0]) if row else self.bus.partitions))
        return parts

    def _give_back(self, c: sqlite3.Connection, owned: set[_TP], share: int) -> set[_TP]:
        """Release partitions over our share, but only those with nothing in flight."""
        for tp in sorted(owned, reverse=True):
            if len(owned) <= share:
                break
            if self._positions.get(tp) == self._committed(c, tp):
                c.execute("DELETE FROM leases WHERE grp=? AND topic=? AND partition=?", (self.group, *tp))
                owned = owned - {tp}
        return owned

    def _take(self, c: sqlite3.Connection, owned: set[_TP], wanted: list[_TP], share: int) -> None:
        for topic, part in wanted:
            if len(owned) >= share:
                return
            cur = c.execute("INSERT OR IGNORE INTO leases(grp, topic, partition, owner) VALUES (?, ?, ?, ?)",
                            (self.group, topic, part, self.owner))
            if cur.rowcount:
                owned.add((topic, part))

    def _sync_positions(self, c: sqlite3.Connection, owned: set[_TP]) -> None:
        for tp in list(self._positions):
            if tp not in owned:
                del self._positions[tp]
        for tp in owned:
            if tp not in self._positions:
                self._positions[tp] = self._committed(c, tp)

    def _committed(self, c: sqlite3.Connection, tp: tuple[str, int]) -> int:
        row = c.execute("SELECT next_offset FROM offsets WHERE grp=? AND topic=? AND partition=?",
                        (self.group, *tp)).fetchone()
        return int(row[0]) if row else 0

    def _fetch(self, max_records: int) -> list[Message]:
        batch: list[Message] = []
        for (topic, part), start in sorted(self._positions.items()):
            rows = self._conn.execute(
                "SELECT topic, partition, offset, key, value, headers, ts FROM records "
                "WHERE topic=? AND partition=? AND offset>=? ORDER BY offset LIMIT ?",
                (topic, part, start, max_records - len(batch))).fetchall()
            if rows:
                batch.extend(_message(r) for r in rows)
                self._positions[(topic, part)] = rows[-1][2] + 1
            if len(batch) >= max_records:
                break
        return batch


def _process_alive(owner: str) -> bool:
    """False only when the owner ran on this host and its process is gone."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
