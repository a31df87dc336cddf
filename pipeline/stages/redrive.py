"""Re-drive dead letters: publish each one's original payload back to its original topic.

Runs through the same worker loop as every stage, under its own consumer
group, so each dead letter is re-driven once (at least once) and a second
call only picks up letters that arrived since.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.bus.base import Message
from pipeline.errors import MalformedRecord
from pipeline.runtime.deadletter import REDRIVEN_FOR, DeadLetter, Failure
from pipeline.runtime.worker import Outcome, Outgoing

REDRIVE_GROUP = "dlq-redrive"


class RedriveHandler:
    """Worker handler: dead letter in, its original record out (same key, original topic).

    The record says which stage dead-lettered it (header ``dlq.redriven_for``), so of the
    groups reading that topic only that stage handles it again (see ``redriven_for_another``).
    """

    stage = "redrive"

    def handle(self, batch: Sequence[Message]) -> Outcome:
        outcome = Outcome()
        for message in batch:
            try:
                letter = DeadLetter.decode(message.value)
            except MalformedRecord as exc:
                outcome.failures.append(Failure(message, str(exc)))
                continue
            outcome.outputs.append(Outgoing(letter.topic, letter.key, letter.payload,
                                            {"dlq.redriven_from": f"{message.topic}/{message.offset}",
                                             REDRIVEN_FOR: letter.stage}))
        return outcome


def describe(message: Message) -> dict[str, Any]:
    """The fields of a dead letter a person wants to see (payload left out)."""
    try:
        letter = DeadLetter.decode(message.value)
    except MalformedRecord:
        return {"offset": message.offset, "key": message.key, "error": "unreadable dead letter"}
    return {"offset": message.offset, "partition": message.partition, "key": message.key,
            "stage": letter.stage, "error": letter.error, "time": letter.time, "source": letter.source}
