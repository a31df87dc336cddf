"""Giving back what deletions freed in the embedded index: FTS5 segments, names, free pages.

Costs, so the operator can choose:

- **segment merge** (always): FTS5 keeps a deleted row's terms as delete
  markers until the segments holding them are merged. ``'merge'`` with a
  negative page count merges every level into one segment, a bounded amount
  of work per call, each call its own short transaction, so writers go on
  between steps (FTS5's ``'optimize'`` does the same in one long transaction).
- **stale names** (always): names no remaining claim carries leave the
  ``names`` table (each checked through an index).
- **free pages**: deleted rows' pages are reused by later writes, so the file
  stops growing but does not shrink. A file in incremental auto-vacuum mode
  gives them back step by step (``PRAGMA incremental_vacuum``, cheap: it
  moves pages from the end of the file). ``vacuum=True`` runs ``VACUUM``
  once and switches the file to incremental mode: it rewrites the whole
  file (time ~ file size; free disk up to the file's size again, as a
  temporary copy and WAL) and blocks writers while it runs.
"""

from __future__ import annotations

import sqlite3

from pipeline.index.retention import Progress

MERGE_PAGES = 2000  # FTS5 pages written per merge step (~8 MB at 4 KiB pages)
VACUUM_PAGES = 4096  # pages returned to the file system per incremental step
INCREMENTAL = 2  # PRAGMA auto_vacuum value
# kind in names → (table, column) that must still carry the value; every column has an index.
NAME_COLUMNS = {"speaker": ("claims", "speaker"), "speaker_text": ("claims", "speaker_text"),
                "source": ("claims", "source"), "domain": ("claims", "domain"),
                "entity": ("claim_entities", "name"), "entity_text": ("claim_entities", "text")}


def compact(conn: sqlite3.Connection, progress: Progress | None = None, vacuum: bool = False) -> str:
    """Merge segments, drop stale names, give back free pages; a line saying what was done."""
    tick = progress or (lambda _n: None)
    steps = sum(merge_segments(conn, table, tick) for table in ("claims_fts", "articles_fts"))
    names = drop_stale_names(conn)
    size_before = _file_pages(conn)
    if vacuum:
        conn.execute(f"PRAGMA auto_vacuum={INCREMENTAL}")  # takes effect through the VACUUM below
        conn.execute("VACUUM")
        how = "vacuumed (file rewritten; incremental from now on)"
    elif conn.execute("PRAGMA auto_vacuum").fetchone()[0] == INCREMENTAL:
        incremental_vacuum(conn, tick)
        how = "free pages returned (incremental vacuum)"
    else:
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        how = f"{free} free page(s) kept for reuse (--vacuum shrinks the file)"
    freed = size_before - _file_pages(conn)
    shrunk = f", file {freed} page(s) smaller" if freed > 0 else ""
    return f"{steps} FTS merge step(s), {names} stale name(s) dropped, {how}{shrunk}"

def merge_segments(conn: sqlite3.Connection, table: str, tick: Progress) -> int:
    """Merge ``table``'s FTS5 segments into one, a bounded step at a time; the steps that did work."""
    steps = 0
    while True:
        changes = conn.total_changes
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('merge', ?)", (-MERGE_PAGES,))
        if conn.total_changes - changes < 2:  # FTS5's documented sign that nothing was left to merge
            return steps
        steps += 1
        tick(1)


def drop_stale_names(conn: sqlite3.Connection) -> int:
    """Delete the names no remaining claim carries; how many went."""
    dropped = 0
    for kind, (table, column) in NAME_COLUMNS.items():
        cur = conn.execute(f"DELETE FROM names WHERE kind=? AND NOT EXISTS "
                           f"(SELECT 1 FROM {table} t WHERE t.{column} = names.value)", (kind,))
        dropped += cur.rowcount
    return dropped


def incremental_vacuum(conn: sqlite3.Connection, tick: Progress) -> None:
    while conn.execute("PRAGMA freelist_count").fetchone()[0]:
        conn.execute(f"PRAGMA incremental_vacuum({VACUUM_PAGES})").fetchall()  # runs only as rows are read
        tick(1)


def _file_pages(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_count").fetchone()[0])
