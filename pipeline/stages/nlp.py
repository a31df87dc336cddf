"""The NLP stage: articles.raw → articles.enriched (entities and claims).

The engine is :class:`pipeline.nlp.enricher.Enricher`; this module only
decodes, enriches a batch and publishes.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.bus.base import ENRICHED, Message
from pipeline.errors import PermanentError
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
        articles: list[Article] = []
        for message in batch:
            try:
                articles.append(decode(message.value, expect=Article))
            except PermanentError as exc:
                outcome.failures.append(Failure(message, str(exc)))
        # A batch the parser fails on raises; the worker then retries its records one by one
        # and dead-letters the one that still fails.
        for enriched in self.enricher.enrich(articles):
            outcome.outputs.append(Outgoing(self.output_topic, enriched.article.id, encode(enriched)))
        return outcome
