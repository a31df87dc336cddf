"""The outbound fetch policy: nothing a feed names reaches inside the network (loopback only)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from pollsite import FAST, Harness, Item, LocalServer, NewsSite, Response

from pipeline.cli import main
from pipeline.poller.addresses import non_public_reason
from pipeline.poller.connect import PublicOnlyBackend, RefusedAddress
from pipeline.poller.fetch import Fetcher
from pipeline.runtime.prometheus import PrometheusSensor

SECRET = "Quartermaster ledger zebra-7731"  # only the inside server's page says this
INSIDE_PAGE = (
    "<html><head><title>Internal admin</title></head><body><article><h1>Internal admin</h1>"
    + "".join(f"<p>{SECRET}. Paragraph {n}: the internal credentials page lists every service account, "
              f"its owner and the date its key was last rotated by the operations team.</p>" for n in range(6))
    + "</article></body></html>"
).encode()


@pytest.mark.parametrize(("ip", "kind"), [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"), ("fc00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1%eth0", "link-local"),
    ("100.64.0.1", "CGNAT"), ("100.127.255.254", "CGNAT"),
    ("224.0.0.251", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("192.0.2.10", "not public"), ("fec0::1", "site-local"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
    ("2002:a00:1::", "private"), ("64:ff9b::a9fe:a9fe", "link-local"), ("::127.0.0.1", "reserved"),
])
def test_non_public_addresses_are_named(ip: str, kind: str) -> None:
    reason = non_public_reason(ip)
    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize("ip", ["8.8.8.8", "1.1.1.1", "100.128.0.1", "2606:4700:4700::1111",
                                "::ffff:8.8.8.8", "2002:808:808::"])
def test_public_addresses_pass(ip: str) -> None:
    assert non_public_reason(ip) is None


def _fetcher(**kwargs: object) -> Fetcher:
    return Fetcher("test-agent", timeout_s=2.0, max_bytes=100_000, max_redirects=3, pool_size=4, **kwargs)


def test_only_the_trusted_host_may_be_private(server: LocalServer, inside: LocalServer) -> None:
    server.routes["/f.xml"] = Response(200, {"Content-Type": "text/xml"}, b"<rss/>")
    server.routes["/away"] = Response(302, {"Location": inside.url("/admin")})
    inside.routes["/admin"] = Response(200, {"Content-Type": "text/html"}, INSIDE_PAGE)
    fetcher = _fetcher()
    try:
        untrusted = fetcher.fetch(server.url("/f.xml"))
        assert untrusted.refused and untrusted.error.startswith("refused: 127.0.0.1 is a loopback address")
        assert server.hits("/f.xml") == 0  # refused before connecting: no request was sent
        trusted = fetcher.fetch(server.url("/f.xml"), trusted_host="127.0.0.1")
        assert trusted.error is None and trusted.body == b"<rss/>"
        hop = fetcher.fetch(server.url("/away"), trusted_host="127.0.0.1")  # a redirect off the trusted host
        assert hop.refused and "127.0.0.2 is a loopback address" in hop.error and hop.body == b""
        direct = fetcher.fetch(inside.url("/admin"), trusted_host="127.0.0.1")
        assert direct.refused and not inside.log
    finally:
        fetcher.close()


def test_a_name_is_judged_by_the_address_it_resolves_to(inside: LocalServer) -> None:
    inside.routes["/admin"] = Response(200, {"Content-Type": "text/html"}, INSIDE_PAGE)
    port = inside.httpd.server_address[1]
    fetcher = _fetcher(resolver=lambda host, p: ["127.0.0.2"] if host == "news.test" else [])
    try:
        result = fetcher.fetch(f"http://news.test:{port}/admin", trusted_host="127.0.0.2")
        assert result.refused and "news.test is 127.0.0.2, a loopback address" in result.error
        assert not inside.log  # trust follows the name the operator gave, not where a name points
    finally:
        fetcher.close()
    real = _fetcher()
    try:  # "localhost" is a name for loopback: refused whatever it resolves to first
        assert real.fetch(f"http://localhost:{port}/admin").refused and not inside.log
    finally:
        real.close()


def test_the_check_is_made_on_the_address_connected_to(server: LocalServer, inside: LocalServer) -> None:
    """DNS rebinding: the name points at a 'public' address for one lookup, then inside. Each connection
    resolves once and connects to the address it checked, so the inside server never sees a byte."""
    answers = [["127.0.0.1"], ["127.0.0.2"]]
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]

    pretend_public = PublicOnlyBackend(rebinding, check=lambda ip: None if ip == "127.0.0.1" else "inside")
    port = server.httpd.server_address[1]
    inside_port = inside.httpd.server_address[1]
    stream = pretend_public.connect_tcp("rebind.test", port, timeout=2.0)
    try:
        stream.write(b"GET /hello HTTP/1.0\r\nHost: rebind.test\r\n\r\n", timeout=2.0)
        assert stream.read(100, timeout=2.0).startswith(b"HTTP/1.0 404")
    finally:
        stream.close()
    assert server.hits("/hello") == 1 and calls == ["rebind.test"]
    with pytest.raises(RefusedAddress, match="rebind.test is 127.0.0.2, inside"):
        pretend_public.connect_tcp("rebind.test", inside_port, timeout=2.0)
    assert not inside.log


def _full_text_harness(tmp_path: Path, **settings: object) -> Harness:
    return Harness(tmp_path, dataclasses.replace(FAST, full_text=True, **settings))


def _attack(site: NewsSite, inside: LocalServer) -> None:
    """A feed on 127.0.0.1 whose summary-only entry links to a page on 127.0.0.2."""
    inside.routes["/robots.txt"] = Response(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
    inside.routes["/admin"] = Response(200, {"Content-Type": "text/html"}, INSIDE_PAGE)
    site.add("world", Item("w0", "Harbour plan vote", full=False))
    rss = site.server.routes["/feeds/world.xml"].body.replace(
        f"{site.server.base}/articles/w0.html".encode(), inside.url("/admin").encode())
    site.server.routes["/feeds/world.xml"] = Response(200, {"Content-Type": "application/rss+xml"}, rss)


def test_an_entry_linking_inside_is_refused_counted_and_keeps_its_summary(
        tmp_path: Path, site: NewsSite, inside: LocalServer) -> None:
    _attack(site, inside)
    h = _full_text_harness(tmp_path)
    sensor = PrometheusSensor()
    h.poller.close()
    h.poller = h._poller(sensor=sensor)
    try:
        h.add(site.feed_url("world"))
        stats = h.poller.poll_once()
        (article,) = h.articles()
        assert stats.failed == 0 and article.text == "Short: Harbour plan vote" and SECRET not in article.text
        assert not inside.log  # neither robots.txt nor the page was requested
        feed = h.store.get(1)
        assert feed.refused == 1 and feed.failures == 0
        assert feed.last_refused.startswith(f"article page {inside.url('/admin')}: refused: 127.0.0.2 is a "
                                            "loopback address")
        assert sensor.counts["poll.refused"] == 1
        from prometheus_client import generate_latest
        assert 'pipeline_fetches_refused_total{stage="poll"} 1.0' in generate_latest(sensor.registry).decode()
    finally:
        h.close()


def test_allow_private_networks_lets_the_same_entry_through(
        tmp_path: Path, site: NewsSite, inside: LocalServer) -> None:
    _attack(site, inside)
    h = _full_text_harness(tmp_path, allow_private_networks=True)
    try:
        h.add(site.feed_url("world"))
        h.poller.poll_once()
        (article,) = h.articles()
        assert SECRET in article.text and inside.hits("/admin") == 1 and h.store.get(1).refused == 0
    finally:
        h.close()


def test_a_feed_redirected_inside_is_a_feed_error(harness: Harness, server: LocalServer,
                                                  inside: LocalServer) -> None:
    server.routes["/moved.xml"] = Response(301, {"Location": inside.url("/feed.xml")})
    inside.routes["/feed.xml"] = Response(200, {"Content-Type": "text/xml"}, b"<rss/>")
    harness.add(server.url("/moved.xml"))
    stats = harness.poller.poll_once()
    feed = harness.store.get(1)
    assert stats.failed == 1 and feed.failures == 1 and feed.url == server.url("/moved.xml")
    assert feed.last_error.startswith("refused: 127.0.0.2 is a loopback address") and feed.refused == 1
    assert not inside.log


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PIPELINE_POLLER__PER_HOST_DELAY_S", "0")
    monkeypatch.delenv("PIPELINE_CONFIG", raising=False)
    monkeypatch.delenv("PIPELINE_POLLER__FULL_TEXT", raising=False)
    return tmp_path


def test_the_attack_from_the_issue_never_reaches_search(env: Path, site: NewsSite, inside: LocalServer,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """An entry links to a page on another loopback address: refused, shown in `feeds list`, not searchable."""
    _attack(site, inside)
    assert main(["feeds", "add", site.feed_url("world"), "--name", "World Desk"]) == 0
    assert main(["run", "--until-idle"]) == 0
    capsys.readouterr()
    assert main(["search", "--articles", "Quartermaster zebra", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    assert main(["search", "--articles", "Harbour", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1  # the entry itself, with its own summary
    assert not inside.log
    assert main(["feeds", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["status"] == "ok" and row["refused_fetches"] == 1
    assert "127.0.0.2 is a loopback address" in row["last_refused_reason"]
    assert main(["feeds", "list"]) == 0
    assert "refused" in capsys.readouterr().out


def test_a_store_from_before_the_policy_gains_its_columns(tmp_path: Path) -> None:
    import sqlite3

    from pipeline.poller.store import FeedStore

    old = sqlite3.connect(tmp_path / "feeds.db")
    old.executescript(
        "CREATE TABLE feeds(id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, name TEXT NOT NULL "
        "DEFAULT '', origin TEXT NOT NULL DEFAULT 'cli', added REAL NOT NULL, title TEXT NOT NULL DEFAULT '', "
        "etag TEXT, last_modified TEXT, body_hash TEXT, interval_s REAL, next_poll REAL NOT NULL DEFAULT 0, "
        "retry_until REAL NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, last_polled REAL, "
        "last_status INTEGER, last_success REAL, last_error_at REAL, last_error TEXT, "
        "published INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO feeds(url, added) VALUES ('http://Intranet.Example:8080/f.xml', 1.0);")
    old.close()
    store = FeedStore(tmp_path / "feeds.db")
    try:
        feed = store.get(1)
        assert feed.trusted_host == "intranet.example" and feed.refused == 0 and feed.last_refused is None
    finally:
        store.close()

