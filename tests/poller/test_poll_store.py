"""Feed state persists; feeds from config and OPML merge into it; health rows tell how feeds do."""

from __future__ import annotations

import pytest

from pipeline.config import FeedSettings
from pipeline.errors import InputError
from pipeline.poller.health import health_rows, merge_config_feeds, table
from pipeline.poller.opml import read_opml
from pipeline.poller.store import FeedStore


def test_state_survives_reopening(tmp_path) -> None:
    store = FeedStore(tmp_path / "feeds.db")
    feed, created = store.add("http://127.0.0.1/f.xml", "F", now=10.0)
    assert created and store.add("http://127.0.0.1/f.xml", now=20.0) == (feed, False)
    store.apply(
        [(feed.id, {"etag": '"x"', "failures": 2, "last_error": "HTTP 500"})],
        [("url", "http://a/1", feed.id, 10.0), ("guid", f"{feed.id}:g", feed.id, 10.0)],
    )
    store.close()
    again = FeedStore(tmp_path / "feeds.db")
    state = again.get(feed.id)
    assert (state.etag, state.failures, state.last_error) == ('"x"', 2, "HTTP 500")
    assert again.seen([("url", "http://a/1"), ("url", "http://a/2")]) == {("url", "http://a/1")}
    removed = again.remove("http://127.0.0.1/f.xml")
    assert removed.id == feed.id and again.feeds() == []
    assert again.seen([("url", "http://a/1"), ("guid", f"{feed.id}:g")]) == {("url", "http://a/1")}
    again.close()


def test_config_feeds_merge_and_health_rows(tmp_path) -> None:
    store = FeedStore(tmp_path / "feeds.db")
    feeds = (FeedSettings("http://127.0.0.1/a.xml", "A"), FeedSettings("http://127.0.0.1/b.xml"))
    assert merge_config_feeds(store, feeds, now=0.0) == 2
    assert merge_config_feeds(store, feeds, now=0.0) == 0
    store.apply(
        [
            (1, {"last_success": 50.0, "next_poll": 3600.0}),
            (2, {"failures": 3, "last_error": "timeout: no answer", "last_error_at": 60.0}),
        ],
        [("url", f"http://127.0.0.1/{i}", 1, 100.0) for i in range(14)],
    )
    rows = health_rows(store, now=86_400.0 * 7)
    assert [r["status"] for r in rows] == ["ok", "failing"]
    assert rows[0]["items_per_day"] == 2.0 and rows[0]["origin"] == "config"
    assert rows[1]["last_error_reason"] == "timeout: no answer" and rows[1]["consecutive_failures"] == 3
    assert "failing" in table(rows) and "timeout: no answer" in table(rows)
    store.close()


def test_opml_outlines_at_any_depth() -> None:
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body><outline text="News">
      <outline text="One" type="rss" xmlUrl="http://127.0.0.1/1.xml"/>
      <outline title="Two" xmlUrl="http://127.0.0.1/2.xml"/></outline>
      <outline text="dup" xmlUrl="http://127.0.0.1/1.xml"/></body></opml>"""
    subs = read_opml(opml)
    assert [(s.url, s.name) for s in subs] == [
        ("http://127.0.0.1/1.xml", "One"),
        ("http://127.0.0.1/2.xml", "Two"),
    ]


def test_opml_with_entities_or_broken_xml_is_refused() -> None:
    with pytest.raises(InputError, match="DOCTYPE"):
        read_opml(b'<!DOCTYPE x [<!ENTITY a "b">]><opml/>')
    with pytest.raises(InputError, match="not a valid OPML"):
        read_opml(b"<opml><body>")
