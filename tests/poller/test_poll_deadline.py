"""One deadline per request, by the clock: trickling hosts become errors and never hold a pass or shutdown.

Every server here is on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from pollsite import FAST, Harness, Item, LocalServer, NewsSite, Response, trickle
from support import REPO

from pipeline.poller.fetch import Fetcher
from pipeline.poller.health import health_rows

GENEROUS_S = 10.0  # far above the 1 s deadline the tests set, far below a trickle's 20 s


def _fetcher(timeout_s: float = 1.0) -> Fetcher:
    return Fetcher("test-agent", timeout_s=timeout_s, max_bytes=100_000, pool_size=4, allow_private=True)


def test_headers_trickled_line_by_line_end_at_the_deadline(server: LocalServer) -> None:
    server.routes["/slow.xml"] = trickle(server)
    fetcher = _fetcher()
    try:
        started = time.monotonic()
        result = fetcher.fetch(server.url("/slow.xml"))
        assert time.monotonic() - started < GENEROUS_S
        assert result.error is not None and result.error.startswith("timeout"), result
    finally:
        fetcher.close()


def test_the_deadline_covers_every_redirect_hop(server: LocalServer) -> None:
    # Each hop answers well within the deadline; all three together do not (a 304 has no body to time).
    server.routes.update({
        "/r1": Response(302, {"Location": "/r2"}, delay_s=0.6),
        "/r2": Response(302, {"Location": "/r3"}, delay_s=0.6),
        "/r3": Response(304, {"ETag": '"v1"'}, delay_s=0.6, etag=False),
    })
    fetcher = _fetcher()
    try:
        result = fetcher.fetch(server.url("/r1"), etag='"v1"')
        assert result.error is not None and result.error.startswith("timeout"), result
        assert server.hits("/r3") <= 1
    finally:
        fetcher.close()


def test_cancel_ends_a_stuck_fetch_at_once(server: LocalServer) -> None:
    server.routes["/slow.xml"] = trickle(server)
    fetcher = _fetcher(timeout_s=60.0)
    results = []
    worker = threading.Thread(target=lambda: results.append(fetcher.fetch(server.url("/slow.xml"))))
    try:
        worker.start()
        _wait_for(lambda: server.hits("/slow.xml") > 0)
        fetcher.cancel()
        worker.join(GENEROUS_S)
        assert not worker.is_alive() and results[0].error.startswith("cancelled")
        assert fetcher.fetch(server.url("/slow.xml")).error.startswith("cancelled")  # and stays cancelled
    finally:
        server.stopping.set()
        worker.join(GENEROUS_S)
        fetcher.close()


def test_a_trickling_feed_is_that_feeds_error_and_the_others_are_polled(
    harness: Harness, server: LocalServer, site: NewsSite
) -> None:
    site.add("world", Item("w1", "World story"))
    server.routes["/slow.xml"] = trickle(server)
    harness.add(server.url("/slow.xml"))
    harness.add(site.feed_url("world"))
    harness.restart(timeout_s=1.0)
    started = time.monotonic()
    stats = harness.poller.poll_once()
    assert time.monotonic() - started < GENEROUS_S
    assert (stats.polled, stats.failed, stats.articles) == (2, 1, 1)
    row = next(r for r in health_rows(harness.store, harness.clock[0]) if r["url"].endswith("/slow.xml"))
    assert row["status"] == "error" and row["last_error_reason"].startswith("timeout")


def test_a_trickling_article_page_costs_one_deadline_and_the_entry_keeps_its_summary(
    tmp_path: Path, server: LocalServer, site: NewsSite
) -> None:
    site.add("briefs", Item("b1", "Brief story", full=False))
    server.routes["/articles/b1.html"] = trickle(server)
    h = Harness(tmp_path, replace(FAST, full_text=True, timeout_s=1.0))
    try:
        h.add(site.feed_url("briefs"))
        started = time.monotonic()
        stats = h.poller.poll_once()
        assert time.monotonic() - started < GENEROUS_S
        assert (stats.failed, stats.articles) == (0, 1)
        assert h.articles()[0].text == "Short: Brief story"
    finally:
        h.close()


def test_sigterm_stops_the_poll_service_during_a_stuck_fetch(tmp_path: Path, server: LocalServer) -> None:
    server.routes["/slow.xml"] = trickle(server, for_s=60.0)
    data = tmp_path / "data"
    env = {**os.environ, "PIPELINE_DATA_DIR": str(data), "PIPELINE_POLLER__FULL_TEXT": "false",
           "PIPELINE_POLLER__TIMEOUT_S": "60", "PYTHONPATH": str(REPO)}
    env.pop("PIPELINE_CONFIG", None)
    cli = [sys.executable, "-m", "pipeline"]
    subprocess.run([*cli, "feeds", "add", server.url("/slow.xml")], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=60)
    proc = subprocess.Popen([*cli, "poll"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: server.hits("/slow.xml") > 0, 60.0)
        time.sleep(0.5)  # the fetch is in flight, its headers trickling
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)  # the deadline is 60 s: only a cancelled fetch ends this soon
        assert proc.returncode == 0, err
        assert "poll: stopped" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)


def _wait_for(condition, limit_s: float = GENEROUS_S) -> None:  # noqa: ANN001 - a predicate
    end = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.05)
