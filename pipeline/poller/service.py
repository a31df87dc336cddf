"""The feed poller as a service: ``step`` polls due feeds, publishes new entries as articles.

Delivery: new articles are published and the producer flushed *before* the
entries are marked seen and the feed's validators saved, in one store
transaction. A crash in between re-fetches and republishes the same ids next
time (at-least-once); dedupe by GUID, canonical URL and content hash makes it
exactly-once in practice. A flush failure leaves nothing marked: the feed is
recorded as failing and retried with backoff.

Concurrency: fetching, parsing and full-text extraction run in a thread pool;
every store write, publish and flush happens in the thread calling ``step``.
Politeness: a feed is dispatched only when its host's gate grants a slot, so
no worker thread sits waiting for a host.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from pipeline.bus.base import RAW, Producer
from pipeline.config import PollerSettings
from pipeline.errors import BackendUnavailable
from pipeline.poller import schedule
from pipeline.poller.entries import EntryArticle, FeedRef, with_full_text
from pipeline.poller.fetch import Fetcher, FetchResult
from pipeline.poller.fresh import fresh_entries
from pipeline.poller.fulltext import FullText
from pipeline.poller.hosts import HostGate, host_key
from pipeline.poller.outcome import CycleStats, PollOutcome, state_changes
from pipeline.poller.parse import parse_feed
from pipeline.poller.store import FeedState, FeedStore
from pipeline.poller.window import window
from pipeline.records import encode
from pipeline.runtime.metrics import Sensor

log = logging.getLogger(__name__)
Fetch = Callable[..., FetchResult]
QUEUE_REFRESH_S = 0.5  # how stale the in-memory window of due feeds may get
# The window of due feeds held ready (pipeline.poller.window): bounded whatever the number of feeds.
WINDOW_PER_WORKER = 4  # feeds held per worker thread (at least 64)
WINDOW_SCAN = 10_000  # due feeds read per refill at most (hosts over their share are passed over)
WINDOW_PAGE = 256  # rows per store read
FULL_TEXT_PER_POLL = 30  # article pages fetched per feed poll; the rest keep their summary
CANCELLED = "cancelled: the poller is shutting down"
STORE_DOWN = "abandoned: the feed store is unavailable"  # not the feed's fault: nothing recorded, still due


class _Cancelled(Exception):
    """Raised in a worker when ``close`` asks in-flight polls to stop early."""


class Poller:
    """Polls due feeds; ``step`` and ``busy`` fit the service loop (:mod:`pipeline.runtime.loop`)."""

    stage = "poll"

    def __init__(self, store: FeedStore, producer: Producer, settings: PollerSettings, *,
                 fetch: Fetch | None = None, now: Callable[[], float] = time.time,
                 rng: random.Random | None = None, sensor: Sensor | None = None, topic: str = RAW,
                 full_text: FullText | None = None,
                 on_polled: Callable[[PollOutcome], None] | None = None) -> None:
        self.store, self.producer, self.settings, self.topic = store, producer, settings, topic
        self.now, self.rng = now, rng or random.Random()
        self.sensor = sensor or Sensor()
        self.on_polled = on_polled
        self._fetcher: Fetcher | None = None
        if fetch is None:
            self._fetcher = Fetcher(
                settings.user_agent, settings.timeout_s, settings.max_bytes, settings.max_redirects,
                settings.concurrency, allow_private=settings.allow_private_networks,
                connect_timeout_s=settings.connect_timeout_s, max_encodings=settings.max_content_encodings)
            fetch = self._fetcher.fetch
        self.fetch: Fetch = fetch
        self.gate = HostGate(settings.per_host_concurrency, settings.per_host_delay_s)
        self.full_text = full_text if full_text is not None or not settings.full_text else \
            FullText(self.fetch, self.gate, settings.user_agent, wait_s=settings.timeout_s)
        self._pool = ThreadPoolExecutor(max(1, settings.concurrency), thread_name_prefix="poll")
        self._inflight: dict[Future[PollOutcome], int] = {}
        self._queue: dict[int, FeedState] = {}  # due feeds ready to dispatch, oldest first (bounded)
        self._queue_at = -1.0
        self._targets: dict[int, None] | None = None  # --once: the ids still to poll, oldest-due first
        self.stats = CycleStats()
        self._closing = threading.Event()
        self._restore_pauses()

    # --- the loop --------------------------------------------------------------

    def step(self, timeout_s: float | None = None) -> int:
        """Dispatch due feeds and apply the polls that finish within ``timeout_s``. Returns feeds polled."""
        deadline = time.monotonic() + (0.5 if timeout_s is None else timeout_s)
        while True:
            self._dispatch()
            remaining = deadline - time.monotonic()
            if self._inflight:
                done, _ = wait(list(self._inflight), timeout=max(0.0, min(remaining, self._tick())),
                               return_when=FIRST_COMPLETED)
                if done:
                    return self._finish()
            elif remaining > 0:
                time.sleep(min(remaining, self._tick()))
            if time.monotonic() >= deadline:
                return 0

    @property
    def busy(self) -> bool:
        """Polls are still in flight (an idle check must not end the loop yet)."""
        return bool(self._inflight)

    def poll_once(self, force: bool = False, stop: Callable[[], bool] = lambda: False) -> CycleStats:
        """Poll every due feed (every feed with ``force``) once; returns the run's counts.

        ``force`` ignores the schedule but not a server's Retry-After nor the per-host limits.
        """
        started = time.monotonic()
        self.stats = CycleStats()
        self._targets = dict.fromkeys(self.store.due_ids(self.now(), ignore_schedule=force))
        self._queue, self._queue_at = {}, -1.0
        try:
            while (self._targets or self._inflight) and not stop():
                self.step(0.5)
        finally:
            self._targets, self._queue, self._queue_at = None, {}, -1.0
        self.stats.seconds = time.monotonic() - started
        return self.stats

    def take_stats(self) -> CycleStats:
        """The counts since the last call (the service prints one summary line per period)."""
        stats, self.stats = self.stats, CycleStats()
        return stats

    def close(self) -> None:
        """Stop: polls in flight finish or are abandoned unapplied (still due), then threads and connections
        are released. Idempotent."""
        self._closing.set()  # a worker stops before its next article page; its feed stays due
        if self._fetcher is not None:
            self._fetcher.cancel()  # fetches in flight end now (a stuck host must not hold shutdown)
        while self._inflight:
            wait(list(self._inflight))
            self._finish()
        self._pool.shutdown(wait=True)
        if self._fetcher is not None:
            self._fetcher.close()

    # --- dispatch --------------------------------------------------------------

    def _candidates(self) -> list[FeedState]:
        """The window of due feeds (``--once``: of the targets left), refilled when stale or empty."""
        if time.monotonic() - self._queue_at > QUEUE_REFRESH_S or not self._queue:
            self._queue = window(self._due(), set(self._inflight.values()),
                                 limit=max(64, WINDOW_PER_WORKER * self.settings.concurrency),
                                 per_host=2 * self.settings.per_host_concurrency, max_scan=WINDOW_SCAN)
            self._queue_at = time.monotonic()
        return list(self._queue.values())

    def _due(self) -> Iterator[FeedState]:
        """Due feeds, oldest first, read lazily: from the store's pages, or the ``--once`` targets' ids."""
        if self._targets is None:
            return self.store.iter_due(self.now(), page=WINDOW_PAGE)
        return self._target_feeds()

    def _target_feeds(self) -> Iterator[FeedState]:
        """The ``--once`` targets left, in their order, a page of rows at a time."""
        targets = self._targets or {}
        ids = list(islice(targets, WINDOW_SCAN))  # a copy: ids of removed feeds are dropped meanwhile
        for start in range(0, len(ids), WINDOW_PAGE):
            page = ids[start:start + WINDOW_PAGE]
            found = self.store.by_ids(page)
            for feed_id in page:
                if feed_id in found:
                    yield found[feed_id]
                else:
                    targets.pop(feed_id, None)  # removed since the run began: nothing to poll

    def _dispatch(self) -> None:
        now = self.now()
        for feed in self._candidates():
            if len(self._inflight) >= self.settings.concurrency:
                return
            host = host_key(feed.url)
            if self._targets is not None and (feed.retry_until > now or self.gate.paused_s(host) > 0):
                self._targets.pop(feed.id, None)  # --once must not wait out a Retry-After: report it instead
                self._queue.pop(feed.id, None)
                self.stats.deferred += 1
                continue
            if self.gate.try_acquire(host):
                self._queue.pop(feed.id, None)
                if self._targets is not None:
                    self._targets.pop(feed.id, None)
                self._inflight[self._pool.submit(self._poll, feed, host)] = feed.id

    def _tick(self) -> float:
        """How long to wait before trying to dispatch again (a host's delay may end meanwhile)."""
        return 0.02 if self._queue or self._targets else 0.25

    def _restore_pauses(self) -> None:
        # A Retry-After outlives a restart: hosts stay paused for what is left of it.
        now = self.now()
        for feed in self.store.paused(now):  # only the paused rows: a restart never reads every feed
            self.gate.pause(host_key(feed.url), feed.retry_until - now)

    # --- in a worker thread ------------------------------------------------------

    def _poll(self, feed: FeedState, host: str) -> PollOutcome:
        try:
            return self._poll_feed(feed)
        except _Cancelled:
            return PollOutcome(feed, self.now(), error=CANCELLED)
        except BackendUnavailable as exc:  # the store (disk full, locked): an outage, not a feed failure
            log.warning("polling %s: %s", feed.url, exc)
            return PollOutcome(feed, self.now(), error=STORE_DOWN)
        except Exception as exc:  # noqa: BLE001 - a bug with one feed must not stop the others
            log.exception("polling %s failed unexpectedly", feed.url)
            return PollOutcome(feed, self.now(), error=f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self.gate.release(host)

    def _poll_feed(self, feed: FeedState) -> PollOutcome:
        now = self.now()
        result = self.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified,
                            trusted_host=feed.trusted_host)
        if result.error:
            if self._closing.is_set():
                raise _Cancelled  # the fetch was cut short by shutdown: not the feed's failure
            return self._failed(feed, now, result)
        if result.not_modified:
            return PollOutcome(feed, now, 304, not_modified=True,
                               hints=schedule.Hints(cache_s=schedule.cache_seconds(result.headers, now)))
        digest = hashlib.sha256(result.body).hexdigest()[:32]
        if digest == feed.body_hash:  # the server's validators lie, the body says "unchanged"
            return PollOutcome(feed, now, result.status, not_modified=True,
                               hints=schedule.Hints(cache_s=schedule.cache_seconds(result.headers, now)))
        parsed = parse_feed(result.body, result.url, result.headers)
        if parsed.error:
            return PollOutcome(feed, now, result.status, error=parsed.error)
        ref = FeedRef(feed.id, result.moved_to or feed.url, feed.name or parsed.title)
        fresh = fresh_entries(parsed.entries, ref, datetime.fromtimestamp(now, UTC),
                              self.settings.max_entries_per_poll, self.store.seen)
        validators = {"etag": result.headers.get("etag") or None, "body_hash": digest,
                      "last_modified": (result.headers.get("last-modified") or "").strip() or None,
                      "title": parsed.title[:300]}
        if fresh.pending:  # entries wait: the next poll must fetch and read the whole document again
            validators.update(etag=None, body_hash=None, last_modified=None)
        if result.moved_to:
            validators["url"] = result.moved_to
        candidates, refusals = self._with_full_text(fresh.candidates, feed.trusted_host)
        return PollOutcome(feed, now, result.status, candidates=candidates, refusals=refusals,
                           validators=validators, warning=parsed.warning, pending=fresh.pending,
                           skipped=[*parsed.skipped, *fresh.skipped],
                           hints=schedule.feed_hints(parsed.meta, result.headers, now),
                           posting_s=schedule.posting_interval(e.published for e in parsed.entries
                                                               if e.published))

    def _failed(self, feed: FeedState, now: float, result: FetchResult) -> PollOutcome:
        wait_s = None
        if result.status in (429, 503):
            wait_s = schedule.retry_after(result.headers.get("retry-after"), now)
        reason = result.error if wait_s is None else f"{result.error}; Retry-After {wait_s:.0f}s"
        refusals = [f"feed: {result.error}"] if result.refused else []
        return PollOutcome(feed, now, result.status, error=reason, retry_after_s=wait_s, refusals=refusals)

    def _with_full_text(self, candidates: list[EntryArticle], trusted_host: str) -> tuple[list[EntryArticle], list[str]]:
        """The candidates with article-page text where it could be had, and the pages refused (and why)."""
        if self.full_text is None:
            return candidates, []
        out, refusals, budget = [], [], FULL_TEXT_PER_POLL
        for c in candidates:
            if c.needs_full_text and budget > 0:
                if self._closing.is_set():
                    raise _Cancelled
                budget -= 1
                url = c.article.canonical_url  # no tracking parameters sent
                page = self.full_text.page(url, trusted_host)
                if page.refused:  # the entry keeps the feed's own summary
                    refusals.append(f"article page {url}: {page.refused}")
                c = with_full_text(c, page.text) if page.text else c
            out.append(c)
        if self._closing.is_set():
            raise _Cancelled  # the last page may have been cut short: poll the feed again after the restart
        return out, refusals

    # --- back in the loop's thread ---------------------------------------------------

    def _finish(self) -> int:
        done = [f for f in self._inflight if f.done()]
        outcomes = [f.result() for f in done]
        for f in done:
            del self._inflight[f]
        self._apply(outcomes)
        return len(outcomes)

    def _apply(self, outcomes: list[PollOutcome]) -> None:
        outcomes = [o for o in outcomes if o.error not in (CANCELLED, STORE_DOWN)]  # nothing recorded, still due
        seen_rows = self._publish(outcomes)
        updates = [(o.feed.id, self._changes(o)) for o in outcomes]
        self.store.apply(updates, seen_rows)
        for o in outcomes:
            self._account(o)

    def _publish(self, outcomes: list[PollOutcome]) -> list[tuple[str, str, int, float]]:
        """Publish new articles and flush; the seen rows to record, or none if the flush failed."""
        rows: list[tuple[str, str, int, float]] = []
        batch: set[tuple[str, str]] = set()
        known = self.store.seen(k for o in outcomes for c in o.candidates for k in c.dedupe_keys())
        for o in outcomes:
            for c in o.candidates:
                keys = c.dedupe_keys()
                if known.intersection(keys) or batch.intersection(keys):
                    continue  # another feed (or an earlier step) published it already
                try:
                    payload = encode(c.article)
                except Exception as exc:  # noqa: BLE001 - a record boundary: that entry's error only
                    o.skipped.append(f"entry {c.article.url[:200]!r}: not encodable: {type(exc).__name__}: {exc}")
                    continue
                batch.update(keys)
                self.producer.publish(self.topic, c.article.id, payload, {"feed": o.feed.url})
                rows.extend((kind, key, o.feed.id, o.polled_at) for kind, key in keys)
                o.published += 1
        if not rows:
            return rows
        try:
            self.producer.flush()
        except BackendUnavailable as exc:
            for o in outcomes:
                if o.published:  # nothing is marked seen: the next poll publishes these again
                    o.error, o.published, o.retry_after_s = f"bus unavailable: {exc}", 0, None
            return []
        return rows

    def _changes(self, o: PollOutcome) -> dict[str, Any]:
        changes = state_changes(o, self.settings, self.rng)
        moved = changes.get("url")
        if moved and moved != o.feed.url and self.store.get(moved) is not None:
            del changes["url"]  # another feed already has that URL; keep this one where it is
        return changes

    def _account(self, o: PollOutcome) -> None:
        self.stats.add(o)
        self.sensor.records_in(self.stage, 1)
        self.sensor.records_out(self.stage, o.published)
        if o.ok and o.not_modified:
            self.sensor.not_modified(self.stage, 1)
        if o.ok:
            if o.warning:
                log.debug("%s: parsed despite: %s", o.feed.url, o.warning)
        else:
            self.sensor.errors(self.stage, 1)
            log.warning("feed %s: %s (failure %d in a row)", o.feed.url, o.error, o.feed.failures + 1)
        if o.skipped:
            log.warning("feed %s: %d entry(ies) skipped, e.g. %s", o.feed.url, len(o.skipped), o.skipped[-1])
        if o.refusals:
            self.sensor.refused(self.stage, len(o.refusals))
            log.warning("feed %s: %d destination(s) refused, e.g. %s", o.feed.url, len(o.refusals), o.refusals[-1])
        if o.retry_after_s:
            self.gate.pause(host_key(o.feed.url), o.retry_after_s)
        if self.on_polled is not None:
            self.on_polled(o)
