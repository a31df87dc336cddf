"""``pipeline backup``: a consistent online copy of SQLite files while a writer keeps writing; re-runs."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from support import ES_HOST, ES_PORT, require_server, run_cli

from pipeline.bus.sqlite import SqliteBus
from pipeline.index.sqlite import SqliteIndex
from pipeline.upkeep.backup import copy_sqlite

PREFILL = 2000
WAIT_S = 60.0  # a generous bound on a wait for the writer thread, never a measured time


def keys(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [k for (k,) in conn.execute("SELECT key FROM records ORDER BY offset")]


def filled_bus(path: Path, n: int = PREFILL) -> SqliteBus:
    bus = SqliteBus(path)
    producer = bus.producer()
    for i in range(n):
        producer.publish("t", f"{i:06d}", b"x" * 1000)
    producer.close()
    return bus


class Writer(threading.Thread):
    """Publishes records with increasing keys, one commit each, until stopped."""

    def __init__(self, bus: SqliteBus, start: int) -> None:
        super().__init__(daemon=True)
        self.bus, self.written, self.stop = bus, start, threading.Event()
        self.advanced = threading.Condition()

    def run(self) -> None:
        producer = self.bus.producer()
        while not self.stop.is_set():
            producer.publish("t", f"{self.written:06d}", b"y" * 1000)
            producer.flush()
            with self.advanced:
                self.written += 1
                self.advanced.notify_all()
        producer.close()

    def wait_past(self, count: int) -> None:
        with self.advanced:
            assert self.advanced.wait_for(lambda: self.written > count, WAIT_S), "the writer did not advance"


def test_the_copy_is_a_consistent_prefix_while_a_writer_keeps_writing(tmp_path: Path) -> None:
    bus = filled_bus(tmp_path / "bus.db")
    writer = Writer(bus, PREFILL)
    writer.start()
    steps: list[tuple[int, int]] = []

    def step(copied: int, total: int) -> None:
        steps.append((copied, total))
        writer.wait_past(writer.written)  # at least one commit lands between any two steps

    try:
        copied = copy_sqlite(tmp_path / "bus.db", tmp_path / "copy.db", pages=20, progress=step)
    finally:
        writer.stop.set()
        writer.join()
    assert len(steps) > 10 and copied == steps[-1][1]  # many steps, each with writes in between
    got = keys(tmp_path / "copy.db")
    assert len(got) >= PREFILL and writer.written > len(got) + len(steps) - 1
    assert got == [f"{i:06d}" for i in range(len(got))]  # a prefix of the writes: none missing, none torn
    assert not (tmp_path / "copy.db.tmp").exists()


def test_an_interrupted_backup_keeps_the_previous_copy_and_a_rerun_replaces_it(tmp_path: Path) -> None:
    bus = filled_bus(tmp_path / "bus.db", 500)
    copy_sqlite(tmp_path / "bus.db", tmp_path / "copy.db")
    producer = bus.producer()
    producer.publish("t", "later", b"z")
    producer.close()

    def interrupt(copied: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copy_sqlite(tmp_path / "bus.db", tmp_path / "copy.db", pages=5, progress=interrupt)
    assert len(keys(tmp_path / "copy.db")) == 500  # the previous copy, whole
    copy_sqlite(tmp_path / "bus.db", tmp_path / "copy.db", pages=5)
    assert keys(tmp_path / "copy.db")[-1] == "later" and not (tmp_path / "copy.db.tmp").exists()


def test_the_command_copies_feed_store_bus_and_index(tmp_path: Path) -> None:
    data = tmp_path / "data"
    filled_bus(data / "bus.db", 50).close()
    SqliteIndex(data / "index.db").close()
    run_cli(data, "feeds", "add", "https://feeds.example/rss")
    out = run_cli(data, "backup", str(tmp_path / "copy")).stdout
    assert [line.split(":")[0] for line in out.splitlines()] == ["feeds", "bus", "index"]
    assert len(keys(tmp_path / "copy" / "bus.db")) == 50
    with sqlite3.connect(tmp_path / "copy" / "feeds.db") as conn:
        assert conn.execute("SELECT url FROM feeds").fetchall() == [("https://feeds.example/rss",)]
    run_cli(data, "backup", str(tmp_path / "copy"))  # again: replaced, no leftovers
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == ["bus.db", "feeds.db", "index.db"]
    bad = run_cli(data, "backup", str(tmp_path / "copy" / "bus.db"), check=False)
    assert bad.returncode == 2 and "is not a folder" in bad.stderr


@pytest.mark.elastic
def test_on_elasticsearch_the_command_snapshots_or_explains_the_snapshot_api(tmp_path: Path) -> None:
    require_server("Elasticsearch", ES_HOST, ES_PORT)
    env = {"PIPELINE_INDEX__URL": f"http://{ES_HOST}:{ES_PORT}", "PIPELINE_INDEX__PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    proc = run_cli(tmp_path / "data", "backup", str(tmp_path / "copy"), env=env, check=False)
    if proc.returncode == 1:  # the server has no path.repo: the steps are printed
        assert "path.repo" in proc.stderr and "/_snapshot/pipeline-backup" in proc.stderr
        assert "index: not backed up" in proc.stderr
    else:
        assert proc.returncode == 0 and "(SUCCESS)" in proc.stdout, proc.stderr
