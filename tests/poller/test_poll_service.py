"""The poller against a generated news site on 127.0.0.1 (SQLite bus in tmp_path)."""

from __future__ import annotations

import time
from collections import Counter

from pollsite import Harness, Item, LocalServer, NewsSite, Response

from pipeline.errors import BackendUnavailable
from pipeline.records import stable_id
from pipeline.urls import canonical_url


def _site_with(site: NewsSite, feed: str, n: int, full: bool = True) -> None:
    for i in range(n):
        site.add(feed, Item(f"{feed}-{i}", f"{feed.title()} story {i}", full=full))


def test_first_poll_publishes_every_entry_once_then_304s_publish_nothing(
    harness: Harness, site: NewsSite, server: LocalServer
) -> None:
    _site_with(site, "world", 5)
    harness.add(site.feed_url("world"), "World Desk")
    stats = harness.poller.poll_once()
    assert (stats.polled, stats.articles, stats.failed) == (1, 5, 0)
    articles = harness.articles()
    assert len({a.id for a in articles}) == 5
    first = articles[0]
    assert "utm_" not in first.canonical_url and "#" not in first.canonical_url
    assert first.id == stable_id("url", canonical_url(first.url))
    assert first.source.name == "World Desk" and first.source.feed_url == site.feed_url("world")
    assert first.published == "2025-06-03T09:30:00+00:00" and not first.published_estimated

    again = harness.poller.poll_once(force=True)
    assert (again.polled, again.articles, again.unchanged) == (1, 0, 1)
    assert server.log[-1][2].get("if-none-match")  # a conditional GET ...
    assert len(harness.articles()) == 5  # ... answered 304: nothing published


def test_a_new_entry_publishes_only_that_entry(harness: Harness, site: NewsSite) -> None:
    _site_with(site, "world", 3)
    harness.add(site.feed_url("world"))
    harness.poller.poll_once()
    site.add("world", Item("world-new", "Brand new story"))
    stats = harness.poller.poll_once(force=True)
    assert stats.articles == 1
    assert harness.articles()[-1].title == "Brand new story"


def test_a_restart_publishes_no_duplicates(harness: Harness, site: NewsSite, server: LocalServer) -> None:
    _site_with(site, "world", 4)
    harness.add(site.feed_url("world"))
    harness.poller.poll_once()
    harness.restart()
    harness.store.update(1, {"etag": None, "body_hash": None})  # force a full 200 response
    site.add("world", Item("world-x", "After the restart"))
    harness.poller.poll_once(force=True)
    ids = Counter(a.id for a in harness.articles())
    assert len(ids) == 5 and max(ids.values()) == 1


def test_validators_that_lie_fall_back_to_the_body_hash(
    harness: Harness, server: LocalServer, site: NewsSite
) -> None:
    _site_with(site, "world", 2)
    route = server.routes["/feeds/world.xml"]
    server.routes["/feeds/world.xml"] = Response(200, route.headers, route.body, etag=False)  # never a 304
    harness.add(site.feed_url("world"))
    harness.poller.poll_once()
    again = harness.poller.poll_once(force=True)
    assert (again.unchanged, again.articles) == (1, 0)


def test_summary_only_feed_gets_full_text_from_the_article_page(
    tmp_path, site: NewsSite, server: LocalServer
) -> None:
    from pollsite import FAST

    h = Harness(tmp_path, FAST.__class__(**{**FAST.__dict__, "full_text": True}))
    try:
        _site_with(site, "briefs", 2, full=False)
        h.add(site.feed_url("briefs"))
        h.poller.poll_once()
        articles = h.articles()
        assert len(articles) == 2
        for a in articles:
            assert "Paragraph 3 of the story" in a.text and "tracker" not in a.text
            assert a.summary.startswith("Short:")
        assert server.hits("/robots.txt") == 1  # cached per site
    finally:
        h.close()


def test_robots_txt_is_respected(tmp_path, site: NewsSite, server: LocalServer) -> None:
    from pollsite import FAST

    server.routes["/robots.txt"] = Response(
        200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n"
    )
    h = Harness(tmp_path, FAST.__class__(**{**FAST.__dict__, "full_text": True}))
    try:
        _site_with(site, "briefs", 1, full=False)
        h.add(site.feed_url("briefs"))
        h.poller.poll_once()
        assert h.articles()[0].text == "Short: Briefs story 0"
        assert server.hits("/articles/briefs-0.html") == 0
    finally:
        h.close()


