"""Full text from the article page: the only module that imports trafilatura.

Guarantees of :meth:`FullText.text`: the page is fetched only when the site's
robots.txt allows our user agent (an unreadable robots.txt other than a 404
means "don't"), only through the shared fetch function (so the size cap,
timeouts and scheme check apply) and only while holding a slot of the shared
per-host gate. It returns None rather than raising: the caller keeps the summary.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from pipeline.poller.fetch import FetchResult, check_url
from pipeline.poller.hosts import HostGate, host_key

log = logging.getLogger(__name__)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ROBOTS_TTL_S = 3600.0
MIN_TEXT_CHARS = 200  # shorter extractions are menus or paywalls, not the article

Fetch = Callable[..., FetchResult]


class FullText:
    """Article-page text with robots.txt and per-host politeness; see the module docstring."""

    def __init__(self, fetch: Fetch, gate: HostGate, user_agent: str, wait_s: float = 30.0) -> None:
        self._fetch, self._gate, self._agent, self._wait_s = fetch, gate, user_agent, wait_s
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._lock = threading.Lock()

    def text(self, url: str) -> str | None:
        """The article text of the page at ``url``, or None (not allowed, unreachable, nothing found)."""
        if check_url(url) or not self.allowed(url):
            return None
        result = self._polite_get(url, accept=PAGE_ACCEPT)
        if result is None or result.error or not result.body:
            log.info("full text of %s: %s", url, result.error if result else "no host slot in time")
            return None
        return extract(result.body, url)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s site lets our user agent fetch it (cached per site)."""
        parts = urlsplit(url)
        site = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        with self._lock:
            cached = self._robots.get(site)
        if cached is None or cached[0] < time.monotonic():
            cached = (time.monotonic() + ROBOTS_TTL_S, self._load_robots(site))
            with self._lock:
                self._robots[site] = cached
        rules = cached[1]
        return rules is not None and rules.can_fetch(self._agent, url)

    def _load_robots(self, site: str) -> RobotFileParser | None:
        result = self._polite_get(f"{site}/robots.txt", accept="text/plain")
        rules = RobotFileParser()
        if result is not None and result.status in (404, 410):
            rules.allow_all = True  # no robots.txt: everything is allowed
            return rules
        if result is None or result.error or result.status != 200:
            return None  # cannot tell: stay off the site
        rules.parse(result.body.decode("utf-8", "replace").splitlines())
        return rules

    def _polite_get(self, url: str, accept: str) -> FetchResult | None:
        host = host_key(url)
        if not self._gate.acquire(host, self._wait_s):
            return None
        try:
            return self._fetch(url, accept=accept)
        finally:
            self._gate.release(host)


def extract(html: bytes, url: str) -> str | None:
    """Main text of an HTML page (trafilatura), or None when there is too little of it."""
    import trafilatura  # imported on first use: polling with full_text off never pays for it

    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                                   favor_precision=True, deduplicate=True)
    except Exception as exc:  # noqa: BLE001 - hostile pages must not stop the poller
        log.info("full text of %s: extraction failed: %s", url, exc)
        return None
    return text if text and len(text.strip()) >= MIN_TEXT_CHARS else None
