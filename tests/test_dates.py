"""Dates from strangers' text: aware UTC in range, or one clear ValueError."""

import pytest

from pipeline.dates import iso_utc, parse_iso, written_year_agrees


@pytest.mark.parametrize("text, expected", [
    ("2022-07-16T10:00:00+02:00", "2022-07-16T08:00:00+00:00"),
    ("2022-07-16", "2022-07-16T00:00:00+00:00"),
    ("2022-07-16T10:00:00Z", "2022-07-16T10:00:00+00:00"),
    ("9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59+00:00"),
])
def test_iso_dates_become_utc(text, expected):
    assert iso_utc(parse_iso(text)) == expected


@pytest.mark.parametrize("text, reason", [
    ("9999-12-31T23:59:59-23:59", "out of range once converted to UTC"),
    ("0001-01-01T00:00:00+01:00", "out of range once converted to UTC"),
    ("-0001-01-01", "year out of range"),
    ("+12024-01-01", "year out of range"),
    ("yesterday", "not an ISO 8601 date"),
])
def test_dates_out_of_range_or_malformed_are_one_value_error(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_iso(text)


@pytest.mark.parametrize("written, year, agrees", [
    ("-0001-01-01", 2000, False), ("0001-01-01", 2000, False), ("2024-01-01T00:30:00+01:00", 2023, True),
    ("2024-05-01", 2024, True), ("Tue, 03 Jun 2025 11:30:00 +0200", 2025, True), (None, 2025, True),
])
def test_a_feed_parsers_year_must_be_the_written_one(written, year, agrees):
    assert written_year_agrees(written, year) is agrees
