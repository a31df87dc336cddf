"""Full text from the article page, read by :mod:`pipeline.poller.extract` (the trafilatura adapter).

Guarantees of :meth:`FullText.page`: the page is fetched only when the site's
robots.txt allows our user agent (an unreadable robots.txt other than a 404
means "don't"), only through the shared fetch function (so the size cap,
timeouts, scheme check and outbound policy apply: a page off the feed's own
host must be on a public address) and only while holding a slot of the shared
per-host gate. It never raises: without text the caller keeps the summary, and
a destination the outbound policy refused is named in :attr:`Page.refused`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from pipeline.poller.extract import extract
from pipeline.poller.fetch import FetchResult
from pipeline.poller.hosts import HostGate, host_key
from pipeline.urls import fetch_refusal

log = logging.getLogger(__name__)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ROBOTS_TTL_S = 3600.0

Fetch = Callable[..., FetchResult]


@dataclass(frozen=True, slots=True)
class Page:
    """What the article page gave: its text, or None; ``refused`` says why policy kept us off it."""

    text: str | None = None
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class _Robots:
    rules: RobotFileParser | None  # None: cannot tell, stay off the site
    refused: str | None = None


class FullText:
    """Article-page text with robots.txt and per-host politeness; see the module docstring."""

    def __init__(self, fetch: Fetch, gate: HostGate, user_agent: str, wait_s: float = 30.0) -> None:
        self._fetch, self._gate, self._agent, self._wait_s = fetch, gate, user_agent, wait_s
        self._robots: dict[tuple[str, str], tuple[float, _Robots]] = {}
        self._lock = threading.Lock()

    def page(self, url: str, trusted_host: str | None = None) -> Page:
        """The article text of the page at ``url`` (None: not allowed, unreachable, nothing found).

        ``trusted_host`` is the host of the feed the entry came from: only there may the
        page (and its robots.txt) be on a private address.
        """
        if fetch_refusal(url):
            return Page()
        robots = self._robots_for(url, trusted_host)
        if robots.refused:
            return Page(refused=robots.refused)
        if robots.rules is None or not robots.rules.can_fetch(self._agent, url):
            return Page()
        result = self._polite_get(url, PAGE_ACCEPT, trusted_host)
        if result is None or result.error or not result.body:
            log.info("full text of %s: %s", url, result.error if result else "no host slot in time")
            return Page(refused=result.error if result is not None and result.refused else None)
        return Page(extract(result.body, url))

    def _robots_for(self, url: str, trusted_host: str | None) -> _Robots:
        """robots.txt of ``url``'s site, cached per site (and per trust, so a refusal is not shared)."""
        parts = urlsplit(url)
        site = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        key = (site, trusted_host or "")
        with self._lock:
            cached = self._robots.get(key)
        if cached is None or cached[0] < time.monotonic():
            cached = (time.monotonic() + ROBOTS_TTL_S, self._load_robots(site, trusted_host))
            with self._lock:
                self._robots[key] = cached
        return cached[1]

    def _load_robots(self, site: str, trusted_host: str | None) -> _Robots:
        result = self._polite_get(f"{site}/robots.txt", "text/plain", trusted_host)
        rules = RobotFileParser()
        if result is not None and result.refused:
            return _Robots(None, result.error)
        if result is not None and result.status in (404, 410):
            rules.parse([])  # no robots.txt: everything is allowed, as under an empty one
            return _Robots(rules)
        if result is None or result.error or result.status != 200:
            return _Robots(None)  # cannot tell: stay off the site
        rules.parse(result.body.decode("utf-8", "replace").splitlines())
        return _Robots(rules)

    def _polite_get(self, url: str, accept: str, trusted_host: str | None) -> FetchResult | None:
        host = host_key(url)
        if not self._gate.acquire(host, self._wait_s):
            return None
        try:
            return self._fetch(url, accept=accept, trusted_host=trusted_host)
        finally:
            self._gate.release(host)

