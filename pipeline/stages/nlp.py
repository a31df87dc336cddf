"""The NLP stage: articles.raw → articles.enriched (entities and claims).

The only module that imports spaCy. ``Enricher`` is also what ``pipeline
extract`` uses, so the measured extractor is the one that runs in production.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pipeline.bus.base import ENRICHED, Message
from pipeline.config import NlpSettings
from pipeline.errors import ConfigError, PermanentError
from pipeline.nlp.claims import EXTRACTOR_VERSION, extract_claims
from pipeline.nlp.entities import extract_entities
from pipeline.records import Article, Claim, EnrichedArticle, Entity, decode, encode
from pipeline.runtime.deadletter import Failure
from pipeline.runtime.worker import Outcome, Outgoing


def load_model(name: str) -> Any:
    """Load a spaCy pipeline by package name, with a clear error when it is missing."""
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        try:  # a model package that spacy.load cannot find by name may still import
            return importlib.import_module(name).load()
        except ImportError:
            raise ConfigError(
                f"spaCy model {name!r} is not installed. Install the pinned model with "
                f"`pip install --no-deps -r requirements-model.txt`, or set [nlp] model "
                f"(PIPELINE_NLP__MODEL) to an installed one such as en_core_web_sm.") from exc


class Enricher:
    """Entities and claims for texts; deterministic for a given model and extractor version."""

    def __init__(self, settings: NlpSettings, nlp: Any | None = None) -> None:
        self.settings = settings
        self.nlp = nlp if nlp is not None else load_model(settings.model)
        meta = getattr(self.nlp, "meta", {})
        self.model = f"{meta.get('lang', 'xx')}_{meta.get('name', settings.model)}-{meta.get('version', '?')}"
        self.extractor = EXTRACTOR_VERSION

    def analyse(self, items: Iterable[tuple[str, str]]) -> Iterator[tuple[list[Entity], list[Claim]]]:
        """For each (id, text), in order: its entities and claims."""
        items = list(items)
        texts = (text[: self.settings.max_chars] for _, text in items)
        for (item_id, _), doc in zip(items, self.nlp.pipe(texts, batch_size=self.settings.batch_size),
                                     strict=True):
            entities = extract_entities(doc)
            yield entities, extract_claims(doc, entities, item_id)

    def enrich(self, articles: Sequence[Article]) -> list[EnrichedArticle]:
        results = self.analyse((a.id, a.text) for a in articles)
        return [EnrichedArticle(a, tuple(ents), tuple(claims), self.model, self.extractor)
                for a, (ents, claims) in zip(articles, results, strict=True)]


class NlpHandler:
    """Worker handler: decode articles, enrich them in one ``nlp.pipe`` batch, publish."""

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
