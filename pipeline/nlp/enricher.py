"""Entities and claims for article texts: the engine behind the NLP stage and ``pipeline extract``.

``Enricher`` is what both the worker stage and ``pipeline extract`` use, so
the measured extractor is the one that runs in production.

Every text has a budget (``[nlp]`` settings): it is cut at ``max_chars``; a
text with a run of more than ``max_run_chars`` characters without a space or
of more than ``max_tokens`` tokens gets no entities and no claims, one with a
sentence of more than ``max_sentence_tokens`` tokens its entities but no
claims. Either way the text is reported as over the budget
(:attr:`Analysis.over_budget`) and the work it cost is bounded; texts within
the budget get exactly what they got before it existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.config import NlpSettings
from pipeline.nlp.budget import long_run
from pipeline.nlp.claims import EXTRACTOR_VERSION, extract_claims
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.spacy.parser import GatedParser, load_spacy
from pipeline.records import Article, Claim, EnrichedArticle, Entity


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one text yielded; ``over_budget`` says which cap it passed (then ``claims`` is empty)."""

    entities: list[Entity]
    claims: list[Claim]
    over_budget: str | None = None


class Enricher:
    """Entities and claims for texts; deterministic for a given model, extractor version and budget."""

    def __init__(self, settings: NlpSettings, nlp: Any | None = None) -> None:
        self.settings = settings
        nlp = nlp if nlp is not None else load_spacy(settings.model)
        self.parser = GatedParser(nlp, settings.batch_size, max_tokens=settings.max_tokens,
                                  max_sentence_tokens=settings.max_sentence_tokens)
        meta = getattr(nlp, "meta", {})
        self.model = f"{meta.get('lang', 'xx')}_{meta.get('name', settings.model)}-{meta.get('version', '?')}"
        self.extractor = EXTRACTOR_VERSION

    def assess(self, items: Iterable[tuple[str, str]]) -> Iterator[Analysis]:
        """For each (id, text), in order: its entities and claims, or the cap it passed."""
        items = [(item_id, text[: self.settings.max_chars]) for item_id, text in items]
        refused = [long_run(text, self.settings.max_run_chars) for _, text in items]
        parsed = self.parser.parse(text for (_, text), why in zip(items, refused, strict=True) if why is None)
        for (item_id, _), why in zip(items, refused, strict=True):
            if why is not None:
                yield Analysis([], [], why)
                continue
            doc, why = next(parsed)
            entities = extract_entities(doc)
            yield Analysis(entities, [] if why is not None else extract_claims(doc, entities, item_id), why)

    def analyse(self, items: Iterable[tuple[str, str]]) -> Iterator[tuple[list[Entity], list[Claim]]]:
        """For each (id, text), in order: its entities and claims (none for a text over the budget)."""
        return ((a.entities, a.claims) for a in self.assess(items))

    def enrich(self, articles: Sequence[Article]) -> list[EnrichedArticle]:
        return [enriched for enriched, _ in self.enrich_reporting(articles)]

    def enrich_reporting(self, articles: Sequence[Article]) -> list[tuple[EnrichedArticle, str | None]]:
        """Each article enriched, with the cap it passed (None: within the budget)."""
        results = self.assess((a.id, a.text) for a in articles)
        return [(EnrichedArticle(a, tuple(r.entities), tuple(r.claims), self.model, self.extractor), r.over_budget)
                for a, r in zip(articles, results, strict=True)]
