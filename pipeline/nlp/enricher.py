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

Every article's language is detected from its own text
(:class:`pipeline.nlp.language.LanguageDetector`; the source's declared
language is only a hint). English articles, and those whose language cannot
be told (``und``), go through the English model: entities and claims.
Articles in a language of ``[nlp] models`` get that model's entities and no
claims (no measured extractor exists for them yet); any other language gets
neither, never entities from another language's model.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline.config import NlpSettings
from pipeline.errors import ConfigError
from pipeline.nlp.budget import long_run
from pipeline.nlp.claims import EXTRACTOR_VERSION, extract_claims
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.language import UNDETERMINED, LanguageDetector
from pipeline.nlp.spacy.entity_tagger import EntityTagger
from pipeline.nlp.spacy.parser import GatedParser, load_spacy
from pipeline.records import Article, Claim, EnrichedArticle, Entity

log = logging.getLogger(__name__)
CLAIM_LANGUAGES = frozenset({"en", UNDETERMINED})  # the English model's: claims are measured in English only
NO_MODEL = "none"  # the model named on an article no model read


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
        self.model = _model_name(nlp, settings.model)
        self.extractor = EXTRACTOR_VERSION
        self.detector = LanguageDetector(settings.language_candidates,
                                         min_confidence=settings.language_min_confidence)
        self._taggers: dict[str, tuple[EntityTagger, str] | None] = {}  # loaded on first use

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
        """Each article, in order, with its detected language, enriched by its language's model, and the
        cap it passed (None: within the budget)."""
        articles = [self.with_language(a) for a in articles]
        routes: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            routes.setdefault("en" if article.language in CLAIM_LANGUAGES else article.language, []).append(i)
        done: dict[int, tuple[EnrichedArticle, str | None]] = {}
        for language, positions in routes.items():
            chosen = [articles[i] for i in positions]
            if language == "en":
                results, model = list(self.assess((a.id, a.text) for a in chosen)), self.model
            else:
                results, model = self._entities_only(language, chosen)
            for i, article, r in zip(positions, chosen, results, strict=True):
                done[i] = (EnrichedArticle(article, tuple(r.entities), tuple(r.claims), model, self.extractor),
                           r.over_budget)
        return [done[i] for i in range(len(articles))]

    def with_language(self, article: Article) -> Article:
        """``article`` with the language its text is in (its declared language only as a hint)."""
        hint = article.language if article.language and article.language != UNDETERMINED else None
        language = self.detector.detect(article.title, article.text, hint)
        return article if language == article.language else replace(article, language=language)

    def _entities_only(self, language: str, articles: list[Article]) -> tuple[list[Analysis], str]:
        tagger = self._tagger(language)
        if tagger is None:
            return [Analysis([], []) for _ in articles], NO_MODEL
        texts = [a.text[: self.settings.max_chars] for a in articles]
        refused = [long_run(text, self.settings.max_run_chars) for text in texts]
        docs = tagger[0].pipe(t for t, why in zip(texts, refused, strict=True) if why is None)
        results = [Analysis([], [], why) if why is not None else Analysis(extract_entities(next(docs)), [])
                   for why in refused]
        return results, tagger[1]

    def _tagger(self, language: str) -> tuple[EntityTagger, str] | None:
        if language not in self._taggers:
            self._taggers[language] = self._load_tagger(language)
        return self._taggers[language]

    def _load_tagger(self, language: str) -> tuple[EntityTagger, str] | None:
        name = self.settings.models.get(language)
        if name is None:
            return None
        try:
            nlp = load_spacy(name)
        except ConfigError as exc:  # an optional model: its language gets no entities, the stage goes on
            log.warning("no entities for language %r: %s", language, exc)
            return None
        return EntityTagger(nlp, self.settings.batch_size, self.settings.max_tokens), _model_name(nlp, name)


def _model_name(nlp: Any, configured: str) -> str:
    meta = getattr(nlp, "meta", {})
    return f"{meta.get('lang', 'xx')}_{meta.get('name', configured)}-{meta.get('version', '?')}"
