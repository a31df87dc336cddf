"""Re-drive dead letters: publish each one's original payload back to its original topic.

Runs through the same worker loop as every stage, under its own consumer
group, so each dead letter is re-driven once (at least once) and a second
call only picks up letters that arrived since.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pipeline.bus.base import Message
from pipeline.runtime.deadletter import Failure, original_payload
from pipeline.runtime.worker import Outcome, Outgoing

REDRIVE_GROUP = "dlq-redrive"


class RedriveHandler:
    """Worker handler: dead letter in, its original record out (same key, original topic)."""

    stage = "redrive"

    def handle(self, batch: Sequence[Message]) -> Outcome:
        outcome = Outcome()
        for message in batch:
            try:
                letter = json.loads(message.value)
                outcome.outputs.append(Outgoing(letter["topic"], letter.get("key"), original_payload(message.value),
                                                {"dlq.redriven_from": f"{message.topic}/{message.offset}"}))
            except (ValueError, KeyError, TypeError) as exc:
                outcome.failures.append(Failure(message, f"not a dead letter: {exc!r}"))
        return outcome


def describe(message: Message) -> dict:
    """The fields of a dead letter a person wants to see (payload left out)."""
    try:
        letter = json.loads(message.value)
    except ValueError:
        return {"offset": message.offset, "key": message.key, "error": "unreadable dead letter"}
    return {"offset": message.offset, "partition": message.partition, "key": message.key,
            "stage": letter.get("stage"), "error": letter.get("error"), "time": letter.get("time"),
            "source": f"{letter.get('topic')}/{letter.get('partition')}/{letter.get('offset')}"}
