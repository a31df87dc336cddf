"""Pruning the embedded index: old articles, their claims and thread links, in committed batches.

Each batch is one write transaction (readers see the index before or after
it, never half a batch); caches notice it through ``meta.writes``. Space:
deleted rows leave free pages that later writes reuse, and FTS5 delete
markers that only a segment merge drops; :func:`compact` does both (see there).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from pipeline.index.base import ThreadLink
from pipeline.index.retention import PruneCounts, PrunePlan, chunks, repair_threads
from pipeline.index.sqlite import copies, threads
from pipeline.sqlitedb import Transaction

_CHUNK = 500  # values per IN (...) list, well under SQLite's variable limit
# Undated articles aged by their fetch time (kept in the record, not a column: they are few).
_UNDATED_OLD = "published IS NULL AND json_extract(doc, '$.fetched') < ?"


def plan(conn: sqlite3.Connection, before: date) -> PrunePlan:
    """Counts of what :func:`prune_batch` calls would remove, from one read snapshot."""
    day = before.isoformat()
    conn.execute("BEGIN")  # a read snapshot: every count from the same state, no write lock
    try:
        old = f"SELECT id FROM articles WHERE published < ? UNION ALL SELECT id FROM articles WHERE {_UNDATED_OLD}"
        articles = conn.execute(f"SELECT COUNT(*) FROM ({old})", (day, day)).fetchone()[0]
        claims = conn.execute(f"SELECT COUNT(*) FROM claims WHERE article_id IN ({old})", (day, day)).fetchone()[0]
        links = conn.execute("SELECT COUNT(*) FROM threads WHERE claim_id IN (SELECT id FROM claims WHERE article_id IN"
                          f" ({old}))", (day, day)).fetchone()[0]
        kept = conn.execute("SELECT COUNT(*) FROM articles WHERE published IS NULL AND"
                         " coalesce(json_extract(doc, '$.fetched') >= ?, 1)", (day,)).fetchone()[0]
    finally:
        conn.execute("COMMIT")
    return PrunePlan(PruneCounts(articles, claims, links), undated_kept=kept)


def prune_batch(conn: sqlite3.Connection, before: date, limit: int) -> PruneCounts:
    """Remove up to ``limit`` of the oldest articles older than ``before``, their claims and links; one commit."""
    day = before.isoformat()
    with Transaction(conn) as c:
        rows = c.execute("SELECT rid, id FROM articles WHERE published < ? ORDER BY published LIMIT ?",
                         (day, limit)).fetchall()
        if len(rows) < limit:
            rows += c.execute(f"SELECT rid, id FROM articles WHERE {_UNDATED_OLD} LIMIT ?",
                              (day, limit - len(rows))).fetchall()
        if not rows:
            return PruneCounts()
        claims = _select_in(c, "SELECT rid, id FROM claims WHERE article_id", [r[1] for r in rows])
        links, relinked = _unlink(c, {cid for _, cid in claims})
        _delete_in(c, ("DELETE FROM claims_fts WHERE rowid", "DELETE FROM claim_entities WHERE claim_rid",
                       "DELETE FROM claim_docs WHERE rid", "DELETE FROM claims WHERE rid"), [r for r, _ in claims])
        _delete_in(c, ("DELETE FROM articles_fts WHERE rowid", "DELETE FROM articles WHERE rid"), [r for r, _ in rows])
        copies.forget_rows(c, [r for r, _ in claims], [r for r, _ in rows])
        copies.forget_articles(c, [aid for _, aid in rows])
        c.execute("UPDATE meta SET writes = writes + 1")
    return PruneCounts(len(rows), len(claims), links, relinked)


def _unlink(c: sqlite3.Connection, removed: set[str]) -> tuple[int, int]:
    """Delete the links of ``removed`` claims and repair their threads: (links deleted, links rewritten)."""
    found = threads.links_of(c, sorted(removed))
    if not found:
        return 0, 0
    members = threads.members(c, sorted({lk.thread_id for lk in found.values()}))
    _, rewrite = repair_threads([*members, *found.values()], removed)
    _delete_in(c, ("DELETE FROM threads WHERE claim_id",), sorted(found))
    _write_links(c, rewrite)
    return len(found), len(rewrite)


def _write_links(c: sqlite3.Connection, links: Sequence[ThreadLink]) -> None:
    c.executemany("INSERT OR REPLACE INTO threads(claim_id, article_id, thread_id, stance, denies, source, speaker)"
                  " VALUES (?,?,?,?,?,?,?)",
                  [(lk.claim_id, lk.article_id, lk.thread_id, lk.stance, json.dumps(list(lk.denies)), lk.source,
                    lk.speaker) for lk in links])


def _select_in(c: sqlite3.Connection, sql: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for chunk in chunks(values, _CHUNK):
        rows += c.execute(f"{sql} IN ({','.join('?' * len(chunk))})", list(chunk)).fetchall()
    return rows


def _delete_in(c: sqlite3.Connection, statements: Sequence[str], values: Sequence[int | str]) -> None:
    for chunk in chunks(values, _CHUNK):
        marks = ",".join("?" * len(chunk))
        for sql in statements:
            c.execute(f"{sql} IN ({marks})", list(chunk))
