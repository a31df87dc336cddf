"""Dead-letter records: the original payload plus who, when, what and why."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from pipeline.bus.base import Message, dlq_topic


@dataclass(frozen=True, slots=True)
class Failure:
    """A record that cannot be handled, and why. It goes to the dead-letter topic."""

    message: Message
    reason: str


def dead_letter(failure: Failure, stage: str, attempts: int = 1) -> tuple[str, str | None, bytes, dict[str, str]]:
    """(topic, key, value, headers) for the dead-letter record of ``failure``."""
    m = failure.message
    now = datetime.now(UTC).isoformat(timespec="seconds")
    body = {
        "schema": "dead_letter", "v": 1, "stage": stage, "error": failure.reason, "attempts": attempts,
        "time": now, "topic": m.topic, "partition": m.partition, "offset": m.offset, "key": m.key,
        "headers": dict(m.headers), "payload_b64": base64.b64encode(m.value).decode("ascii"),
    }
    headers = {"dlq.stage": stage, "dlq.error": failure.reason[:500], "dlq.time": now,
               "dlq.source": f"{m.topic}/{m.partition}/{m.offset}"}
    return dlq_topic(m.topic), m.key, json.dumps(body).encode("utf-8"), headers


def original_payload(dead: bytes) -> bytes:
    """The payload a dead-letter record carries (for replaying it after a fix)."""
    return base64.b64decode(json.loads(dead)["payload_b64"])
