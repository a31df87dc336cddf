"""Scheduling is pure: given now and an RNG, the next poll is decided by what the feed and server said."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.config import PollerSettings
from pipeline.poller import schedule

S = PollerSettings(min_interval_s=300.0, max_interval_s=86_400.0, default_interval_s=1800.0)
NOW = 1_700_000_000.0


def test_hints_from_ttl_syndication_and_cache_headers() -> None:
    hints = schedule.feed_hints(
        {"ttl": "60", "sy_updateperiod": "daily", "sy_updatefrequency": "4"},
        {"cache-control": "public, max-age=900"},
        NOW,
    )
    assert (hints.ttl_s, hints.update_period_s, hints.cache_s) == (3600.0, 21_600.0, 900.0)
    assert hints.floor() == 21_600.0


def test_expires_header_and_garbage_hints() -> None:
    expires = datetime.fromtimestamp(NOW + 1200, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert schedule.cache_seconds({"expires": expires}, NOW) == pytest.approx(1200, abs=1)
    assert schedule.cache_seconds({"expires": "yesterday"}, NOW) is None
    assert schedule.feed_hints({"ttl": "soon", "sy_updateperiod": "fortnightly"}, {}, NOW).floor() is None


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert schedule.retry_after("120", NOW) == 120.0
    when = datetime.fromtimestamp(NOW + 600, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert schedule.retry_after(when, NOW) == pytest.approx(600, abs=1)
    assert schedule.retry_after("", NOW) is None and schedule.retry_after("later", NOW) is None


def test_posting_interval_is_the_mean_gap_of_recent_entries() -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    assert schedule.posting_interval([base + timedelta(hours=h) for h in (0, 2, 4, 6)]) == 7200.0
    assert schedule.posting_interval([base]) is None


def test_success_interval_halves_the_posting_gap_within_bounds_and_hints() -> None:
    none = schedule.Hints()
    assert schedule.success_interval(S, none, 7200.0) == 3600.0
    assert schedule.success_interval(S, none, 60.0) == S.min_interval_s  # a busy feed: the lower bound
    assert schedule.success_interval(S, none, 10 * 86_400.0) == S.max_interval_s  # a quiet one: the upper
    assert schedule.success_interval(S, schedule.Hints(ttl_s=7200.0), 600.0) == 7200.0  # the feed asks
    assert schedule.success_interval(S, none, None) == S.default_interval_s
    assert schedule.success_interval(S, none, None, previous_s=4000.0) == 4000.0


def test_jitter_stays_within_ten_percent_and_the_bounds() -> None:
    rng = random.Random(1)
    for _ in range(200):
        delta = schedule.jittered(NOW, 3600.0, rng, S) - NOW
        assert 3240.0 <= delta <= 3960.0


def test_backoff_grows_exponentially_is_capped_and_jittered() -> None:
    rng = random.Random(7)
    firsts = [schedule.backoff_s(1, S, rng) for _ in range(50)]
    assert all(150.0 <= d <= 300.0 for d in firsts) and len(set(firsts)) > 40
    assert all(1200.0 <= schedule.backoff_s(4, S, rng) <= 2400.0 for _ in range(50))
    assert all(schedule.backoff_s(40, S, rng) <= S.max_interval_s for _ in range(50))  # never dropped


def test_retry_after_is_never_shortened_and_spread() -> None:
    rng = random.Random(3)
    delays = [schedule.after_failure(NOW, 1, S, rng, wait_s=3600.0) - NOW for _ in range(100)]
    assert min(delays) >= 3600.0 and max(delays) <= 3960.0 and len(set(delays)) > 90
