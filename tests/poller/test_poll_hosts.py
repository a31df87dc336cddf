"""The per-host gate: concurrency limit, minimum delay, pauses."""

from __future__ import annotations

import threading
import time

from pipeline.poller.hosts import HostGate, host_key


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_concurrency_limit_and_minimum_delay() -> None:
    clock = Clock()
    gate = HostGate(concurrency=2, delay_s=1.0, clock=clock)
    assert gate.try_acquire("a")
    assert not gate.try_acquire("a")  # too soon
    assert gate.try_acquire("b")  # other hosts are independent
    clock.t += 1.0
    assert gate.try_acquire("a")
    clock.t += 1.0
    assert not gate.try_acquire("a") and gate.wait_s("a") == float("inf")  # two in flight
    gate.release("a")
    assert gate.try_acquire("a")


def test_pause_blocks_the_host_until_it_ends() -> None:
    clock = Clock()
    gate = HostGate(concurrency=2, delay_s=0.0, clock=clock)
    gate.pause("a", 60.0)
    assert not gate.try_acquire("a") and gate.paused_s("a") == 60.0
    clock.t += 60.0
    assert gate.try_acquire("a")


def test_blocking_acquire_waits_for_a_release() -> None:
    gate = HostGate(concurrency=1, delay_s=0.0)
    assert gate.acquire("a", 0.1)
    assert not gate.acquire("a", 0.05)
    threading.Timer(0.05, gate.release, ("a",)).start()
    started = time.monotonic()
    assert gate.acquire("a", 2.0) and time.monotonic() - started < 1.0


def test_host_key_ignores_port_and_case() -> None:
    assert (
        host_key("http://News.Example.com:8080/feed")
        == host_key("https://news.example.com/x")
        == "news.example.com"
    )
