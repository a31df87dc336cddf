"""The one worker loop: consume → handle → publish → flush → commit.

This is the reliability story in one place. Offsets are committed only after
every output and dead-letter record of the batch is flushed, so a crash at
any point redelivers the batch (at-least-once); ids are stable, so handling
a batch twice is harmless. A transient failure (backend outage: a broker or
cluster down, an SQLite database full or locked) retries the whole step with
backoff and never commits past it — reported when it starts, every
OUTAGE_REPORT_EVERY_S while it lasts and when it ends, not on every attempt; a record that cannot be handled becomes a
dead-letter record and the rest of the batch goes on. A service waits an outage
out; a one-shot run (``give_up_after``) raises it after that many attempts.
A stop requested while a batch is being handled abandons it once the handler
returns: nothing of it is published or committed (:class:`Stopped`; it is
redelivered). A handler that never returns is the watchdog's to end
(:mod:`pipeline.runtime.hardstop`).

A handler whose batch depends on another stage's progress (the thread stage
waits for the indexer) raises :class:`NotReady`: the worker holds the batch,
commits nothing and offers it to the handler again at a later step, after the
same backoff, without blocking the other stages of its process meanwhile; a
wait that lasts is logged again every OUTAGE_REPORT_EVERY_S, like an outage.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from pipeline.bus.base import Consumer, Message, Producer
from pipeline.config import WorkerSettings
from pipeline.errors import BackendUnavailable, PermanentError, RecordTooLarge, TransientError
from pipeline.runtime.deadletter import DeadLetter, Failure
from pipeline.runtime.metrics import Sensor
from pipeline.runtime.shutdown import StopFlag

log = logging.getLogger(__name__)
T = TypeVar("T")
OUTAGE_REPORT_EVERY_S = 60.0  # an outage that lasts is logged again this often: a stall is never silent
HOLD_MAX_S = 5.0  # a held batch is offered again at least this often: the stage it waits for moves in seconds


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    key: str | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Outcome:
    """What handling a batch produced: records to publish and records that failed for good."""

    outputs: list[Outgoing] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


class Handler(Protocol):
    stage: str

    def handle(self, batch: Sequence[Message]) -> Outcome:
        """Handle a batch. Raise TransientError (or BackendUnavailable) to retry it whole.

        Must be idempotent: the same batch may be handled again after a crash.
        """


class NotReady(Exception):  # noqa: N818 - a state, not a failure
    """The handler cannot handle the batch yet: it waits for another stage (not an outage, not the records'
    fault). The worker holds the batch, commits nothing and hands it over again after a backoff."""


@dataclass(slots=True)
class _Held:
    """A batch whose handler said it is not ready yet, and when to offer it again."""

    batch: Sequence[Message]
    attempts: int
    delay_s: float
    due: float  # time.monotonic() of the next attempt
    since: float  # time.monotonic() of the first attempt
    reported: float  # time.monotonic() of the last log line at INFO or above


class Stopped(Exception):
    """Stop was requested while a batch was being handled or retried; nothing of it was published or committed."""


class Worker:
    """Runs one handler over one consumer; ``step`` handles at most one batch."""

    def __init__(self, consumer: Consumer, producer: Producer, handler: Handler, settings: WorkerSettings,
                 stop: StopFlag, sensor: Sensor | None = None, give_up_after: int | None = None) -> None:
        self.consumer, self.producer, self.handler = consumer, producer, handler
        self.settings, self.stop, self.give_up_after = settings, stop, give_up_after
        self.sensor = sensor or Sensor()
        self.stage = handler.stage
        self._held: _Held | None = None

    @property
    def busy(self) -> bool:
        """A batch is held until its handler is ready for it (the service loop is not idle meanwhile)."""
        return self._held is not None

    def step(self, timeout_s: float | None = None) -> int:
        """Poll one batch (or take the held one when due) and see it through to a commit.

        Returns the records handled: 0 when there was nothing, or when the batch is held
        (waiting at most about ``timeout_s`` here, so the other stages of the process go on).
        """
        timeout = self.settings.poll_timeout_s if timeout_s is None else timeout_s
        if self._held is not None:
            wait = self._held.due - time.monotonic()
            if wait > 0 and (self.stop.wait(min(wait, timeout)) or time.monotonic() < self._held.due):
                return 0
            return self._see_through(self._held.batch)
        batch = self._retrying(lambda: self.consumer.poll(self.settings.batch_size, timeout), "poll")
        if not batch:
            return 0
        self.sensor.records_in(self.stage, len(batch))
        return self._see_through(batch)

    def _see_through(self, batch: Sequence[Message]) -> int:
        """Handle, publish, flush and commit ``batch``; a NotReady handler holds it instead (returns 0)."""
        started = time.monotonic()
        try:
            outcome = self._process(batch)
        except NotReady as exc:
            self._hold(batch, exc)
            return 0
        self._held = None
        self.sensor.records_out(self.stage, len(outcome.outputs))
        self.sensor.failures(self.stage, len(outcome.failures))
        # A commit lost to an outage is retried; if we stop first, the batch is redelivered (harmless).
        self._retrying(lambda: self.consumer.commit(batch), "commit")
        self.sensor.batch_done(self.stage, time.monotonic() - started)
        return len(batch)

    def _hold(self, batch: Sequence[Message], reason: NotReady) -> None:
        """Hold ``batch`` for another try after a backoff; a one-shot run gives up (BackendUnavailable)."""
        held = self._held
        attempts = held.attempts + 1 if held else 1
        if self.give_up_after is not None and attempts >= self.give_up_after:
            raise BackendUnavailable(f"{self.stage}: {reason} (after {attempts} tries)")
        delay = min(held.delay_s * 2, self.settings.backoff_max_s, HOLD_MAX_S) if held else self.settings.backoff_initial_s
        now = time.monotonic()
        since, reported = (held.since, held.reported) if held else (now, now)
        if held is None:  # a stage a little behind is normal: said once
            log.info("%s: batch of %d held, next try in %.1fs: %s", self.stage, len(batch), delay, reason)
        elif now - reported >= OUTAGE_REPORT_EVERY_S:  # a wait that lasts is a stall: never silent
            reported = now
            log.warning("%s: batch of %d still held after %d tries in %.0fs: %s", self.stage, len(batch),
                        attempts, now - since, reason)
        else:
            log.debug("%s: batch of %d held again, next try in %.1fs: %s", self.stage, len(batch), delay, reason)
        self._held = _Held(batch, attempts, delay, now + delay * random.uniform(0.8, 1.2), since, reported)

    def _process(self, batch: Sequence[Message]) -> Outcome:
        """Handle, publish and flush ``batch``; returns what was published and flushed.

        A batch that fails for good — the handler's PermanentError or bug, or a record
        the bus refuses for good (too large) — is split until the poison is isolated
        and dead-lettered with its reason; the others' outputs are published again
        (harmless: ids are stable). Outages are retried, never split.
        """
        try:
            outcome = self._retrying(lambda: self.handler.handle(batch), "handle")
            if self.stop.is_set():  # stop came while handling: abandon the batch in hand, uncommitted
                raise Stopped(f"{self.stage} handle")
            self._retrying(lambda: self._publish(outcome), "publish")  # again in full: duplicates are harmless
            self._retrying(self.producer.flush, "flush")
            return outcome
        except (Stopped, TransientError, NotReady):  # not the records' fault: nothing is dead-lettered
            raise
        except Exception as exc:  # noqa: BLE001 - PermanentError, or a bug: neither may crash the service
            if len(batch) == 1:
                log.warning("%s: %s/%s/%s cannot be handled: %r", self.stage, batch[0].topic,
                            batch[0].partition, batch[0].offset, exc, exc_info=not isinstance(exc, PermanentError))
                return self._dead_letter(Failure(batch[0], f"{type(exc).__name__}: {exc}"))
            log.warning("%s: batch of %d failed (%s); handling its records one by one", self.stage, len(batch), exc)
        outcome = Outcome()
        for message in batch:
            single = self._process([message])
            outcome.outputs += single.outputs
            outcome.failures += single.failures
        return outcome

    def _publish(self, outcome: Outcome) -> None:
        for out in outcome.outputs:
            self.producer.publish(out.topic, out.key, out.value, out.headers)
        for failure in outcome.failures:
            self._publish_dead_letter(failure)

    def _dead_letter(self, failure: Failure) -> Outcome:
        self._retrying(lambda: self._publish_dead_letter(failure), "publish")
        self._retrying(self.producer.flush, "flush")
        return Outcome(failures=[failure])

    def _publish_dead_letter(self, failure: Failure) -> None:
        log.warning("%s: dead-lettering %s/%s/%s: %s", self.stage, failure.message.topic,
                    failure.message.partition, failure.message.offset, failure.reason)
        letter = DeadLetter.of(failure, self.stage)
        try:
            self.producer.publish(*letter.record())
        except RecordTooLarge:  # the payload, wrapped, outgrew the bus: keep who, when and why
            note = f"{letter.error} [original payload of {len(letter.payload):,} bytes dropped: too large]"
            self.producer.publish(*replace(letter, payload=b"", error=note).record())

    def _retrying(self, action: Callable[[], T], what: str) -> T:
        return retry_transient(action, self.settings, self.stop, f"{self.stage} {what}",
                               on_retry=lambda reason: self.sensor.retry(self.stage, reason),
                               give_up_after=self.give_up_after)


def retry_transient(action: Callable[[], T], settings: WorkerSettings, stop: StopFlag, what: str,
                    on_retry: Callable[[str], None] | None = None, give_up_after: int | None = None) -> T:
    """Call ``action`` until it succeeds, backing off (with jitter) on TransientError.

    With ``give_up_after`` None an outage is waited out; otherwise the TransientError
    of that attempt is raised. Raises Stopped when stop is requested meanwhile, so
    the caller commits nothing. Logs one line when an outage starts, one every
    :data:`OUTAGE_REPORT_EVERY_S` while it lasts, and one when it ends.
    """
    delay = settings.backoff_initial_s
    attempt, started = 1, time.monotonic()
    reported = started
    while True:
        try:
            result = action()
        except TransientError as exc:
            if on_retry:
                on_retry(str(exc))
            if give_up_after is not None and attempt >= give_up_after:
                log.debug("%s: giving up after %d attempt(s): %s", what, attempt, exc)
                raise
            if attempt == 1:  # a one-shot run reports the outage once, when it gives up (exit 3)
                log.log(logging.INFO if give_up_after else logging.WARNING,
                        "%s: backend unavailable, retrying with backoff: %s", what, exc)
            elif time.monotonic() - reported >= OUTAGE_REPORT_EVERY_S:
                reported = time.monotonic()
                log.log(logging.INFO if give_up_after else logging.WARNING,
                        "%s: still unavailable after %d attempt(s) in %.0fs: %s", what, attempt,
                        reported - started, exc)
            else:
                log.debug("%s failed again (attempt %d), next try in %.1fs: %s", what, attempt, delay, exc)
        else:
            if attempt > 1:
                log.warning("%s: recovered after %d attempt(s) in %.1fs", what, attempt,
                            time.monotonic() - started)
            return result
        if stop.wait(delay * random.uniform(0.8, 1.2)):
            raise Stopped(what)
        delay = min(delay * 2, settings.backoff_max_s)
        attempt += 1
