"""Query helpers shared by both index backends: the one cursor format, date bounds, stopwords."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from pipeline import search
from pipeline.errors import InputError
from pipeline.index.base import ArticleQuery
from pipeline.index.query import STOPWORDS, date_bounds, decode_cursor, encode_cursor, query_terms


@pytest.mark.parametrize(("position", "slots"), [([40], ("offset",)), ([3.25, "claim-7"], ("number", "text")),
                                               ([-(2**63), "h1-0001"], ("number", "text"))])
def test_a_cursor_holds_a_position_of_json_values(position, slots):
    cursor = encode_cursor(position)
    assert cursor.isascii() and "/" not in cursor and "+" not in cursor  # safe in a URL
    assert decode_cursor(cursor, slots) == position


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


FORGED = {
    "not-base64": "not-a-cursor!", "two-values": encode_cursor([1, 2]), "bare-word": "o40", "empty-list": encode_cursor([]),
    "past-int64": raw_cursor("[9223372036854775808]"), "negative": encode_cursor([-1]), "float": encode_cursor([1.5]),
    "bool": encode_cursor([True]), "null": encode_cursor([None]), "object": raw_cursor('{"a": 1}'),
    "nan": raw_cursor("[NaN]"), "huge-digits": raw_cursor("[" + "9" * 5000 + "]"), "nested": raw_cursor("[" * 900),
    "too-long": "A" * 1001, "not-ascii": "é",
}


@pytest.mark.parametrize("cursor", list(FORGED.values()), ids=list(FORGED))
def test_anything_else_is_an_invalid_offset_cursor(cursor):
    with pytest.raises(InputError, match="invalid page cursor"):
        decode_cursor(cursor, ("offset",))


SORT_FORGED = {
    "past-int64": encode_cursor([2**63, "x"]), "below-int64": encode_cursor([-(2**63) - 1, "x"]),
    "nulls": encode_cursor([None, None]), "infinity": raw_cursor('[Infinity, "x"]'), "swapped": encode_cursor(["x", 1]),
    "bool": encode_cursor([True, "x"]), "long-id": encode_cursor([1, "x" * 201]), "surrogate": raw_cursor('[1, "\\ud800"]'),
    "control": encode_cursor([1, "a\x00"]), "object": encode_cursor([{"a": 1}, "x"]),
}


@pytest.mark.parametrize("cursor", list(SORT_FORGED.values()), ids=list(SORT_FORGED))
def test_a_sort_value_cursor_holds_a_number_and_a_clean_id(cursor):
    with pytest.raises(InputError, match="invalid page cursor"):
        decode_cursor(cursor, ("number", "text"))


def test_an_invalid_cursor_is_shown_cut():
    with pytest.raises(InputError) as caught:
        decode_cursor("A" * 5000, ("offset",))
    assert len(str(caught.value)) < 100


def test_no_cursor_is_the_first_page():
    assert decode_cursor(None, ("offset",)) is None and decode_cursor("", ("number", "text")) is None


def test_until_is_inclusive_and_an_empty_range_is_refused_however_the_query_is_built():
    assert date_bounds(date(2025, 6, 1), date(2025, 6, 3)) == ("2025-06-01", "2025-06-04")
    with pytest.raises(InputError, match=r"since \(2025-06-04\) is after until \(2025-06-03\)"):
        search.claim_query("x", since="2025-06-04", until="2025-06-03")
    with pytest.raises(InputError, match="is after until"):
        ArticleQuery(since=date(2025, 6, 4), until=date(2025, 6, 3))


def test_stopwords_rank_nothing_unless_nothing_else_is_left():
    assert {"the", "of", "would"} <= STOPWORDS
    assert query_terms("the drones of Iran") == ["drones", "iran"]
    assert query_terms("the of") == ["the", "of"]
