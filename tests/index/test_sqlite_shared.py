"""What a server's SQLite readers share: the search-word counts (one per process) and, if configured, a memory map."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.index.base import ClaimQuery
from pipeline.index.sqlite import SqliteIndex
from pipeline.index.sqlite.queries import WordStats

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import all_claims, corpus  # noqa: E402

QUERIES = [ClaimQuery("drones"), ClaimQuery("drones harbor", speaker="sullivan"), ClaimQuery('"the harbor" closed'),
           ClaimQuery("", stance="deny"), ClaimQuery("harbor", limit=2)]


def with_drones() -> int:
    return sum("drone" in f"{c.content.text} {c.sentence.text} {c.speaker.text if c.speaker else ''}".lower()
               for c, _ in all_claims())


def test_word_counts_are_recounted_after_a_write_through_another_connection(tmp_path: Path) -> None:
    words = WordStats()
    reader = SqliteIndex(tmp_path / "index.db", words=words)
    writer = SqliteIndex(tmp_path / "index.db")
    try:
        assert reader.search_claims(ClaimQuery("drones")).total == 0
        assert words.claims == 0
        writer.upsert(corpus())
        assert reader.search_claims(ClaimQuery("drones")).total == with_drones() > 0
        assert words.claims == len(all_claims())
        assert words.claims_with(reader._conn, "drones") == with_drones()  # the count made before the write is gone
    finally:
        reader.close()
        writer.close()


def test_readers_sharing_counts_and_a_memory_map_find_what_a_plain_index_finds(tmp_path: Path) -> None:
    plain = SqliteIndex(tmp_path / "index.db")
    plain.upsert(corpus())
    want = [plain.search_claims(q) for q in QUERIES]
    assert all(r.hits for r in want)
    words = WordStats()
    shared = [SqliteIndex(tmp_path / "index.db", words=words, mmap_bytes=1 << 24) for _ in range(4)]
    try:
        assert shared[0]._conn.execute("PRAGMA mmap_size").fetchone()[0] == 1 << 24
        with ThreadPoolExecutor(4) as pool:  # each thread its own connection, as in a server
            got = list(pool.map(lambda n: [shared[n].search_claims(q) for q in QUERIES], range(4)))
        assert got == [want] * 4
    finally:
        for index in (plain, *shared):
            index.close()


def test_a_server_maps_the_file_only_when_configured(tmp_path: Path) -> None:
    """A disk I/O error under a memory map kills the process (SIGBUS) instead of failing one request."""
    from pipeline.backends import open_shared_index
    from pipeline.config import load_settings

    sizes = []
    for environ in ({}, {"PIPELINE_INDEX__SQLITE_MMAP_MB": "16"}):
        settings = load_settings(environ={"PIPELINE_DATA_DIR": str(tmp_path), **environ})
        index = open_shared_index(settings)
        try:
            sizes.append(index._mine()._conn.execute("PRAGMA mmap_size").fetchone()[0])  # type: ignore[attr-defined]
        finally:
            index.close()
    assert sizes == [0, 16 << 20]
