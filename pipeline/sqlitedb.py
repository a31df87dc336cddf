"""SQLite plumbing shared by the embedded bus, the embedded index and the feed store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline.errors import BackendUnavailable


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection with WAL and a generous busy timeout.

    Several processes may share the file; each takes the write lock only
    inside :class:`Transaction`.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except (OSError, sqlite3.Error) as exc:
        raise BackendUnavailable(f"cannot open {path}: {exc}") from exc
    return conn


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (ROLLBACK on an exception), taking the write lock up front."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
