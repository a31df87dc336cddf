"""No silent loss: a runaway feed is taken across polls and says so; one bad entry is that entry's error.

Every feed is served from 127.0.0.1.
"""

from __future__ import annotations

import pytest
from pollsite import Harness, LocalServer, Response

from pipeline.poller import fresh, service
from pipeline.poller.health import health_rows, table

RSS = "application/rss+xml; charset=utf-8"


def _rss(items: list[str]) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Runaway</title>'
            f'{"".join(items)}</channel></rss>').encode()


def _item(n: int, title: str | None = None) -> str:
    return (f"<item><title>{title or f'Story number {n}'}</title><link>http://127.0.0.1/s/{n}</link>"
            f"<guid>s{n}</guid><description>Body of story {n}.</description></item>")


def _row(harness: Harness) -> dict:
    return health_rows(harness.store, harness.clock[0])[0]


def test_a_feed_larger_than_one_poll_is_taken_whole_across_polls_and_says_what_waits(
    harness: Harness, server: LocalServer
) -> None:
    total, limit = 1_200, 1_000  # the default max_entries_per_poll: the runaway shape of the issue
    server.routes["/runaway.xml"] = Response(200, {"Content-Type": RSS}, _rss([_item(n) for n in range(total)]))
    harness.add(server.url("/runaway.xml"))
    assert harness.poller.poll_once().articles == limit
    row = _row(harness)
    assert row["status"] == "partial" and row["pending_entries"] == total - limit
    assert "200 entries wait" in table([row])
    # The body is the same, yet not "unchanged": what waited is taken now.
    assert harness.poller.poll_once(force=True).articles == total - limit
    row = _row(harness)
    assert row["status"] == "ok" and row["pending_entries"] == 0
    assert harness.poller.poll_once(force=True).articles == 0  # now, and only now, unchanged
    assert len({a.id for a in harness.articles()}) == total
    assert harness.settings.max_entries_per_poll == limit


def test_a_lone_surrogate_in_one_entry_costs_nothing_but_that_character(
    harness: Harness, server: LocalServer
) -> None:
    items = [_item(1), _item(2, "Bad &#xD800; title &#55296;"), _item(3)]
    server.routes["/f.xml"] = Response(200, {"Content-Type": RSS}, _rss(items))
    harness.add(server.url("/f.xml"))
    stats = harness.poller.poll_once()
    assert (stats.failed, stats.articles) == (0, 3)
    assert sorted(a.title for a in harness.articles())[0] == "Bad \ufffd title \ufffd"


def test_an_entry_that_fails_to_build_is_its_own_error_and_the_others_are_published(
    harness: Harness, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fresh.build

    def build(entry, ref, fetched):  # noqa: ANN001, ANN202 - a stand-in for any bug on hostile input
        if entry.link.endswith("/s/2"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(entry, ref, fetched)

    monkeypatch.setattr(fresh, "build", build)
    server.routes["/f.xml"] = Response(200, {"Content-Type": RSS}, _rss([_item(n) for n in range(1, 4)]))
    harness.add(server.url("/f.xml"))
    stats = harness.poller.poll_once()
    assert (stats.failed, stats.articles) == (0, 2)
    row = _row(harness)
    assert row["skipped_entries"] == 1 and "RecursionError" in row["last_skipped_reason"]
    assert "1 entries skipped" in table([row])


def test_an_article_that_cannot_be_encoded_is_its_own_error_and_the_loop_goes_on(
    harness: Harness, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = service.encode

    def encode(article):  # noqa: ANN001, ANN202 - what a lone surrogate did in records.encode
        if article.title == "Story number 2":
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return real(article)

    monkeypatch.setattr(service, "encode", encode)
    server.routes["/f.xml"] = Response(200, {"Content-Type": RSS}, _rss([_item(n) for n in range(1, 4)]))
    harness.add(server.url("/f.xml"))
    stats = harness.poller.poll_once()
    assert (stats.failed, stats.articles) == (0, 2)
    assert "not encodable" in _row(harness)["last_skipped_reason"]
