"""Claim threads in the SQLite index: the links table and its queries."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from pipeline.index.base import ThreadLink
from pipeline.sqlitedb import Transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS threads(
    claim_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, thread_id TEXT NOT NULL, stance TEXT NOT NULL,
    denies TEXT NOT NULL, source TEXT NOT NULL, speaker TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS threads_by_thread ON threads(thread_id);
"""
_COLUMNS = "claim_id, article_id, thread_id, stance, denies, source, speaker"
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def put_links(conn: sqlite3.Connection, links: Sequence[ThreadLink]) -> None:
    with Transaction(conn) as c:
        c.executemany(
            "INSERT OR REPLACE INTO threads(claim_id, article_id, thread_id, stance, denies, source, speaker)"
            " VALUES (?,?,?,?,?,?,?)",
            [(lk.claim_id, lk.article_id, lk.thread_id, lk.stance, json.dumps(list(lk.denies)), lk.source, lk.speaker)
             for lk in links])


def links_of(conn: sqlite3.Connection, claim_ids: Sequence[str]) -> dict[str, ThreadLink]:
    rows = _select_in(conn, f"SELECT {_COLUMNS} FROM threads WHERE claim_id", claim_ids)
    return {r[0]: _link(r) for r in rows}


def members(conn: sqlite3.Connection, thread_ids: Sequence[str]) -> list[ThreadLink]:
    rows = _select_in(conn, f"SELECT {_COLUMNS} FROM threads WHERE thread_id", thread_ids)
    return sorted((_link(r) for r in rows), key=lambda lk: lk.claim_id)


def _select_in(conn: sqlite3.Connection, sql: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    unique = list(dict.fromkeys(values))
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        rows += conn.execute(f"{sql} IN ({','.join('?' * len(chunk))})", chunk).fetchall()
    return rows


def _link(row: tuple[Any, ...]) -> ThreadLink:
    return ThreadLink(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5], row[6])
