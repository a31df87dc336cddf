"""Wire-copy state in the embedded index: entries, LSH bands, and the marks collapsed searches leave out.

``copies`` holds one entry per signed article (the truth); ``copy_bands`` its
band keys as 64-bit integers (an indexed lookup per key); ``copy_claims`` and
``copy_articles`` list the row ids of claims and articles whose article is a
copy, kept in step on every write of either side (:func:`sync_marks`), so a
collapsed search tests ``rowid NOT IN (SELECT rid ...)`` on a primary key.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from pipeline.index.base import ArticleRef, CopyEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS copies(
    article_id TEXT PRIMARY KEY, copy_of TEXT, published TEXT, seen TEXT NOT NULL, size INTEGER NOT NULL,
    signature BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS copies_by_original ON copies(copy_of) WHERE copy_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS copy_bands(band INTEGER NOT NULL, article_id TEXT NOT NULL,
    PRIMARY KEY(band, article_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copy_bands_by_article ON copy_bands(article_id);
CREATE TABLE IF NOT EXISTS copy_claims(rid INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS copy_articles(rid INTEGER PRIMARY KEY);
"""
_COLUMNS = "article_id, copy_of, published, seen, size, signature"


def band_number(key: str) -> int:
    """A band key (a signed 64-bit integer in decimal, see ``pipeline.copies.signature``) as SQLite stores it."""
    return int(key)


def put(c: sqlite3.Connection, entries: Sequence[CopyEntry]) -> None:
    """Replace the entries and their bands, and mark the articles' rows. Call inside a transaction."""
    for e in entries:
        c.execute(f"INSERT OR REPLACE INTO copies({_COLUMNS}) VALUES (?,?,?,?,?,?)",
                  (e.article_id, e.copy_of, e.published, e.seen, e.size, e.signature))
        c.execute("DELETE FROM copy_bands WHERE article_id=?", (e.article_id,))
        c.executemany("INSERT OR IGNORE INTO copy_bands(band, article_id) VALUES (?,?)",
                      [(band_number(k), e.article_id) for k in e.bands])
        sync_marks(c, e.article_id)


def sync_marks(c: sqlite3.Connection, article_id: str) -> None:
    """Mark (or unmark) the article's current rows as a copy's, from its entry."""
    copy = c.execute("SELECT copy_of FROM copies WHERE article_id=?", (article_id,)).fetchone()
    is_copy = bool(copy and copy[0])
    for table, rows in (("copy_claims", "SELECT rid FROM claims WHERE article_id=?"),
                        ("copy_articles", "SELECT rid FROM articles WHERE id=?")):
        c.execute(f"DELETE FROM {table} WHERE rid IN ({rows})", (article_id,))
        if is_copy:
            c.execute(f"INSERT OR IGNORE INTO {table}(rid) {rows}", (article_id,))


def forget_rows(c: sqlite3.Connection, claim_rids: Sequence[int], article_rids: Sequence[int]) -> None:
    """Drop the marks of rows being deleted (a row id can be reused by the next insert)."""
    c.executemany("DELETE FROM copy_claims WHERE rid=?", [(r,) for r in claim_rids])
    c.executemany("DELETE FROM copy_articles WHERE rid=?", [(r,) for r in article_rids])


def forget_articles(c: sqlite3.Connection, article_ids: Sequence[str]) -> None:
    """Drop the entries of articles being pruned; each orphaned cluster's earliest copy becomes its original
    (by date, then seen: the order of ``pipeline.copies.order`` where every copy is dated)."""
    ids = json.dumps(sorted(set(article_ids)))
    orphans = c.execute("SELECT DISTINCT copy_of FROM copies WHERE copy_of IN (SELECT value FROM json_each(?))"
                        " AND article_id NOT IN (SELECT value FROM json_each(?))", (ids, ids)).fetchall()
    c.execute("DELETE FROM copy_bands WHERE article_id IN (SELECT value FROM json_each(?))", (ids,))
    c.execute("DELETE FROM copies WHERE article_id IN (SELECT value FROM json_each(?))", (ids,))
    for (original,) in orphans:
        members = [r[0] for r in c.execute("SELECT article_id FROM copies WHERE copy_of=? ORDER BY"
                                           " published IS NULL, published, seen, article_id", (original,))]
        c.execute("UPDATE copies SET copy_of = NULL WHERE article_id=?", (members[0],))
        c.execute("UPDATE copies SET copy_of = ? WHERE copy_of=?", (members[0], original))
        for member in members:
            sync_marks(c, member)


def any_marked(c: sqlite3.Connection, table: str) -> bool:
    """Whether any row is marked in ``table`` (a search without copies needs no extra condition)."""
    return c.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


def candidates(c: sqlite3.Connection, bands: Sequence[str]) -> list[CopyEntry]:
    numbers = json.dumps(sorted({band_number(k) for k in bands}))
    rows = c.execute(f"SELECT {_COLUMNS} FROM copies WHERE article_id IN (SELECT article_id FROM copy_bands"
                     " WHERE band IN (SELECT value FROM json_each(?)))", (numbers,)).fetchall()
    return _entries(c, rows)


def entries(c: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, CopyEntry]:
    rows = c.execute(f"SELECT {_COLUMNS} FROM copies WHERE article_id IN (SELECT value FROM json_each(?))",
                     (json.dumps(sorted(set(article_ids))),)).fetchall()
    return {e.article_id: e for e in _entries(c, rows)}


def pointing_to(c: sqlite3.Connection, original_ids: Sequence[str]) -> list[CopyEntry]:
    rows = c.execute(f"SELECT {_COLUMNS} FROM copies WHERE copy_of IN (SELECT value FROM json_each(?))"
                     " ORDER BY article_id", (json.dumps(sorted(set(original_ids))),)).fetchall()
    return _entries(c, rows)


def copies_of(c: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, list[ArticleRef]]:
    rows = c.execute("SELECT k.copy_of, a.id, a.title, a.url, a.published, a.source_name FROM copies k"
                     " JOIN articles a ON a.id = k.article_id WHERE k.copy_of IN (SELECT value FROM json_each(?))"
                     " ORDER BY a.published IS NULL, a.published, a.id", (json.dumps(sorted(set(article_ids))),))
    out: dict[str, list[ArticleRef]] = {}
    for original, aid, title, url, published, source in rows:
        out.setdefault(original, []).append(ArticleRef(aid, title or "", url or "", published, source or ""))
    return out


def _entries(c: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> list[CopyEntry]:
    ids = [r[0] for r in rows]
    bands: dict[str, list[str]] = {}
    for band, aid in c.execute("SELECT band, article_id FROM copy_bands WHERE article_id IN"
                               " (SELECT value FROM json_each(?))", (json.dumps(ids),)):
        bands.setdefault(aid, []).append(str(band))
    return [CopyEntry(aid, copy_of, published, seen, size, bytes(sig), tuple(bands.get(aid, ())))
            for aid, copy_of, published, seen, size, sig in rows]
