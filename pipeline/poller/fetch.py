"""HTTP fetching for feeds and article pages: the only module that imports httpx.

Guarantees of :meth:`Fetcher.fetch`:

- never raises for a network or protocol problem: every failure comes back as a
  :class:`FetchResult` whose ``error`` says what went wrong in words a person reads;
- only ``http``/``https`` URLs are requested, including every redirect target;
- outbound policy: a request (feed, robots.txt, article page, every redirect hop)
  connects only to public addresses, checked on the address actually connected to
  (:mod:`pipeline.poller.connect`), unless its host is the ``trusted_host`` the
  operator named (a feed's own host) or the fetcher was built with
  ``allow_private=True``; a refused destination comes back with ``refused`` set;
- redirects are followed by hand (at most ``max_redirects``; a loop is an error) so
  that a chain of *permanent* redirects can move the feed to its new URL;
- the decoded body never exceeds ``max_bytes``: the fetcher undoes the content
  encodings itself (:mod:`pipeline.poller.decode`), incrementally and across every
  layer, so a 100 MB stream or a nested gzip bomb costs about ``max_bytes`` of memory;
  the raw body is capped at ``max_bytes`` too;
- one deadline, ``timeout_s``, for the whole exchange (connect, headers, body, every
  redirect hop), enforced by the clock on every socket operation
  (:mod:`pipeline.poller.deadline`): a server trickling its headers cannot stretch it;
  a connect waits at most ``connect_timeout_s``;
- :meth:`Fetcher.cancel` (shutdown) ends every exchange in progress within about
  a quarter of a second (a connect in progress: within ``connect_timeout_s``).

Thread-safe: one shared connection pool serves every worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpcore
import httpx

from pipeline.poller.connect import PublicOnlyBackend, RefusedAddress, Resolve, resolve
from pipeline.poller.deadline import DeadlineBackend, ExchangeCancelled, ExchangeClock
from pipeline.poller.decode import BoundedDecoder, TooLarge, Undecodable, encodings
from pipeline.poller.hosts import host_key
from pipeline.urls import fetch_refusal

REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one GET produced. ``error`` set means no usable body."""

    url: str  # the URL finally answered (after redirects)
    status: int = 0  # 0: no HTTP answer at all
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    error: str | None = None
    moved_to: str | None = None  # set when every redirect hop was permanent
    refused: bool = False  # the outbound policy refused a destination (``error`` says which and why)

    @property
    def not_modified(self) -> bool:
        return self.status == 304 and self.error is None


class FetchError(Exception):
    """Internal: a fetch that failed for a reason we can state."""


PRIVATE_HINT = ("non-public destinations are fetched only from a feed's own host; "
                "[poller] allow_private_networks = true allows them all")


