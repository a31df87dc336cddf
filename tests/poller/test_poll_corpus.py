"""Every document of the feedparser corpus, served from 127.0.0.1 with the headers its comment names.

Each one must either yield articles (or parse as an empty feed) or be recorded
as a feed error with a reason; none may crash or stall the poller. Full-text
fetching is off: the documents link to real hosts, which no test may contact.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from pollsite import FAST, Harness, LocalServer, Response
from support import shared_path

pytestmark = pytest.mark.shared
_HEADER = re.compile(r"^Header:\s*([A-Za-z-]+):[ \t]*(.*?)\s*$", re.MULTILINE)


def corpus_headers(body: bytes) -> dict[str, str]:
    """The ``Header:`` lines of the document's opening comment (a Content-Type default otherwise)."""
    head = body[:4096].decode("latin-1")
    comment = head[head.find("<!--") : head.find("-->")] if "<!--" in head else ""
    headers = {name: value for name, value in _HEADER.findall(comment)}
    if not any(n.lower() == "content-type" for n in headers):
        headers["Content-Type"] = "application/xml"
    return headers


def test_every_corpus_document_yields_articles_or_a_recorded_error(tmp_path: Path) -> None:
    root = shared_path("data/feeds/feedparser-suite")
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".rdf", ".rss", ".atom")
    )
    assert len(files) > 1000
    server = LocalServer()
    settings = FAST.__class__(**{**FAST.__dict__, "concurrency": 8, "per_host_concurrency": 8})
    h = Harness(tmp_path, settings)
    try:
        for n, path in enumerate(files):
            body = path.read_bytes()
            server.routes[f"/c/{n}"] = Response(200, corpus_headers(body), body, etag=False)
            h.add(server.url(f"/c/{n}"), name=str(path.relative_to(root)))
        started = time.monotonic()
        stats = h.poller.poll_once()
        assert time.monotonic() - started < 60
        feeds = h.store.feeds()
        assert stats.polled == len(files) == len(feeds)
        unexplained = [
            f.name for f in feeds if f.last_polled is None or (f.last_success is None and not f.last_error)
        ]
        assert not unexplained
        crashed = [(f.name, f.last_error) for f in feeds if f.last_error and "internal error" in f.last_error]
        assert not crashed
        for article in h.articles():
            assert "<script" not in article.title.lower() and "<script" not in article.text.lower()
        print(f"\ncorpus: {stats.line()}")
        for f in feeds:
            if f.last_error:
                print(f.name, "->", f.last_error)
    finally:
        h.close()
        server.close()
