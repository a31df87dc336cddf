"""Benchmark: feed polls per minute against 1,000 local feeds (mostly answering 304), and peak memory.

Loopback only: a feed server runs in a child process on 127.0.1.1 … 127.0.1.H (all in
127.0.0.0/8), one port. Every feed answers with an ETag; most answer 304 to the
poller's conditional GETs, and every 20th feed gains an entry every 30 seconds.
The poller runs with the default settings (per-host limit 2, 1 s between requests
to one host, 32 workers), the SQLite bus and feed store in a temporary folder.
Bounded: stops after --seconds of measurement (default 60) and kills its server.

    .venv/bin/python bench/poller_bench.py [--feeds 1000] [--hosts 200] [--seconds 60] [--host-delay 1.0]

With 5 feeds per host and 1 s between requests to a host, politeness caps a round
at ~5 s (12,000 polls/minute); ``--host-delay 0`` shows what the CPU allows.

Prints polls/minute and the poller process's peak RSS (MB).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHANGE_EVERY_S = 30.0


def host_ip(i: int) -> str:
    return f"127.0.1.{i + 1}"


# --- the feed server (child process) -------------------------------------------------------


def feed_body(n: int, version: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} story {k}</title><link>http://{host_ip(0)}/a/{n}/{k}</link>"
        f"<guid>{n}-{k}</guid><pubDate>Tue, 03 Jun 2025 09:{k % 60:02d}:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[<p>Story {k} of "
        f"feed {n}. "
        + "The council debated the harbour plan again. " * 20
        + "</p>]]></content:encoded></item>"
        for k in range(version, version + 10)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Feed {n}</title>{items}</channel></rss>"
    ).encode()


def version_of(n: int) -> int:
    return int(time.time() // CHANGE_EVERY_S) if n % 20 == 0 else 0


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
            }
            n = int(path.rsplit("/", 1)[-1].split(".")[0]) if path.startswith("/feed/") else -1
            version = version_of(n)
            etag = f'"{n}-{version}"'
            if n < 0:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            elif headers.get("if-none-match") == etag:
                writer.write(
                    f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
                )
            else:
                body = feed_body(n, version)
                writer.write(
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError):
        pass
    finally:
        writer.close()


async def serve(hosts: int, port: int, seconds: float) -> None:
    servers = [await asyncio.start_server(handle, host_ip(i), port, backlog=256) for i in range(hosts)]
    print("ready", flush=True)
    await asyncio.sleep(seconds)  # bounded: the server stops by itself
    for s in servers:
        s.close()


# --- the poller side -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((host_ip(0), 0))
        return s.getsockname()[1]


def run(feeds: int, hosts: int, seconds: float, host_delay: float) -> None:
    from pipeline.bus.base import RAW
    from pipeline.bus.sqlite import SqliteBus
    from pipeline.config import PollerSettings
    from pipeline.poller.service import Poller
    from pipeline.poller.store import FeedStore

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--hosts",
            str(hosts),
            "--port",
            str(port),
            "--seconds",
            str(seconds + 120),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory() as tmp:
            bus, store = SqliteBus(Path(tmp) / "bus.db"), FeedStore(Path(tmp) / "feeds.db")
            bus.ensure_topics([RAW])
            for n in range(feeds):
                store.add(f"http://{host_ip(n % hosts)}:{port}/feed/{n}.xml", now=time.time())
            poller = Poller(store, bus.producer(), PollerSettings(per_host_delay_s=host_delay))
            warm = poller.poll_once()
            print(f"warm-up (all 200s): {warm.line()}")
            polls, rounds, started = 0, 0, time.monotonic()
            while time.monotonic() - started < seconds:
                stats = poller.poll_once(force=True)
                polls, rounds = polls + stats.polled, rounds + 1
                print(f"round {rounds}: {stats.line()}")
            elapsed = time.monotonic() - started
            poller.close()
            bus.close()
            store.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"\n{polls} polls of {feeds} feeds on {hosts} hosts in {elapsed:.1f}s: "
            f"{polls / elapsed * 60:,.0f} polls/minute; poller peak RSS {peak_mb:.0f} MB "
            f"({os.cpu_count()} cores)"
        )
    finally:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--host-delay",
        type=float,
        default=1.0,
        help="seconds between requests to one host (default 1.0, the poller's default)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.hosts <= 250:
        parser.error("--hosts must be between 1 and 250 (addresses 127.0.1.1 …)")
    if args.serve:
        asyncio.run(serve(args.hosts, args.port, args.seconds))
    else:
        run(args.feeds, args.hosts, args.seconds, args.host_delay)


if __name__ == "__main__":
    main()
