"""Entities and claims for article texts: the engine behind the NLP stage and ``pipeline extract``.

``Enricher`` is what both the worker stage and ``pipeline extract`` use, so
the measured extractor is the one that runs in production.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pipeline.config import NlpSettings
from pipeline.nlp.claims import EXTRACTOR_VERSION, extract_claims
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.spacy.parser import GatedParser, load_spacy
from pipeline.records import Article, Claim, EnrichedArticle, Entity


class Enricher:
    """Entities and claims for texts; deterministic for a given model and extractor version."""

    def __init__(self, settings: NlpSettings, nlp: Any | None = None) -> None:
        self.settings = settings
        nlp = nlp if nlp is not None else load_spacy(settings.model)
        self.parser = GatedParser(nlp, settings.batch_size)
        meta = getattr(nlp, "meta", {})
        self.model = f"{meta.get('lang', 'xx')}_{meta.get('name', settings.model)}-{meta.get('version', '?')}"
        self.extractor = EXTRACTOR_VERSION

    def analyse(self, items: Iterable[tuple[str, str]]) -> Iterator[tuple[list[Entity], list[Claim]]]:
        """For each (id, text), in order: its entities and claims."""
        items = list(items)
        texts = (text[: self.settings.max_chars] for _, text in items)
        for (item_id, _), doc in zip(items, self.parser.pipe(texts), strict=True):
            entities = extract_entities(doc)
            yield entities, extract_claims(doc, entities, item_id)

    def enrich(self, articles: Sequence[Article]) -> list[EnrichedArticle]:
        results = self.analyse((a.id, a.text) for a in articles)
        return [EnrichedArticle(a, tuple(ents), tuple(claims), self.model, self.extractor)
                for a, (ents, claims) in zip(articles, results, strict=True)]
