"""A feed date the parser had to reinterpret is no date: the fetch time stands in, marked estimated."""

from datetime import UTC, datetime

from pipeline.poller.entries import FeedRef, build
from pipeline.poller.parse import parse_feed

FETCHED = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


def _entry_date(updated: str):
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>A</title>'
            b'<link href="http://127.0.0.1:9/a"/><id>a</id><updated>' + updated.encode()
            + b"</updated><summary>Words.</summary></entry></feed>")
    (entry,) = parse_feed(atom, "http://127.0.0.1:9/feed", {"content-type": "application/atom+xml"}).entries
    article = build(entry, FeedRef(1, "http://127.0.0.1:9/feed", "T"), FETCHED).article
    return entry.published, article.published, article.published_estimated


def test_a_negative_year_is_not_stored_as_2000():
    assert _entry_date("-0001-01-01") == (None, FETCHED.isoformat(), True)


def test_an_ordinary_date_is_kept():
    published = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    assert _entry_date("2025-06-01T10:00:00+02:00") == (published, published.isoformat(), False)
