"""When to poll a feed next: pure functions of what the feed and the server said.

Everything here is deterministic given ``now`` (epoch seconds) and a
``random.Random``; nothing reads a clock. Every interval returned lies within
``[min_interval_s, max_interval_s]`` of the settings, so a feed is never polled
more often than allowed and never dropped (a failing feed is retried at least
once per ``max_interval_s``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from pipeline.config import PollerSettings

SY_PERIODS = {"hourly": 3600.0, "daily": 86_400.0, "weekly": 604_800.0,
              "monthly": 2_592_000.0, "yearly": 31_536_000.0}
SCHEDULE_JITTER = 0.1  # ±10%: feeds added together drift apart instead of polling in lock-step
_MAX_AGE = re.compile(r"(?:^|[,\s])(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Hints:
    """What the feed and the HTTP response say about how often to come back (seconds)."""

    ttl_s: float | None = None  # RSS <ttl> (minutes in the feed)
    update_period_s: float | None = None  # sy:updatePeriod / sy:updateFrequency
    cache_s: float | None = None  # Cache-Control max-age, else Expires - now

    def floor(self) -> float | None:
        """The longest stated interval: the feed asks not to be polled more often than this."""
        values = [v for v in (self.ttl_s, self.update_period_s, self.cache_s) if v and v > 0]
        return max(values) if values else None


def feed_hints(feed_meta: Mapping[str, object], headers: Mapping[str, str], now: float) -> Hints:
    """Hints from feed-level elements (feedparser names) and response headers."""
    return Hints(ttl_s=_ttl(feed_meta.get("ttl")),
                 update_period_s=_sy(feed_meta.get("sy_updateperiod"), feed_meta.get("sy_updatefrequency")),
                 cache_s=cache_seconds(headers, now))


def _number(value: object) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _ttl(value: object) -> float | None:
    minutes = _number(value)
    return None if minutes is None else minutes * 60.0


def _sy(period: object, frequency: object) -> float | None:
    if period is None and frequency is None:
        return None
    seconds = SY_PERIODS.get(str(period or "daily").strip().lower())
    times = _number(frequency) or 1.0
    return None if seconds is None else seconds / times


def cache_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Freshness lifetime from ``Cache-Control: max-age`` or ``Expires`` (header names lower-case)."""
    match = _MAX_AGE.search(headers.get("cache-control", ""))
    if match:
        return _number(match.group(1))
    expires = http_date(headers.get("expires", ""))
    return None if expires is None or expires <= now else expires - now


def http_date(value: str) -> float | None:
    """An HTTP date as epoch seconds, or None when it is not one."""
    if not value or not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # HTTP dates are GMT by definition
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date); None if absent/invalid."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    when = http_date(text)
    return None if when is None else max(0.0, when - now)


def posting_interval(dates: Iterable[datetime], sample: int = 10) -> float | None:
    """Mean seconds between the most recent ``sample`` dated entries; None with fewer than two."""
    stamps = sorted({d.timestamp() for d in dates}, reverse=True)[:sample]
    if len(stamps) < 2:
        return None
    return (stamps[0] - stamps[-1]) / (len(stamps) - 1)


def clamp(seconds: float, settings: PollerSettings) -> float:
    return min(settings.max_interval_s, max(settings.min_interval_s, seconds))


def success_interval(settings: PollerSettings, hints: Hints, posting_s: float | None,
                     previous_s: float | None = None) -> float:
    """The interval after a successful poll.

    Half the observed posting gap (so a new entry waits on average a quarter of
    a gap), never shorter than what the feed asks for, within the bounds. With
    nothing observed (e.g. a 304) the previous interval stands.
    """
    base = posting_s / 2 if posting_s else (previous_s or settings.default_interval_s)
    floor = hints.floor()
    return clamp(max(base, floor) if floor else base, settings)


def jittered(now: float, interval_s: float, rng: random.Random, settings: PollerSettings) -> float:
    """``now + interval`` ± ``SCHEDULE_JITTER``, kept within the bounds."""
    factor = 1.0 + rng.uniform(-SCHEDULE_JITTER, SCHEDULE_JITTER)
    return now + clamp(interval_s * factor, settings)


def backoff_s(failures: int, settings: PollerSettings, rng: random.Random) -> float:
    """Delay after the ``failures``-th consecutive failure: exponential, capped, with jitter.

    ``min_interval * 2**(failures-1)`` capped at ``max_interval``, then drawn
    uniformly from its upper half ("equal jitter"), so a host that failed many
    feeds at once does not get all of them back at the same second.
    """
    exponent = min(max(failures, 1) - 1, 30)
    ceiling = min(settings.max_interval_s, settings.min_interval_s * (2 ** exponent))
    return max(settings.min_interval_s / 2, rng.uniform(ceiling / 2, ceiling))


def after_failure(now: float, failures: int, settings: PollerSettings, rng: random.Random,
                  wait_s: float | None = None) -> float:
    """Next poll after a failure; ``wait_s`` (Retry-After) is honoured in full, plus up to 10% jitter."""
    delay = backoff_s(failures, settings, rng)
    if wait_s is not None:
        # The server named a time: never earlier, and spread so retries do not bunch up at it.
        delay = max(delay, min(wait_s, settings.max_interval_s * 7) * (1.0 + rng.uniform(0.0, 0.1)))
    return now + delay
