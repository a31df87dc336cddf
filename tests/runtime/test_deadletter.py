"""The dead-letter record: one dataclass, encoded by the worker and decoded by redrive and `dlq list`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline.bus.base import Message
from pipeline.errors import MalformedRecord
from pipeline.runtime.deadletter import DeadLetter, Failure
from pipeline.stages.redrive import RedriveHandler, describe

ORIGINAL = Message("articles.raw", 2, 41, "a-1", b"\x00\xffnot json", {"feed": "http://127.0.0.1/f"})


def test_a_dead_letter_keeps_the_original_record_and_why():
    when = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    letter = DeadLetter.of(Failure(ORIGINAL, "MalformedRecord: not JSON" + "x" * 600), "nlp", when)
    topic, key, value, headers = letter.record()
    assert topic == "articles.raw.dlq" and key == "a-1"
    assert headers["dlq.source"] == "articles.raw/2/41" and len(headers["dlq.error"]) == 500
    back = DeadLetter.decode(value)
    assert back == letter and back.payload == ORIGINAL.value and back.time == "2026-11-29T12:00:00+00:00"
    assert json.loads(value)["schema"] == "dead_letter"


@pytest.mark.parametrize("value", [b"{", b'{"schema": "article", "v": 1}', b'{"schema": "dead_letter", "v": 1}',
                                   b'{"schema": "dead_letter", "v": 2, "stage": "nlp"}'])
def test_anything_else_is_malformed(value):
    with pytest.raises(MalformedRecord):
        DeadLetter.decode(value)


def test_redrive_publishes_the_original_and_dead_letters_what_is_not_a_letter():
    letter = DeadLetter.of(Failure(ORIGINAL, "boom"), "nlp")
    _, key, value, _ = letter.record()
    dlq = [Message("articles.raw.dlq", 0, 7, key, value), Message("articles.raw.dlq", 0, 8, "x", b"junk")]
    outcome = RedriveHandler().handle(dlq)
    [out] = outcome.outputs
    assert (out.topic, out.key, out.value) == ("articles.raw", "a-1", ORIGINAL.value)
    assert out.headers == {"dlq.redriven_from": "articles.raw.dlq/7", "dlq.redriven_for": "nlp"}
    [failed] = outcome.failures
    assert failed.message.offset == 8 and "not a dead letter" in failed.reason
    assert describe(dlq[0])["source"] == "articles.raw/2/41" and describe(dlq[1])["error"] == "unreadable dead letter"
