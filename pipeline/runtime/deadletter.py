"""Dead-letter records: the original record plus who, when, what and why. One schema, one codec."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.bus.base import Message, dlq_topic
from pipeline.errors import MalformedRecord

SCHEMA, VERSION = "dead_letter", 1
HEADER_ERROR_CHARS = 500  # bus headers stay small; the body keeps the whole reason
REDRIVEN_FOR = "dlq.redriven_for"  # header of a re-driven record: the stage whose dead letter it was


def redriven_for_another(message: Message, stage: str, also: Collection[str] = ()) -> bool:
    """Whether ``message`` is a re-driven dead letter of a stage other than ``stage`` (and ``also``).

    A topic read by several groups (articles.enriched: the indexer and the thread stage) gets a
    re-driven record in every group; only the stage that dead-lettered it handles it again, and
    the stages named in ``also`` (the thread stage also takes the indexer's: it threads what
    the indexer indexes again). Records never re-driven are everyone's.
    """
    owner = message.headers.get(REDRIVEN_FOR)
    return owner is not None and owner != stage and owner not in also


@dataclass(frozen=True, slots=True)
class Failure:
    """A record that cannot be handled, and why. It goes to the dead-letter topic."""

    message: Message
    reason: str


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """What the dead-letter topic holds for one failed record (versioned JSON on the wire).

    ``topic``/``partition``/``offset``/``key``/``headers``/``payload`` are the original
    record's, so it can be published again unchanged after a fix.
    """

    stage: str
    error: str
    time: str  # ISO 8601, UTC, when the record was dead-lettered
    topic: str
    partition: int
    offset: int
    key: str | None
    payload: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, failure: Failure, stage: str, now: datetime | None = None) -> DeadLetter:
        """The dead letter of ``failure`` in ``stage`` (``now`` defaults to the current time)."""
        m = failure.message
        when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        return cls(stage, failure.reason, when, m.topic, m.partition, m.offset, m.key, m.value, dict(m.headers))

    @property
    def source(self) -> str:
        """Where the original record was: ``topic/partition/offset``."""
        return f"{self.topic}/{self.partition}/{self.offset}"

    def encode(self) -> bytes:
        body = {"schema": SCHEMA, "v": VERSION, "stage": self.stage, "error": self.error, "time": self.time,
                "topic": self.topic, "partition": self.partition, "offset": self.offset, "key": self.key,
                "headers": dict(self.headers), "payload_b64": base64.b64encode(self.payload).decode("ascii")}
        return json.dumps(body).encode("utf-8")

    @classmethod
    def decode(cls, value: bytes) -> DeadLetter:
        """Raises MalformedRecord when ``value`` is not a dead letter of this schema and version."""
        try:
            body = json.loads(value)
            if body.get("schema") != SCHEMA or body.get("v") != VERSION:
                raise ValueError(f"schema {body.get('schema')!r} v{body.get('v')!r}")
            return cls(str(body["stage"]), str(body["error"]), str(body["time"]), str(body["topic"]),
                       int(body["partition"]), int(body["offset"]), body.get("key"),
                       base64.b64decode(body["payload_b64"], validate=True), dict(body.get("headers") or {}))
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise MalformedRecord(f"not a dead letter: {exc!r}") from exc

    def record(self) -> tuple[str, str | None, bytes, dict[str, str]]:
        """(topic, key, value, headers) to publish this dead letter with."""
        headers = {"dlq.stage": self.stage, "dlq.error": self.error[:HEADER_ERROR_CHARS], "dlq.time": self.time,
                   "dlq.source": self.source}
        return dlq_topic(self.topic), self.key, self.encode(), headers
