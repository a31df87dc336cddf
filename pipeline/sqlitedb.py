"""SQLite plumbing shared by the embedded bus, the embedded index and the feed store.

The one place SQLite errors are translated: a connection from :func:`connect`
raises :class:`~pipeline.errors.BackendUnavailable` (retryable) for every error
that says the *database* is unwell rather than the statement wrong — disk or
quota full, a lock held past the busy timeout, I/O errors, a file that cannot
be opened or is read-only, out of memory, a corrupt file — from any execute,
fetch, commit or rollback. Other SQLite errors (a bad statement, a constraint)
stay as they are: they are bugs or bad input, not outages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from pipeline.errors import BackendUnavailable

BUSY_TIMEOUT_S = 60.0
# Primary result codes (the low byte of extended codes) that mean "the database is unwell".
OUTAGE_CODES = frozenset({
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOTADB,
})


def is_outage(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the database cannot be used now (retry later), not that a statement is wrong."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in OUTAGE_CODES
    return isinstance(exc, sqlite3.OperationalError) and any(
        words in str(exc) for words in ("locked", "disk", "full", "unable to open", "readonly"))


@contextmanager
def translated(path: Path | str) -> Iterator[None]:
    """Re-raise SQLite outage errors on ``path`` as BackendUnavailable; anything else unchanged."""
    try:
        yield
    except sqlite3.Error as exc:
        if is_outage(exc):
            raise BackendUnavailable(f"sqlite {path}: {exc}") from exc
        raise


class _Cursor(sqlite3.Cursor):
    """A cursor whose statements and fetches translate outage errors."""

    path: Path

    def execute(self, *args: Any) -> Self:
        with translated(self.path):
            return super().execute(*args)

    def executemany(self, *args: Any) -> Self:
        with translated(self.path):
            return super().executemany(*args)

    def executescript(self, *args: Any) -> Self:
        with translated(self.path):
            super().executescript(*args)  # returns this cursor (typeshed says a plain Cursor)
            return self

    def fetchone(self) -> Any:
        with translated(self.path):
            return super().fetchone()

    def fetchmany(self, *args: Any) -> list[Any]:
        with translated(self.path):
            return super().fetchmany(*args)

    def fetchall(self) -> list[Any]:
        with translated(self.path):
            return super().fetchall()

    def __next__(self) -> Any:
        with translated(self.path):
            return super().__next__()


class Connection(sqlite3.Connection):
    """A connection whose every statement goes through :class:`_Cursor` (see the module docstring)."""

    path: Path

    # Narrower than sqlite3's overloads (factory None or any cursor class): this connection makes only
    # translating cursors, and says so in its return type.
    def cursor(self, factory: type[_Cursor] = _Cursor) -> _Cursor:  # type: ignore[override]
        cur = super().cursor(factory)
        cur.path = self.path
        return cur

    def execute(self, *args: Any) -> _Cursor:
        return self.cursor().execute(*args)

    def executemany(self, *args: Any) -> _Cursor:
        return self.cursor().executemany(*args)

    def executescript(self, *args: Any) -> _Cursor:
        return self.cursor().executescript(*args)

    def commit(self) -> None:
        with translated(self.path):
            super().commit()

    def rollback(self) -> None:
        with translated(self.path):
            super().rollback()


def connect(path: Path) -> Connection:
    """An autocommit connection with WAL and a generous busy timeout; outages raise BackendUnavailable.

    Several processes may share the file; each takes the write lock only
    inside :class:`Transaction`.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False,
                               factory=Connection)
        conn.path = path
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except (OSError, sqlite3.Error) as exc:
        raise BackendUnavailable(f"cannot open {path}: {exc}") from exc
    return conn


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (ROLLBACK on an exception), taking the write lock up front.

    A COMMIT that fails (disk full) is rolled back, so the connection is usable
    again for the retry; the failure is raised (translated) all the same.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        if self.conn.in_transaction:  # left open by a failure SQLite could not roll back itself
            _quiet_rollback(self.conn)
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type:
            _quiet_rollback(self.conn)
            return
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            _quiet_rollback(self.conn)
            raise


def _quiet_rollback(conn: sqlite3.Connection) -> None:
    # Best effort: the error that brought us here is the one worth reporting.
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except (sqlite3.Error, BackendUnavailable):
        pass
