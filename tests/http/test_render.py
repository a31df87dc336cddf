"""Pure helpers of the web page: safe links, highlights, URLs with state, text segments, the rate limiter."""

from __future__ import annotations

import pytest
from http_corpus import corpus

from pipeline.http.ratelimit import RateLimiter
from pipeline.http.render import highlighted, safe_href, search_url, segments, xml_text
from pipeline.http.server import is_loopback


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>",
                                 "file:///etc/passwd", "//evil.test/x", "http:/no-host", "", None])
def test_only_absolute_http_urls_link(url: str | None) -> None:
    assert safe_href(url) is None


def test_http_urls_link() -> None:
    assert safe_href("https://news.test/a?b=1") == "https://news.test/a?b=1"


def test_highlight_escapes_everything_but_its_marks() -> None:
    got = highlighted("<b>x</b> [[drones]] and [[<i>]] [[unclosed", "")
    assert str(got) == "&lt;b&gt;x&lt;/b&gt; <mark>drones</mark> and <mark>&lt;i&gt;</mark> [[unclosed"


def test_search_url_resets_the_page_when_a_filter_changes() -> None:
    params = {"q": "drones", "after": "o10", "limit": "5"}
    assert search_url(params, speaker="Tehran") == "/?q=drones&speaker=Tehran&limit=5"
    assert search_url(params, after="o15") == "/?q=drones&limit=5&after=o15"
    assert search_url({"q": "a&b=c"}, "/api/claims/feed") == "/api/claims/feed?q=a%26b%3Dc"


def test_segments_cover_the_text_and_mark_each_claim_once() -> None:
    enriched = corpus()[0]
    parts = segments(enriched.article.text, enriched.claims, enriched.entities)
    assert "".join(p.text for p in parts) == enriched.article.text
    assert [p.anchor for p in parts if p.anchor] == [c.id for c in enriched.claims]
    for claim in enriched.claims:
        assert "".join(p.text for p in parts if p.claim == claim.id) == claim.content.text
    assert {p.entity_name for p in parts if p.entity} == {e.canonical for e in enriched.entities}


def test_xml_text_drops_forbidden_control_characters() -> None:
    assert xml_text("a\x00b\x1bc\td\n") == "abc\td\n"


def test_rate_limiter_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, 3, clock=lambda: now[0])
    assert [limiter.check("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.check("a") == pytest.approx(0.5)
    assert limiter.check("b") == 0.0  # another client has its own bucket
    now[0] = 0.5
    assert limiter.check("a") == 0.0 and limiter.check("a") > 0
    assert RateLimiter.retry_after(0.2) == "1"


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.3.4.5", True), ("::1", True),
                                                ("localhost", True), ("0.0.0.0", False), ("192.168.1.2", False),
                                                ("example.test", False)])
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
