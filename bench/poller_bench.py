"""Benchmark: the feed poller's service loop at 1k, 10k and 100k feeds: memory, polls/minute, fairness.

    .venv/bin/python bench/poller_bench.py [--feeds 1000,10000,100000] [--per-host 20]
        [--interval 600] [--seconds 90] [--overdue 0] [--host-delay 1.0] [--grace 30] [--trace]

For each size, in one run: a fresh feed store holds N feeds on N / --per-host hosts,
each feed already holding its ETag (a steady state: most polls are conditional GETs
answered 304; every 20th feed gains an entry every 30 s). Feed n is due at
``T0 + n * interval / N``, so feeds come due at N / interval per second from the start
(10k feeds every 600 s: ~17/s; 100k: ~167/s); every later poll is due ``interval`` ±10%
after it. ``--overdue S`` moves every due time S seconds earlier: a poller back after S
seconds down (``--overdue 600``: every feed overdue at the start, the oldest by 600 s). The poller (default settings: per-host limit 2, 1 s between requests to
one host, 32 workers; ``min_interval_s`` = ``default_interval_s`` = --interval) runs
its service loop (``step``) for --seconds in a child process of its own, so its
peak RSS is the poller's alone.

Printed per size: polls/minute (offered: N / interval), the poller process's peak
RSS, lateness (actual poll time − due time) p50/p95/max over the polls made, the
oldest feed still waiting at the end, *starved*: feeds due more than --grace seconds
before the end that were never polled (with a backlog larger than the window can
drain, some must be), and *skipped*: feeds due more than --grace seconds before a feed
that was polled, yet never polled themselves (passed over: unfair; 0 under oldest-first). Machine load (os.getloadavg) is
printed beside each size. ``--trace`` adds the poller's top tracemalloc sites.

Loopback only: one feed-server child process answers on 127.0.1.1, 127.0.1.2 …
127.0.H.250 (all in 127.0.0.0/8, one port; 250 hosts per third octet), generating
every feed on the fly. Bounded: each poller stops after --seconds; every server
stops by itself and is killed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHANGE_EVERY_S = 30.0
HOSTS_PER_OCTET = 250
MAX_HOSTS = HOSTS_PER_OCTET * 250  # 127.0.1.1 … 127.0.250.250
STARTUP_LEAD_S = 5.0  # the first feed falls due this long after the store is seeded


def host_ip(i: int) -> str:
    """The i-th feed host: 127.0.1.1 … 127.0.1.250, 127.0.2.1 … (never 127.0.0.x)."""
    return f"127.0.{1 + i // HOSTS_PER_OCTET}.{1 + i % HOSTS_PER_OCTET}"


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


def etag_of(n: int) -> str:
    return f'"{n}-{version_of(n)}"'


def answer(path: str, headers: dict[str, str]) -> bytes:
    """The response to one GET: 404 off /feed/N.xml, 304 when the ETag matches, else the feed."""
    n = int(path.rsplit("/", 1)[-1].split(".")[0]) if path.startswith("/feed/") else -1
    if n < 0:
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    etag = etag_of(n)
    if headers.get("if-none-match") == etag:
        return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
    body = feed_body(n, version_of(n))
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
            }
            writer.write(answer(lines[0].split(" ")[1], headers))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError):
        pass
    finally:
        writer.close()


async def serve(hosts: int, port: int, seconds: float) -> None:
    servers = [await asyncio.start_server(handle, host_ip(i), port, backlog=64) for i in range(hosts)]
    print("ready", flush=True)
    await asyncio.sleep(seconds)  # bounded: the server stops by itself
    for s in servers:
        s.close()


def start_server(hosts: int, seconds: float) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    args = ["--serve", "--hosts", str(hosts), "--port", str(port), "--seconds", str(seconds)]
    server = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    return server, port


def free_port() -> int:
    with socket.socket() as s:
        s.bind((host_ip(0), 0))
        return int(s.getsockname()[1])


# --- the feed store (parent process) -------------------------------------------------------


def seed(path: Path, feeds: int, hosts: int, port: int, interval: float, overdue: float) -> float:
    """N feeds with their current ETags, due one after another over ``interval`` from ``T0 - overdue``;
    returns T0."""
    from pipeline.poller.store import FeedStore

    store = FeedStore(path)
    ids = [store.add(f"http://{host_ip(n % hosts)}:{port}/feed/{n}.xml")[0].id for n in range(feeds)]
    t0 = time.time() + STARTUP_LEAD_S
    step = interval / feeds
    store.apply([(fid, {"etag": etag_of(n), "next_poll": t0 - overdue + n * step}) for n, fid in enumerate(ids)], [])
    store.close()
    return t0


def waiting(path: Path, end: float, front: float, grace: float) -> tuple[int, int, float]:
    """Never-polled feeds due before ``end - grace`` (starved) and before ``front - grace`` (skipped:
    passed over while a later-due feed was polled); how long the oldest unpolled due feed waited."""
    unpolled = "SELECT COUNT(*) FROM feeds WHERE last_polled IS NULL AND next_poll <= ?"
    with sqlite3.connect(path) as db:
        starved = db.execute(unpolled, (end - grace,)).fetchone()[0]
        skipped = db.execute(unpolled, (min(end, front) - grace,)).fetchone()[0]
        oldest = db.execute("SELECT MIN(next_poll) FROM feeds WHERE last_polled IS NULL AND next_poll <= ?",
                            (end,)).fetchone()[0]
    return int(starved), int(skipped), max(0.0, end - oldest) if oldest is not None else 0.0


# --- the poller (child process) ------------------------------------------------------------


def poll(path: Path, t0: float, seconds: float, interval: float, host_delay: float, grace: float,
         trace: bool) -> None:
    """Run the service loop from T0 for ``seconds``; print one JSON line of figures."""
    if trace:
        import tracemalloc

        tracemalloc.start(5)
    from pipeline.bus.base import RAW
    from pipeline.bus.sqlite import SqliteBus
    from pipeline.config import PollerSettings
    from pipeline.poller.outcome import PollOutcome
    from pipeline.poller.service import Poller
    from pipeline.poller.store import FeedStore

    lateness: list[float] = []
    front = [0.0]  # the latest due time among the feeds polled

    def polled(o: PollOutcome) -> None:
        lateness.append(o.polled_at - o.feed.next_poll)
        front[0] = max(front[0], o.feed.next_poll)

    bus, store = SqliteBus(path.parent / "bus.db"), FeedStore(path)
    bus.ensure_topics([RAW])
    settings = PollerSettings(per_host_delay_s=host_delay, min_interval_s=interval,
                              default_interval_s=interval, max_interval_s=max(86_400.0, interval))
    time.sleep(max(0.0, t0 - time.time()))
    poller = Poller(store, bus.producer(), settings, on_polled=polled)
    end = t0 + seconds
    while time.time() < end:
        poller.step(0.5)
    end = time.time()
    starved, skipped, oldest = waiting(path, end, front[0], grace)
    top = _top_allocations() if trace else []
    poller.close()
    bus.close()
    store.close()
    print(json.dumps({"polls": len(lateness), "seconds": end - t0, "starved": starved, "skipped": skipped, "oldest_s": oldest,
                      "lateness": _percentiles(lateness), "top": top,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    ordered = sorted(values)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": at(0.50), "p95": at(0.95), "max": ordered[-1]}


def _top_allocations(limit: int = 8) -> list[str]:
    import tracemalloc

    stats = tracemalloc.take_snapshot().statistics("lineno")[:limit]
    return [f"{s.size / 1e6:7.1f} MB  {s.count:>8} blocks  {s.traceback[0]}" for s in stats]


# --- one size, then the table ----------------------------------------------------------------


def measure(feeds: int, args: argparse.Namespace) -> dict[str, Any]:
    hosts = min(MAX_HOSTS, max(1, feeds // args.per_host))
    server, port = start_server(hosts, args.seconds + 600)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "feeds.db"
            seeded = time.monotonic()
            t0 = seed(path, feeds, hosts, port, args.interval, args.overdue)
            seed_s = time.monotonic() - seeded
            child = [sys.executable, __file__, "--poll", str(path), "--t0", repr(t0), "--seconds",
                     str(args.seconds), "--interval", str(args.interval), "--host-delay", str(args.host_delay),
                     "--grace", str(args.grace), *(["--trace"] if args.trace else [])]
            out = subprocess.run(child, capture_output=True, text=True, timeout=args.seconds + 300, check=True)
            result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.kill()
        server.wait()
    return {**result, "feeds": feeds, "hosts": hosts, "seed_s": seed_s, "load": os.getloadavg()}


def line(r: dict[str, Any], interval: float) -> str:
    late = r["lateness"]
    return (f"{r['feeds']:>7,} {r['hosts']:>6,} {r['feeds'] / interval * 60:>10,.0f} "
            f"{r['polls'] / r['seconds'] * 60:>10,.0f} {r['rss_mb']:>8.0f} "
            f"{late['p50']:>7.1f} {late['p95']:>7.1f} {late['max']:>7.1f} {r['oldest_s']:>8.1f} "
            f"{r['starved']:>7,} {r['skipped']:>7,}   {' '.join(f'{x:.2f}' for x in r['load'])}")


def run(sizes: list[int], args: argparse.Namespace) -> None:
    print(f"service loop for {args.seconds:g}s per size; interval {args.interval:g}s; "
          f"{args.per_host} feeds per host; {args.host_delay:g}s between requests to a host; "
          f"{args.overdue:g}s of feeds overdue at the start; starved = due > {args.grace:g}s before the end, "
          f"never polled; skipped = due > {args.grace:g}s before a feed that was polled, never polled; "
          f"{os.cpu_count()} cores")
    print(f"{'feeds':>7} {'hosts':>6} {'offered/m':>10} {'polls/m':>10} {'RSS MB':>8} "
          f"{'late50':>7} {'late95':>7} {'latemax':>7} {'oldest':>8} {'starved':>7} {'skipped':>7}   load 1/5/15 min")
    for feeds in sizes:
        r = measure(feeds, args)
        print(line(r, args.interval), flush=True)
        for site in r["top"]:
            print(f"        {site}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", default="1000,10000,100000", help="comma-separated sizes")
    parser.add_argument("--per-host", type=int, default=20, help="feeds per host (hosts = feeds / this)")
    parser.add_argument("--interval", type=float, default=600.0, help="seconds between polls of one feed")
    parser.add_argument("--seconds", type=float, default=90.0, help="measurement window per size")
    parser.add_argument("--host-delay", type=float, default=1.0,
                        help="seconds between requests to one host (default 1.0, the poller's default)")
    parser.add_argument("--grace", type=float, default=30.0, help="a feed due this long before the end "
                        "and never polled counts as starved")
    parser.add_argument("--overdue", type=float, default=0.0, help="seconds the poller was down before "
                        "T0: feeds due in the last that many seconds are overdue at the start")
    parser.add_argument("--trace", action="store_true", help="print the poller's top tracemalloc sites")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hosts", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--poll", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--t0", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.hosts, args.port, args.seconds))
    elif args.poll is not None:
        poll(args.poll, args.t0, args.seconds, args.interval, args.host_delay, args.grace, args.trace)
    else:
        sizes = [int(s) for s in args.feeds.split(",") if s.strip()]
        if min(sizes) < 1 or args.seconds <= 0 or args.interval <= 0:
            parser.error("sizes, --seconds and --interval must be positive")
        run(sizes, args)


if __name__ == "__main__":
    main()
