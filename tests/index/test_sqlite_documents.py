"""What the embedded index stores for an article's entities, and what it reads back."""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import corpus  # noqa: E402

from pipeline.index.sqlite import SqliteIndex  # noqa: E402
from pipeline.index.sqlite import schema as sqlite_schema  # noqa: E402
from pipeline.index.sqlite.packing import pack, unpack  # noqa: E402
from pipeline.records import to_dict  # noqa: E402


def test_entities_are_stored_as_before_and_read_back_through_the_codec(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = next(e for e in corpus() if e.entities)
    stored = sqlite3.connect(tmp_path / "index.db").execute(
        "SELECT entities FROM articles WHERE id=?", (first.article.id,)).fetchone()[0]
    # The JSON earlier versions wrote (field order and all): files already written need no migration.
    assert stored == json.dumps([asdict(e) for e in first.entities], ensure_ascii=False)
    assert index.get_article(first.article.id).entities == first.entities  # type: ignore[union-attr]


def test_claim_records_are_packed_and_read_back(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = next(e for e in corpus() if e.claims)
    conn = sqlite3.connect(tmp_path / "index.db")
    stored = conn.execute("SELECT d.doc FROM claim_docs d JOIN claims c ON c.rid = d.rid WHERE c.id=?",
                          (first.claims[0].id,)).fetchone()[0]
    conn.close()
    plain = json.dumps(to_dict(first.claims[0]), ensure_ascii=False)
    assert isinstance(stored, bytes) and len(stored) < len(plain) and unpack(stored) == plain
    assert index.get_article(first.article.id).claims == first.claims  # type: ignore[union-attr]


def test_a_layout_5_file_has_its_claim_records_packed_in_place(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    SqliteIndex(path).upsert(corpus())
    conn = sqlite3.connect(path)  # as layout 5 wrote them: JSON text
    conn.create_function("unpack", 1, unpack)
    conn.executescript("UPDATE claim_docs SET doc = unpack(doc); PRAGMA user_version=5;")
    conn.close()
    index = SqliteIndex(path)
    try:
        assert [index.get_article(e.article.id).claims for e in corpus()] == [e.claims for e in corpus()]  # type: ignore[union-attr]
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT DISTINCT typeof(doc) FROM claim_docs").fetchall() == [("blob",)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == sqlite_schema.VERSION
        conn.close()
    finally:
        index.close()


def test_packing_round_trips_any_text() -> None:
    for doc in ("", "{}", '{"text": "Zoë said “no” \\u0000 ' + "x" * 5000 + '"}'):
        assert unpack(pack(doc)) == doc
