"""Parsing is pure and never raises; hostile documents become errors with reasons."""

from __future__ import annotations

import time
import tracemalloc

from pipeline.poller.parse import parse_feed

HEADERS = {"content-type": "application/rss+xml; charset=utf-8"}
BOMB = (
    b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">"""
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"""]><rss version="2.0"><channel><title>&lol9;</title>"""
    + b"""<item><title>&lol9;</title></item></channel></rss>"""
)


def test_rss_entries_with_dates_authors_and_content() -> None:
    rss = (
        b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        b"<title>T</title><language>fr-FR</language><ttl>15</ttl><item><title>A</title><link>/a</link>"
        b"<guid>g</guid><author>x@y.z (Ann)</author><pubDate>Tue, 03 Jun 2025 11:30:00 +0200</pubDate>"
        b"<content:encoded><![CDATA[<p>Body</p>]]></content:encoded></item></channel></rss>"
    )
    parsed = parse_feed(rss, "http://127.0.0.1:9/feed", HEADERS)
    assert parsed.error is None and parsed.title == "T" and parsed.meta["ttl"] == "15"
    (entry,) = parsed.entries
    assert entry.link == "http://127.0.0.1:9/a"  # relative links resolved against the feed URL
    assert entry.published.isoformat() == "2025-06-03T09:30:00+00:00"
    assert entry.content_html == "<p>Body</p>" and entry.language == "fr-FR" and entry.guid.endswith("g")


def test_not_a_feed_and_empty_bodies_are_errors() -> None:
    assert (
        "not" in parse_feed(b"<html><body>hi</body></html>", "http://h/", {"content-type": "text/html"}).error
    )
    assert parse_feed(b"  ", "http://h/", HEADERS).error == "empty response body"


def test_bytes_are_never_taken_for_a_file_name() -> None:
    assert parse_feed(b"/etc/passwd", "http://h/", HEADERS).error  # not read from disk


def test_entity_expansion_bomb_is_bounded() -> None:
    tracemalloc.start()
    started = time.monotonic()
    parsed = parse_feed(BOMB, "http://h/", HEADERS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - started < 2 and peak < 20_000_000
    assert all(len(e.title) < 10_000 for e in parsed.entries) and len(parsed.title) < 10_000


def test_many_entity_declarations_are_refused_outright() -> None:
    many = (
        b'<?xml version="1.0"?><!DOCTYPE r ['
        + b"".join(b'<!ENTITY e%d "x">' % i for i in range(30))
        + b"]><rss/>"
    )
    assert parse_feed(many, "http://h/", HEADERS).error.startswith("refused")