class Fetcher:
    """A shared HTTP client with the poller's limits; see the module docstring."""

    def __init__(self, user_agent: str, timeout_s: float = 20.0, max_bytes: int = 10_000_000,
                 max_redirects: int = 5, pool_size: int = 32, allow_private: bool = False,
                 resolver: Resolve = resolve, connect_timeout_s: float = 5.0,
                 max_encodings: int = 2) -> None:
        self.timeout_s, self.max_bytes, self.max_redirects = timeout_s, max_bytes, max_redirects
        self.connect_timeout_s, self.max_encodings = min(connect_timeout_s, timeout_s), max_encodings
        self.allow_private = allow_private
        self._clock = ExchangeClock()
        # Two pools, so that a connection opened to a trusted private host is never reused for a
        # request that must go to a public address: the public pool can only ever hold public sockets.
        self._open = self._client(user_agent, pool_size, DeadlineBackend(self._clock))
        self._public = self._client(user_agent, pool_size,
                                    DeadlineBackend(self._clock, PublicOnlyBackend(resolver)))

    def _client(self, user_agent: str, pool_size: int, backend: httpcore.NetworkBackend) -> httpx.Client:
        limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
        transport = httpx.HTTPTransport(limits=limits, trust_env=False)
        # httpx has no parameter for the network backend; its transport's pool is httpcore's.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=transport._pool._ssl_context, max_connections=pool_size,
            max_keepalive_connections=pool_size, network_backend=backend)
        # trust_env=False: no proxy from the environment; the poller talks to the feed host directly.
        return httpx.Client(
            timeout=httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s), follow_redirects=False,
            trust_env=False, headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport)

    def cancel(self) -> None:
        """End every exchange in progress soon, and refuse new ones (shutdown). Irreversible."""
        self._clock.cancel()

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
              accept: str = FEED_ACCEPT, trusted_host: str | None = None) -> FetchResult:
        """GET ``url`` conditionally (ETag / Last-Modified); never raises for network trouble.

        ``trusted_host`` (a host name the operator chose: a feed's own host) may be private;
        every other host, on any redirect hop, must be public (see the module docstring).
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._clock.exchange(self.timeout_s) as deadline:
                return self._follow(url, headers, deadline, (trusted_host or "").lower())
        except ExchangeCancelled as exc:
            return FetchResult(url=url, error=str(exc))
        except RefusedAddress as exc:
            return FetchResult(url=url, error=f"refused: {exc} ({PRIVATE_HINT})", refused=True)
        except FetchError as exc:
            return FetchResult(url=url, error=str(exc))
        except httpx.TimeoutException:
            return FetchResult(url=url, error=f"timeout: no complete answer within {self.timeout_s:g}s")
        except httpx.ConnectError as exc:
            return FetchResult(url=url, error=f"cannot connect: {exc}")
        except httpx.DecodingError as exc:
            return FetchResult(url=url, error=f"undecodable response body: {exc}")
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            return FetchResult(url=url, error=f"HTTP failure: {type(exc).__name__}: {exc}")

    def _follow(self, url: str, headers: dict[str, str], deadline: float, trusted: str) -> FetchResult:
        visited: set[str] = set()
        permanent = True
        for _hop in range(self.max_redirects + 1):
            refused = fetch_refusal(url)
            if refused:
                raise FetchError(refused)
            if url in visited:
                raise FetchError(f"redirect loop: {url} was already visited")
            visited.add(url)
            client = self._open if self.allow_private or host_key(url) == trusted else self._public
            result = self._get(client, url, headers, deadline)
            location = result.headers.get("location")
            if result.status not in REDIRECTS or not location:
                moved = url if permanent and len(visited) > 1 else None
                return FetchResult(result.url, result.status, result.body, result.headers, result.error,
                                   moved)
            permanent = permanent and result.status in PERMANENT
            url = urljoin(url, location.strip())
        raise FetchError(f"too many redirects (more than {self.max_redirects})")

    def _get(self, client: httpx.Client, url: str, headers: dict[str, str], deadline: float) -> FetchResult:
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpx.TimeoutException("deadline passed between redirect hops")
        # The pool wait and the connect are bounded by what is left of the deadline as well.
        timeout = httpx.Timeout(left, connect=min(left, self.connect_timeout_s))
        with client.stream("GET", url, headers=headers, timeout=timeout) as response:
            head = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code in REDIRECTS or response.status_code == 304:
                return FetchResult(url, response.status_code, b"", head)
            declared = head.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"response too large: {int(declared):,} bytes declared, "
                                 f"the limit is {self.max_bytes:,}")
            body = self._read_capped(response, deadline)
        error = None if 200 <= response.status_code < 300 else _status_reason(response)
        return FetchResult(url, response.status_code, body if error is None else b"", head, error)

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        try:
            decoder = BoundedDecoder(encodings(response.headers.get("content-encoding")), self.max_bytes,
                                     self.max_encodings)
            wire = 0
            for chunk in response.iter_raw():  # undecoded: httpx would inflate each chunk without a bound
                wire += len(chunk)
                if wire > self.max_bytes:
                    raise FetchError(f"response too large: more than {self.max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"timeout: body still arriving after {self.timeout_s:g}s")
                decoder.feed(chunk)
        except TooLarge as exc:
            raise FetchError(str(exc)) from None
        except Undecodable as exc:
            raise FetchError(f"undecodable response body: {exc}") from None
        return decoder.body()

    def close(self) -> None:
        self._open.close()
        self._public.close()


def _status_reason(response: httpx.Response) -> str:
    phrase = response.reason_phrase or ""
    return f"HTTP {response.status_code} {phrase}".strip()
