"""What the embedded index stores for an article's entities, and what it reads back."""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import corpus  # noqa: E402


def test_entities_are_stored_as_before_and_read_back_through_the_codec(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = next(e for e in corpus() if e.entities)
    stored = sqlite3.connect(tmp_path / "index.db").execute(
        "SELECT entities FROM articles WHERE id=?", (first.article.id,)).fetchone()[0]
    # The JSON earlier versions wrote (field order and all): files already written need no migration.
    assert stored == json.dumps([asdict(e) for e in first.entities], ensure_ascii=False)
    assert index.get_article(first.article.id).entities == first.entities  # type: ignore[union-attr]
