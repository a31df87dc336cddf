"""Helpers for the poller tests: a threaded HTTP server on 127.0.0.1 and a generated news site.

Nothing here listens on or talks to anything but loopback; every wait is bounded.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.bus.base import RAW
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import PollerSettings
from pipeline.poller.service import Poller
from pipeline.poller.store import FeedStore
from pipeline.records import Article, decode

HANG_S = 8.0  # a "never answering" handler gives up after this (the poller's timeout is far shorter)


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    etag: bool = True  # answer If-None-Match with 304 when the body is unchanged
    delay_s: float = 0.0
    gzip: bool = True  # compress when the client accepts it


Route = Callable[[BaseHTTPRequestHandler], Response | None]  # None: the route wrote the response itself


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many concurrent polls: no dropped connections
    daemon_threads = True


class LocalServer:
    """A threaded HTTP/1.0 server on ``host`` (127.0.0.1 unless told) with an ephemeral port; routes
    are set by tests."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Response | Route] = {}
        self.log: list[tuple[str, float, dict[str, str]]] = []
        self.active: dict[str, int] = {}
        self.max_active = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.host = host
        self.httpd = _Server((host, 0), self._handler())
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.log if p == path)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                server._serve(self)

        return Handler

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path
        with self._lock:
            self.log.append((path, time.monotonic(), {k.lower(): v for k, v in req.headers.items()}))
            self.active[path] = self.active.get(path, 0) + 1
            self.max_active = max(self.max_active, sum(self.active.values()))
        try:
            route = self.routes.get(path)
            response = route(req) if callable(route) else route
            if route is None:
                response = Response(404, {"Content-Type": "text/plain"}, b"not found")
            if response is not None:
                _write(req, response)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.active[path] -= 1

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _write(req: BaseHTTPRequestHandler, r: Response) -> None:
    if r.delay_s:
        time.sleep(r.delay_s)
    etag = '"' + hashlib.sha1(r.body).hexdigest()[:16] + '"'
    if r.etag and r.status == 200 and req.headers.get("If-None-Match") == etag:
        req.send_response(304)
        req.send_header("ETag", etag)
        req.end_headers()
        return
    body = r.body
    headers = dict(r.headers)
    if (
        "gzip" in (req.headers.get("Accept-Encoding") or "")
        and len(body) > 512
        and r.status == 200
        and r.gzip
    ):
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    req.send_response(r.status)
    for name, value in headers.items():
        req.send_header(name, value)
    if r.etag and r.status == 200:
        req.send_header("ETag", etag)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)


# --- a generated news site ----------------------------------------------------------

PARAGRAPH = (
    "The council met on Tuesday to debate the new harbour plan, which the mayor said would bring "
    "jobs and visitors to the old docks. Opponents argued that the cost had doubled since the "
    "first estimate and that residents had not been consulted. "
)


@dataclass
class Item:
    slug: str
    title: str
    published: str = "Tue, 03 Jun 2025 09:30:00 GMT"
    full: bool = True  # content:encoded with the whole article; False: a one-line description only


class NewsSite:
    """Feeds and article pages under one host; ``add`` publishes a new item and re-renders its feed."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.feeds: dict[str, list[Item]] = {}
        server.routes["/robots.txt"] = Response(
            200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
        )

    def feed_url(self, name: str) -> str:
        return self.server.url(f"/feeds/{name}.xml")

    def add(self, feed: str, item: Item) -> None:
        self.feeds.setdefault(feed, []).insert(0, item)
        self.server.routes[f"/articles/{item.slug}.html"] = Response(
            200, {"Content-Type": "text/html; charset=utf-8"}, self._page(item)
        )
        self.server.routes[f"/feeds/{feed}.xml"] = Response(
            200, {"Content-Type": "application/rss+xml; charset=utf-8"}, self._rss(feed)
        )

    def _rss(self, feed: str) -> bytes:
        items = "".join(self._item(i) for i in self.feeds[feed])
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{feed} news</title>'
            f"<link>{self.server.base}/</link><ttl>30</ttl>{items}</channel></rss>"
        ).encode()

    def _item(self, item: Item) -> str:
        link = f"{self.server.base}/articles/{item.slug}.html?utm_source=rss&amp;utm_medium=feed#top"
        body = (
            f"<content:encoded><![CDATA[<p>{PARAGRAPH * 4}</p><p>{item.title}.</p>]]></content:encoded>"
            if item.full
            else ""
        )
        return (
            f"<item><title>{item.title}</title><link>{link}</link><guid>{item.slug}</guid>"
            f"<pubDate>{item.published}</pubDate><description>Short: {item.title}</description>"
            f"{body}</item>"
        )

    def _page(self, item: Item) -> bytes:
        paras = "".join(f"<p>{PARAGRAPH} Paragraph {n} of the story on {item.title}.</p>" for n in range(6))
        return (
            f"<html><head><title>{item.title}</title><script>var tracker = 1;</script></head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{item.title}</h1>{paras}</article>"
            f"<footer>Copyright</footer></body></html>"
        ).encode()


# --- a poller wired to the SQLite bus in tmp_path -------------------------------------------

FAST = PollerSettings(
    full_text=False,
    timeout_s=2.0,
    min_interval_s=60.0,
    per_host_delay_s=0.0,
    per_host_concurrency=4,
    concurrency=8,
    max_bytes=2_000_000,
)


class Harness:
    """A store, a bus and a poller in ``tmp_path``; ``restart`` makes a new poller on the same state."""

    def __init__(self, tmp_path: Path, settings: PollerSettings) -> None:
        self.tmp_path, self.settings = tmp_path, settings
        self.bus = SqliteBus(tmp_path / "bus.db")
        self.bus.ensure_topics([RAW])
        self.store = FeedStore(tmp_path / "feeds.db")
        self.producer = self.bus.producer()
        self.clock = [time.time()]
        self.poller = self._poller()

    def _poller(self, **kwargs: object) -> Poller:
        return Poller(self.store, self.producer, self.settings, now=lambda: self.clock[0], **kwargs)

    def restart(self, **settings: object) -> None:
        self.poller.close()
        self.settings = replace(self.settings, **settings)
        self.poller = self._poller()

    def add(self, url: str, name: str = "") -> int:
        return self.store.add(url, name, now=self.clock[0])[0].id

    def articles(self) -> list[Article]:
        return [decode(m.value, Article) for m in self.bus.read(RAW, limit=100_000)]

    def close(self) -> None:
        self.poller.close()
        self.producer.close()
        self.store.close()
        self.bus.close()


def trickle(server: LocalServer, every_s: float = 0.3, for_s: float = 20.0) -> Route:
    """A route answering ``HTTP/1.1 200 OK`` and then one header line every ``every_s`` seconds, for
    ``for_s`` seconds at most (or until the server stops): each read gets an answer, the exchange never ends."""

    def route(req: BaseHTTPRequestHandler) -> None:
        req.wfile.write(b"HTTP/1.1 200 OK\r\n")
        end, n = time.monotonic() + for_s, 0
        while time.monotonic() < end and not server.stopping.is_set():
            req.wfile.write(f"X-Slow-{n}: still coming\r\n".encode())
            n += 1
            server.stopping.wait(every_s)
        req.wfile.write(b"Content-Type: application/rss+xml\r\nContent-Length: 6\r\n\r\n<rss/>")
        req.close_connection = True
        return None

    return route
