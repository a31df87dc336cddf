"""Decompression bounded across every layer of Content-Encoding: nested bombs cost the cap, not their size.

The bomb is served from 127.0.0.1; the memory check runs the fetch in a subprocess (bounded in time).
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from functools import cache

import pytest
from pollsite import LocalServer, Response
from support import REPO

from pipeline.poller.decode import CHUNK, BoundedDecoder, TooLarge, Undecodable, encodings

BOMB_DECODED = 256 << 20  # what the nested bomb inflates to


@cache
def nested_bomb() -> bytes:
    """``gzip(gzip(256 MiB of zeros))``: about 3 kB on the wire."""
    packer = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    inner = b"".join([packer.compress(zeros) for _ in range(BOMB_DECODED >> 20)] + [packer.flush()])
    return gzip.compress(inner, 9)


def test_a_nested_bomb_stops_at_the_cap_and_no_step_produces_more_than_a_chunk() -> None:
    decoder = BoundedDecoder(["gzip", "gzip"], max_bytes=100_000, max_layers=2)
    with pytest.raises(TooLarge, match="more than 100,000 bytes"):
        for start in range(0, len(nested_bomb()), 1024):
            decoder.feed(nested_bomb()[start:start + 1024])
    assert decoder.largest_step <= CHUNK and decoder.size <= 100_000 + CHUNK


@pytest.mark.parametrize("encode, header", [
    (lambda b: zlib.compress(gzip.compress(b)), "gzip, deflate"),  # gzip applied first
    (lambda b: zlib.compress(b)[2:-4], "deflate"),  # raw deflate, as some servers send it
    (lambda b: b, "identity"),
    (lambda b: b, ""),
])
def test_every_ordinary_encoding_is_undone_whole(encode, header: str) -> None:  # noqa: ANN001
    body = b"<rss>" + b"news " * 50_000 + b"</rss>"
    decoder = BoundedDecoder(encodings(header), max_bytes=1_000_000, max_layers=2)
    wire = encode(body)
    for start in range(0, len(wire), 777):
        decoder.feed(wire[start:start + 777])
    assert decoder.body() == body


def test_unknown_too_many_or_corrupt_encodings_are_refused() -> None:
    with pytest.raises(Undecodable, match="unsupported content encoding 'br'"):
        BoundedDecoder(["br"], 1000, 2)
    with pytest.raises(Undecodable, match="3 content encodings"):
        BoundedDecoder(["gzip"] * 3, 1000, 2)
    with pytest.raises(Undecodable):
        BoundedDecoder(["gzip"], 1000, 2).feed(b"not gzip at all")


PROBE = """
import json, resource, sys
from pipeline.poller.fetch import Fetcher
fetcher = Fetcher("test-agent", timeout_s=30, max_bytes=100_000, allow_private=True)
fetcher.fetch(sys.argv[1] + "/small")  # warm up: imports, pools, buffers
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = fetcher.fetch(sys.argv[1] + "/bomb")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"error": result.error, "grew_kib": after - before}))
"""


def test_a_nested_gzip_bomb_from_a_server_is_refused_in_little_memory(server: LocalServer) -> None:
    server.routes["/small"] = Response(200, {"Content-Type": "text/xml"}, b"<rss/>", etag=False)
    server.routes["/bomb"] = Response(200, {"Content-Type": "application/rss+xml",
                                            "Content-Encoding": "gzip, gzip"},
                                      nested_bomb(), etag=False, gzip=False)
    probe = subprocess.run([sys.executable, "-c", PROBE, server.base], cwd=REPO, capture_output=True,
                           text=True, timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert probe.returncode == 0, probe.stderr
    got = json.loads(probe.stdout)
    assert got["error"] == "response too large: more than 100,000 bytes"
    assert got["grew_kib"] < 64 * 1024, got  # the bomb holds 256 MiB; the cap is 100 kB
