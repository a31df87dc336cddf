"""Due feeds come out oldest-due first, in bounded pages; the poller never reads every feed at once."""

from __future__ import annotations

import random

import pytest

from pipeline.bus.base import RAW
from pipeline.bus.sqlite import SqliteBus
from pipeline.config import PollerSettings
from pipeline.poller import service
from pipeline.poller.fetch import FetchResult
from pipeline.poller.service import Poller
from pipeline.poller.store import FeedState, FeedStore
from pipeline.poller.window import window

NOW = 1_750_000_000.0


def _store(tmp_path, due_times: list[float], hosts: int = 5) -> FeedStore:
    store = FeedStore(tmp_path / "feeds.db")
    for n, due in enumerate(due_times):
        store.add(f"http://h{n % hosts}.test/{n}.xml", now=due)
    return store


class CountingStore(FeedStore):
    """A feed store that records how many rows each read of feeds returned."""

    reads: list[int]

    def _select(self, tail, args=()):  # type: ignore[no-untyped-def]
        rows = super()._select(tail, args)
        self.reads = [*getattr(self, "reads", []), len(rows)]
        return rows


def test_pages_list_every_due_feed_once_oldest_first(tmp_path) -> None:
    rng = random.Random(7)
    dues = [NOW - rng.choice([0, 5, 5, 60]) for _ in range(95)] + [NOW + 10] * 5  # ties; five not due
    store = _store(tmp_path, dues)
    pages = []
    after = None
    while page := store.due(NOW, limit=10, after=after):
        pages.append(page)
        after = (page[-1].next_poll, page[-1].id)
    listed = [f for p in pages for f in p]
    assert max(len(p) for p in pages) == 10
    assert [(f.next_poll, f.id) for f in listed] == [(f.next_poll, f.id) for f in store.due(NOW)]
    assert len(listed) == 95 and len({f.id for f in listed}) == 95
    assert [f.id for f in store.iter_due(NOW, page=7)] == [f.id for f in listed]
    assert store.count() == 100 and store.count(NOW) == 95
    assert store.due_ids(NOW) == [f.id for f in listed]
    store.close()


def _feed(i: int, host: str) -> FeedState:
    return FeedState(id=i, url=f"http://{host}/{i}.xml", name="", origin="cli", added=0.0, next_poll=float(i))


def test_the_window_keeps_due_order_and_its_bounds() -> None:
    due = [_feed(i, f"h{i % 3}.test") for i in range(1, 50)]
    held = window(iter(due), {2, 3}, limit=5, per_host=10, max_scan=1000)
    assert list(held) == [1, 4, 5, 6, 7]  # in flight (2, 3) passed over, order kept, at most 5
    assert list(window(iter(due), set(), limit=100, per_host=10, max_scan=4)) == [1, 2, 3, 4]


def test_one_host_backlog_does_not_crowd_out_the_other_hosts() -> None:
    due = [_feed(i, "busy.test") for i in range(1, 1001)] + [_feed(2000 + i, f"h{i}.test") for i in range(3)]
    held = window(iter(due), set(), limit=10, per_host=4, max_scan=10_000)
    assert list(held) == [1, 2, 3, 4, 2000, 2001, 2002]


@pytest.mark.parametrize("once", [False, True])
def test_the_poller_reads_feeds_a_page_at_a_time(tmp_path, monkeypatch, once: bool) -> None:
    monkeypatch.setattr(service, "WINDOW_PAGE", 25)
    store = CountingStore(tmp_path / "feeds.db")
    for n in range(300):
        store.add(f"http://h{n % 30}.test/{n}.xml", now=NOW - 300 + n)
    polled: list[float] = []

    def fetch(url, etag=None, last_modified=None, accept="", trusted_host=None):  # type: ignore[no-untyped-def]
        return FetchResult(url, 304)

    bus = SqliteBus(tmp_path / "bus.db")
    bus.ensure_topics([RAW])
    settings = PollerSettings(full_text=False, per_host_delay_s=0.0, concurrency=4)
    poller = Poller(store, bus.producer(), settings, fetch=fetch, now=lambda: NOW, rng=random.Random(1),
                    on_polled=lambda o: polled.append(o.feed.next_poll))
    store.reads = []
    if once:
        poller.poll_once()
    else:
        while len(polled) < 300:
            poller.step(0.5)
    poller.close()
    assert sorted(polled) == [NOW - 300 + n for n in range(300)]  # every due feed, once
    assert max(store.reads) <= 25  # no read of the feeds returned more than a page
    assert max(polled[:8]) < NOW - 300 + 64  # the first polls come from the oldest-due window
    bus.close()
    store.close()
