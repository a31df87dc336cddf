"""Query helpers shared by both index backends: the one cursor format, date bounds, stopwords."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline import search
from pipeline.errors import InputError
from pipeline.index.base import ArticleQuery
from pipeline.index.query import STOPWORDS, date_bounds, decode_cursor, encode_cursor, query_terms


@pytest.mark.parametrize("position", [[40], [3.25, "claim-7"]])
def test_a_cursor_holds_a_position_of_json_values(position):
    cursor = encode_cursor(position)
    assert cursor.isascii() and "/" not in cursor and "+" not in cursor  # safe in a URL
    assert decode_cursor(cursor, len(position)) == position


@pytest.mark.parametrize("cursor", ["not-a-cursor!", encode_cursor([1, 2]), "o40", encode_cursor([])])
def test_anything_else_is_an_invalid_cursor(cursor):
    with pytest.raises(InputError, match="invalid page cursor"):
        decode_cursor(cursor, 1)


def test_no_cursor_is_the_first_page():
    assert decode_cursor(None, 1) is None and decode_cursor("", 2) is None


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
