"""The NLP stage: articles.raw → articles.enriched (entities and claims).

The engine is :class:`pipeline.nlp.enricher.Enricher`; this module only
decodes, enriches a batch and publishes.

An article over the NLP budget (see :mod:`pipeline.nlp.enricher`) is
published all the same, without claims, so it is indexed and searchable;
and its raw record is dead-lettered with the cap it passed (``pipeline dlq
list`` shows it), so after raising that cap ``pipeline dlq redrive`` gives
it its claims. The rest of its batch is not held up.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.bus.base import ENRICHED, Message
from pipeline.errors import PermanentError
from pipeline.nlp.budget import OVER_BUDGET
from pipeline.nlp.enricher import Enricher
from pipeline.records import Article, decode, encode
from pipeline.runtime.deadletter import Failure
from pipeline.runtime.worker import Outcome, Outgoing


class NlpHandler:
    """Worker handler: decode articles, enrich them in one batch, publish."""

    stage = "nlp"

    def __init__(self, enricher: Enricher, output_topic: str = ENRICHED) -> None:
        self.enricher = enricher
        self.output_topic = output_topic

    def handle(self, batch: Sequence[Message]) -> Outcome:
        outcome = Outcome()
        decoded: list[tuple[Message, Article]] = []
        for message in batch:
            try:
                decoded.append((message, decode(message.value, expect=Article)))
            except PermanentError as exc:
                outcome.failures.append(Failure(message, str(exc)))
        # A batch the parser fails on raises (any exception); the worker then retries its records
        # one by one and dead-letters the one that still fails.
        results = self.enricher.enrich_reporting([article for _, article in decoded])
        for (message, _), (enriched, over_budget) in zip(decoded, results, strict=True):
            outcome.outputs.append(Outgoing(self.output_topic, enriched.article.id, encode(enriched)))
            if over_budget is not None:
                outcome.failures.append(Failure(message, f"{OVER_BUDGET}: {over_budget}; "
                                                         "published (and indexed) without claims"))
        return outcome
