"""Canonical URLs: one article, one URL, one id; only http(s) is fetched."""

from __future__ import annotations

import pytest

from pipeline.urls import canonical_url, fetch_refusal


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "HTTP://News.Example.COM/a/b?utm_source=rss&utm_medium=x&id=3#comments",
            "http://news.example.com/a/b?id=3",
        ),
        ("https://example.com:443/x?b=2&a=1&fbclid=zz", "https://example.com/x?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("http://example.com:8080/p?gclid=1&mc_cid=2", "http://example.com:8080/p"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/f.xml",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/feed",
        "http:///nohost",
        "http://h:99999/",
    ],
)
def test_only_http_and_https_with_a_host_are_fetched(url: str) -> None:
    assert fetch_refusal(url).startswith("refused")


def test_http_and_https_are_fetched() -> None:
    assert fetch_refusal("https://example.com/feed.xml") is None
    assert fetch_refusal("http://127.0.0.1:8080/rss") is None