def test_429_with_retry_after_is_honoured(harness: Harness, server: LocalServer) -> None:
    server.routes["/busy.xml"] = Response(429, {"Retry-After": "7200"}, b"slow down")
    server.routes["/sibling.xml"] = Response(200, {"Content-Type": "application/rss+xml"}, b"<rss/>")
    harness.add(server.url("/busy.xml"))
    harness.add(server.url("/sibling.xml"))
    harness.restart(concurrency=1)
    stats = harness.poller.poll_once()
    feed = harness.store.get(1)
    assert feed.failures == 1 and "429" in feed.last_error and "Retry-After 7200s" in feed.last_error
    assert feed.next_poll >= harness.clock[0] + 7200  # not a second earlier ...
    assert feed.next_poll <= harness.clock[0] + 7200 * 1.1 + 1  # ... and spread by at most 10%
    assert server.hits("/sibling.xml") == 0 and stats.deferred == 1  # the whole host waits
    harness.poller.poll_once(force=True)  # --force still honours the server's Retry-After
    assert server.hits("/busy.xml") == 1


def test_two_feeds_on_one_host_respect_the_per_host_limit(harness: Harness, server: LocalServer) -> None:
    body = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    for name in ("a", "b", "c"):
        server.routes[f"/{name}.xml"] = Response(200, {"Content-Type": "text/xml"}, body, delay_s=0.2)
        harness.add(server.url(f"/{name}.xml"))
    harness.restart(per_host_concurrency=1, per_host_delay_s=0.3)
    harness.poller.poll_once()
    starts = sorted(t for p, t, _ in server.log)
    assert server.max_active == 1
    assert all(b - a >= 0.29 for a, b in zip(starts, starts[1:], strict=False))


def test_a_failing_feed_is_backed_off_and_shown_as_failing_never_dropped(
    harness: Harness, server: LocalServer
) -> None:
    from pipeline.poller.health import health_rows

    server.routes["/down.xml"] = Response(500, {}, b"oops")
    harness.add(server.url("/down.xml"))
    delays = []
    for _ in range(4):
        harness.poller.poll_once(force=True)
        feed = harness.store.get(1)
        delays.append(feed.next_poll - harness.clock[0])
    assert feed.failures == 4 and delays[-1] > delays[0]
    row = health_rows(harness.store, harness.clock[0])[0]
    assert row["status"] == "failing" and row["last_error_reason"] == "HTTP 500 Internal Server Error"
    assert row["consecutive_failures"] == 4 and row["next_poll"]


def test_a_permanent_redirect_moves_the_feed(harness: Harness, server: LocalServer, site: NewsSite) -> None:
    _site_with(site, "world", 1)
    server.routes["/old.xml"] = Response(301, {"Location": "/feeds/world.xml"}, b"")
    harness.add(server.url("/old.xml"))
    harness.poller.poll_once()
    assert harness.store.get(1).url == site.feed_url("world")


