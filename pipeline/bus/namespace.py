"""Run several pipelines (or test runs) on one broker: prefix every topic and group name.

Stages keep using logical names (``articles.raw``); this wrapper maps them to
``<namespace>articles.raw`` on the way in and back on the way out, so nothing
above the bus knows a namespace exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from pipeline.bus.base import Bus, Consumer, Message, Producer, TopicStats


class NamespacedBus:
    """A :class:`~pipeline.bus.base.Bus` whose topics and groups all carry ``prefix``."""

    def __init__(self, inner: Bus, prefix: str) -> None:
        self.inner, self.prefix = inner, prefix

    def name(self, topic: str) -> str:
        return f"{self.prefix}{topic}"

    def logical(self, topic: str) -> str:
        return topic[len(self.prefix):] if topic.startswith(self.prefix) else topic

    def producer(self) -> Producer:
        return _Producer(self.inner.producer(), self)

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer:
        return _Consumer(self.inner.consumer(self.name(group), [self.name(t) for t in topics]), self)

    def ensure_topics(self, topics: Sequence[str]) -> None:
        self.inner.ensure_topics([self.name(t) for t in topics])

    def stats(self, topics: Sequence[str]) -> list[TopicStats]:
        out = []
        for s in self.inner.stats([self.name(t) for t in topics]):
            committed = {self.logical(g): o for g, o in s.committed.items() if g.startswith(self.prefix)}
            out.append(replace(s, topic=self.logical(s.topic), committed=committed))
        return out

    def lag(self, stats: TopicStats, group: str) -> int:
        committed = {self.name(g): o for g, o in stats.committed.items()}
        return self.inner.lag(replace(stats, topic=self.name(stats.topic), committed=committed), self.name(group))

    def committed(self, group: str, topic: str) -> dict[int, int]:
        return self.inner.committed(self.name(group), self.name(topic))

    def read(self, topic: str, limit: int = 100) -> list[Message]:
        return [self.outward(m) for m in self.inner.read(self.name(topic), limit)]

    def outward(self, message: Message) -> Message:
        return replace(message, topic=self.logical(message.topic))

    def close(self) -> None:
        self.inner.close()


class _Producer:
    def __init__(self, inner: Producer, bus: NamespacedBus) -> None:
        self.inner, self.bus = inner, bus

    def publish(self, topic: str, key: str | None, value: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.inner.publish(self.bus.name(topic), key, value, headers)

    def flush(self, timeout_s: float | None = None) -> None:
        self.inner.flush(timeout_s)

    def close(self) -> None:
        self.inner.close()


class _Consumer:
    def __init__(self, inner: Consumer, bus: NamespacedBus) -> None:
        self.inner, self.bus = inner, bus

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        return [self.bus.outward(m) for m in self.inner.poll(max_records, timeout_s)]

    def commit(self, messages: Sequence[Message]) -> None:
        self.inner.commit([replace(m, topic=self.bus.name(m.topic)) for m in messages])

    def close(self) -> None:
        self.inner.close()
