"""Properties of the pure pieces every answer goes through: the query parser, the cursor codec, the export writers."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace

import pytest
from fuzzing import ANY_TEXT, HOSTILE, fuzz_settings
from http_corpus import all_claims
from hypothesis import example, given
from hypothesis import strategies as st

from pipeline import search
from pipeline.errors import InputError
from pipeline.http.export import CSV_COLUMNS, csv_lines, jsonl_lines
from pipeline.index.base import ArticleRef, ClaimHit
from pipeline.index.query import (
    INT64_MAX,
    INT64_MIN,
    MAX_CURSOR_TEXT,
    decode_cursor,
    encode_cursor,
    fts_expression,
)
from pipeline.index.sqlite.tags import TEXT_COLUMNS
from pipeline.present import QUOTED_CHARS
from pipeline.records import Span, clean_text


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(content, sentence, speaker, tags, tokenize='porter unicode61')")
    conn.execute("INSERT INTO t VALUES ('drones over the harbor', 'x', 'Jake Sullivan', 'sp1')")
    return conn


@fuzz_settings(300)
@given(text=HOSTILE)
@example(text='"unclosed')
@example(text='a "" b "c d" NEAR(e) -f')
def test_any_query_is_an_expression_fts5_accepts_or_an_input_error(fts: sqlite3.Connection, text: str) -> None:
    try:
        query = search.claim_query(text)
    except InputError:
        return
    expression = fts_expression(query.text)
    if expression:  # the words of any text, as SQLite's index would be asked for them
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f"{TEXT_COLUMNS} : ({expression})",)).fetchone()


SORT_VALUE = st.one_of(st.integers(INT64_MIN, INT64_MAX), st.floats(allow_nan=False, allow_infinity=False))
CLEAN_ID = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Cf")),
                   max_size=MAX_CURSOR_TEXT).filter(str.isprintable)


@fuzz_settings(200)
@given(offset=st.integers(0, INT64_MAX), sort=st.tuples(SORT_VALUE, CLEAN_ID))
def test_a_cursor_decodes_to_the_position_it_encodes(offset: int, sort: tuple[float, str]) -> None:
    assert decode_cursor(encode_cursor([offset]), ("offset",)) == [offset]
    assert decode_cursor(encode_cursor(list(sort)), ("number", "text")) == list(sort)


@fuzz_settings(300)
@given(cursor=st.one_of(HOSTILE, st.builds(encode_cursor, st.lists(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)), max_size=3))))
@example(cursor="WzkyMjMzNzIwMzY4NTQ3NzU4MDhd")  # [9223372036854775808]: issue 20.6
@example(cursor=encode_cursor([None, None]))
def test_any_string_is_a_valid_position_or_an_input_error(cursor: str) -> None:
    for slots in (("offset",), ("number", "text")):
        try:
            position = decode_cursor(cursor, slots)
        except InputError as exc:
            assert len(str(exc)) <= 30 + 10 * QUOTED_CHARS  # the cursor is shown cut (each character escaped at worst)
            continue
        assert position is None or len(position) == len(slots)
        if position:
            json.dumps(position, allow_nan=False)  # what a backend is sent: plain JSON


def hit_with(text: str) -> ClaimHit:
    claim, article = all_claims()[0]
    claim = replace(claim, content=Span(0, len(text), text), cue=replace(claim.cue, text=text) if claim.cue else None)
    return ClaimHit(claim, ArticleRef(article.id, text, "https://x.test/" + text, None, text), 1.0)


@fuzz_settings(200)
@given(texts=st.lists(ANY_TEXT, min_size=1, max_size=4))
@example(texts=["=HYPERLINK(\"x\")", "a\r\nb", '"', "\x00", "\ud800"])
def test_the_export_writers_give_rows_that_parse(texts: list[str]) -> None:
    hits = [hit_with(t) for t in texts]
    rows = list(csv.reader(io.StringIO(b"".join(csv_lines(iter(hits))).decode("utf-8"), newline="")))
    assert rows[0] == list(CSV_COLUMNS) and len(rows) == len(hits) + 1
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)
    for row in rows[1:]:
        assert not row[CSV_COLUMNS.index("content")].startswith(("=", "+", "-", "@"))  # never a formula
    lines = b"".join(jsonl_lines(iter(hits))).decode("utf-8").split("\n")[:-1]  # valid UTF-8, one hit a line
    assert [json.loads(line)["claim"]["content"]["text"] for line in lines] == [clean_text(t) for t in texts]
