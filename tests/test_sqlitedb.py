"""SQLite errors are translated at one place: outages become BackendUnavailable, bugs stay bugs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline import sqlitedb
from pipeline.errors import BackendUnavailable
from pipeline.sqlitedb import Transaction, connect


def _table(path: Path) -> sqlite3.Connection:
    conn = connect(path)
    conn.execute("CREATE TABLE t(x BLOB)")
    return conn


def test_a_full_database_is_an_outage_and_the_connection_stays_usable(tmp_path: Path) -> None:
    conn = _table(tmp_path / "db")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "database or disk is full"
    with pytest.raises(BackendUnavailable, match="full"), Transaction(conn) as c:
        c.executemany("INSERT INTO t VALUES (?)", [(b"x" * 4000,)] * 20)
    assert not conn.in_transaction
    conn.execute(f"PRAGMA max_page_count = {pages + 1000}")  # space again: the same connection works
    with Transaction(conn) as c:
        c.executemany("INSERT INTO t VALUES (?)", [(b"x" * 4000,)] * 20)
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 20


def test_a_lock_held_past_the_timeout_is_an_outage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlitedb, "BUSY_TIMEOUT_S", 0.1)
    conn = _table(tmp_path / "db")
    holder = sqlite3.connect(tmp_path / "db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(BackendUnavailable, match="locked"), Transaction(conn) as c:
            c.execute("INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Transaction(conn) as c:
        c.execute("INSERT INTO t VALUES (1)")
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1


def test_an_unopenable_file_is_an_outage(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(BackendUnavailable):
        connect(tmp_path / "dir.db").execute("CREATE TABLE t(x)")


def test_statement_errors_are_not_outages(tmp_path: Path) -> None:
    conn = _table(tmp_path / "db")
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELEC 1")
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT * FROM missing").fetchall()
    conn.execute("CREATE TABLE u(x UNIQUE)")
    conn.execute("INSERT INTO u VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO u VALUES (1)")
