"""The fetcher's limits, against the local server."""

from __future__ import annotations

import pytest
from pollsite import LocalServer, Response

from pipeline.poller.fetch import Fetcher


@pytest.fixture
def fetcher() -> Fetcher:
    # allow_private: these tests are about limits, on loopback; the outbound policy has its own tests
    f = Fetcher("test-agent", timeout_s=2.0, max_bytes=100_000, max_redirects=3, pool_size=4, allow_private=True)
    yield f
    f.close()


def test_gzip_is_decoded_and_validators_are_sent(fetcher: Fetcher, server: LocalServer) -> None:
    server.routes["/f"] = Response(200, {"Content-Type": "text/xml"}, b"<rss>" + b"x" * 5000 + b"</rss>")
    first = fetcher.fetch(server.url("/f"))
    assert (
        first.status == 200 and first.body.endswith(b"</rss>") and first.headers["content-encoding"] == "gzip"
    )
    second = fetcher.fetch(
        server.url("/f"), etag=first.headers["etag"], last_modified="Mon, 01 Jan 2024 00:00:00 GMT"
    )
    assert second.not_modified and second.body == b""
    assert server.log[-1][2]["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert server.log[-1][2]["user-agent"] == "test-agent"


def test_responses_over_the_cap_are_refused_declared_or_decompressed(
    fetcher: Fetcher, server: LocalServer
) -> None:
    server.routes["/big"] = Response(
        200, {"Content-Type": "text/xml"}, b"x" * 200_000, etag=False, gzip=False
    )
    assert (
        fetcher.fetch(server.url("/big")).error
        == "response too large: 200,000 bytes declared, the limit is 100,000"
    )
    server.routes["/bomb"] = Response(
        200, {"Content-Type": "text/xml"}, b"x" * 5_000_000, etag=False
    )  # ~5 kB gzip
    assert fetcher.fetch(server.url("/bomb")).error == "response too large: more than 100,000 bytes"


def test_only_all_permanent_redirect_chains_move_the_feed(fetcher: Fetcher, server: LocalServer) -> None:
    server.routes.update(
        {
            "/a": Response(301, {"Location": "/b"}),
            "/b": Response(308, {"Location": "/c"}),
            "/c": Response(200, {"Content-Type": "text/xml"}, b"<rss/>"),
            "/t": Response(302, {"Location": "/c"}),
            "/far": Response(301, {"Location": "/a"}),
            "/x": Response(301, {"Location": "ftp://h/"}),
        }
    )
    assert fetcher.fetch(server.url("/a")).moved_to == server.url("/c")
    assert fetcher.fetch(server.url("/t")).moved_to is None and fetcher.fetch(server.url("/t")).status == 200
    server.routes["/c"] = Response(301, {"Location": "/d"})
    server.routes["/d"] = Response(301, {"Location": "/e"})
    assert fetcher.fetch(server.url("/far")).error == "too many redirects (more than 3)"
    assert fetcher.fetch(server.url("/x")).error.startswith("refused: only http and https")


def test_http_errors_and_unreachable_hosts_are_values(fetcher: Fetcher, server: LocalServer) -> None:
    server.routes["/gone"] = Response(410, {}, b"gone")
    assert fetcher.fetch(server.url("/gone")).error == "HTTP 410 Gone"
    with __import__("socket").socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert fetcher.fetch(f"http://127.0.0.1:{port}/").error.startswith("cannot connect")