def test_hostile_servers_become_feed_errors_with_reasons(harness: Harness, server: LocalServer) -> None:
    def hang(req):  # never answers (until the test ends)
        server.stopping.wait(8.0)
        return Response(200, {}, b"")

    def huge(req):  # 100 MB, streamed without a length
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.end_headers()
        chunk = b"<!-- " + b"x" * 65_000 + b" -->"
        for _ in range(100_000_000 // len(chunk)):
            req.wfile.write(chunk)
        return None

    server.routes.update(
        {
            "/hang.xml": hang,
            "/huge.xml": huge,
            "/loop1.xml": Response(302, {"Location": "/loop2.xml"}),
            "/loop2.xml": Response(302, {"Location": "/loop1.xml"}),
        }
    )
    for path in ("/hang.xml", "/huge.xml", "/loop1.xml"):
        harness.add(server.url(path))
    harness.add("ftp://127.0.0.1/feed.xml")
    harness.restart(timeout_s=1.0)
    started = time.monotonic()
    stats = harness.poller.poll_once()
    assert time.monotonic() - started < 6 and stats.failed == 4
    reasons = {f.url.rsplit("/", 1)[-1]: f.last_error for f in harness.store.feeds()}
    assert reasons["hang.xml"].startswith("timeout")
    assert reasons["huge.xml"].startswith("response too large")
    assert reasons["loop1.xml"].startswith("redirect loop")
    assert reasons["feed.xml"].startswith("refused: only http and https")


def test_markup_and_scripts_never_reach_the_articles(harness: Harness, server: LocalServer) -> None:
    rss = (
        b'<rss version="2.0"><channel><title>x</title><item>'
        b"<title>Hello &lt;script&gt;alert(1)&lt;/script&gt;"
        b"&lt;b&gt;world&lt;/b&gt;</title><link>http://127.0.0.1/a</link><description><![CDATA[<p>Body "
        b"<script>steal()</script><img src=x onerror=alert(1)> text</p><style>p{}</style>]]></description>"
        b"</item></channel></rss>"
    )
    server.routes["/x.xml"] = Response(200, {"Content-Type": "application/rss+xml"}, rss)
    harness.add(server.url("/x.xml"))
    harness.poller.poll_once()
    (article,) = harness.articles()
    assert article.title == "Hello world"
    assert article.text == "Body text"
    assert article.published_estimated  # no date in the feed: the fetch time stands in


def test_nothing_is_marked_seen_when_the_flush_fails(harness: Harness, site: NewsSite) -> None:
    class Broken:
        def publish(self, *a, **k):
            pass

        def flush(self, timeout_s=None):
            raise BackendUnavailable("bus down")

        def close(self):
            pass

    _site_with(site, "world", 2)
    harness.add(site.feed_url("world"))
    harness.poller.close()
    harness.poller = harness._poller()
    harness.poller.producer = Broken()
    stats = harness.poller.poll_once()
    assert stats.failed == 1 and harness.store.get(1).etag is None
    harness.poller.producer = harness.producer
    assert harness.poller.poll_once(force=True).articles == 2  # nothing was lost


def test_step_is_bounded_by_its_timeout_when_idle(harness: Harness) -> None:
    started = time.monotonic()
    assert harness.poller.step(0.2) == 0
    assert time.monotonic() - started < 0.6


def test_the_poller_publishes_through_either_bus(bus, topic: str, tmp_path, site: NewsSite) -> None:
    from pollsite import FAST

    from pipeline.poller.service import Poller
    from pipeline.poller.store import FeedStore
    from pipeline.records import Article, decode

    _site_with(site, "world", 3)
    bus.ensure_topics([topic])
    store, producer = FeedStore(tmp_path / "feeds.db"), bus.producer()
    store.add(site.feed_url("world"))
    poller = Poller(store, producer, FAST, topic=topic)
    try:
        assert poller.poll_once().articles == 3
    finally:
        poller.close()
        producer.close()
        store.close()
    deadline = time.monotonic() + 10
    while len(bus.read(topic)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(decode(m.value, Article).title for m in bus.read(topic)) == [
        f"World story {i}" for i in range(3)
    ]


def test_the_service_loop_polls_feeds_when_they_are_due(harness: Harness, site: NewsSite) -> None:
    _site_with(site, "world", 2)
    harness.add(site.feed_url("world"))
    polled = 0
    for _ in range(10):
        polled += harness.poller.step(0.5)
        if polled:
            break
    assert polled == 1 and len(harness.articles()) == 2 and harness.poller.sensor.counts["poll.out"] == 2
    assert harness.poller.step(0.1) == 0  # not due again yet
    site.add("world", Item("world-late", "Late story"))
    harness.clock[0] += 7200  # two hours later it is due again
    assert sum(harness.poller.step(0.5) for _ in range(4)) == 1
    assert harness.articles()[-1].title == "Late story"


def test_the_same_story_under_two_urls_is_published_once(harness: Harness, site: NewsSite) -> None:
    site.add("world", Item("copy-a", "Syndicated story"))
    site.add("wire", Item("copy-b", "Syndicated story"))  # same text, another URL: caught by content hash
    harness.add(site.feed_url("world"))
    harness.add(site.feed_url("wire"))
    assert harness.poller.poll_once().articles == 1
    assert len(harness.articles()) == 1
