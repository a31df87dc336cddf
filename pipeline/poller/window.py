"""Which due feeds the poller holds ready to dispatch: a bounded, oldest-due-first window.

:func:`window` is pure. Given the due feeds in due order (``next_poll``, then id),
it guarantees:

- at most ``limit`` feeds, and at most ``max_scan`` feeds read from ``due``: memory
  and the work of one refill stay bounded however many feeds are due (100k after
  a restart), so the store is read a page at a time, never whole;
- due order kept: a feed is left out only when it is in ``skip`` (in flight), when
  the window is full, or when its host already holds ``per_host`` places;
- one host's backlog cannot crowd out the others: its feeds beyond ``per_host``
  wait for a later refill (its politeness limit would hold them back anyway),
  and the places go to the next-oldest feeds of other hosts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable
from itertools import islice

from pipeline.poller.hosts import host_key
from pipeline.poller.store import FeedState


def window(due: Iterable[FeedState], skip: Container[int], *, limit: int, per_host: int,
           max_scan: int) -> dict[int, FeedState]:
    """The feeds to hold ready, by id, in due order; see the module docstring."""
    held: dict[int, FeedState] = {}
    hosts: Counter[str] = Counter()
    for feed in islice(due, max_scan):
        if feed.id in skip:
            continue
        host = host_key(feed.url)
        if hosts[host] >= per_host:
            continue
        hosts[host] += 1
        held[feed.id] = feed
        if len(held) >= limit:
            break
    return held
