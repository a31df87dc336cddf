"""Online backup of the embedded state's SQLite files, with the services running.

Guarantees of :func:`copy_sqlite`:

- **consistent**: the copy is the source as of one moment (a committed
  prefix of its writes). The backup holds one read transaction on the source
  for the whole copy, so under WAL the writers go on and the pages copied
  all belong to that snapshot (the WAL grows meanwhile: checkpoints wait
  for the reader). Without it, SQLite would restart the backup
  at every foreign write and a busy writer could keep it from finishing;
- **atomic and re-runnable**: pages go to ``DEST.tmp``, which is synced and
  renamed over ``DEST`` only when complete; an interrupted backup leaves the
  previous ``DEST`` intact, and running it again starts over and replaces it;
- **bounded steps**: ``pages`` pages per step, reported to ``progress``.

Order across files (:data:`ORDER`): the feed store, then the bus, then the
index, so each copy is at least as new as the one it depends on: on restore
the index may hold articles past the bus's committed offsets (redelivered,
idempotent) but never miss ones the bus says were indexed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

ORDER = ("feeds", "bus", "index")  # back up in this order (see the module doc)
PAGES_PER_STEP = 1024  # 4 MiB at SQLite's default page size
BUSY_TIMEOUT_S = 60.0

PageProgress = Callable[[int, int], None]  # (pages copied so far, pages in all)


def copy_sqlite(source: Path, dest: Path, pages: int = PAGES_PER_STEP, progress: PageProgress | None = None) -> int:
    """Copy the SQLite database ``source`` to ``dest`` (see the module doc); the pages copied."""
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)  # an earlier run's leftover: start over
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    copied = 0

    def report(_status: int, remaining: int, total: int) -> None:
        nonlocal copied
        copied = total - remaining
        if progress:
            progress(copied, total)

    try:
        src.execute("BEGIN")  # the snapshot: held until the last page is copied
        src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=pages, progress=report)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (services turn WAL back on)
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    _sync(tmp)
    os.replace(tmp, dest)
    _sync(dest.parent)
    return copied


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
