"""Named entities of a parsed document, with canonical names.

Works on any object shaped like a spaCy ``Doc`` (``doc.ents`` with ``text``,
``label_``, ``start_char``, ``end_char``); spaCy itself is loaded only by
``pipeline.nlp.spacy.parser``.
"""

from __future__ import annotations

from typing import Any

from pipeline.nlp.canonical import canonical_names
from pipeline.records import Entity

# Labels worth indexing: numbers, dates and amounts are not who or what a claim is about.
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART",
                           "MISC"})
# Other languages' models (WikiNER labels: PER, LOC, ORG, MISC) name a person PER; one label for one kind
# keeps the speaker and entity facets and the canonical names (which merge a person's surname) the same.
LABEL_ALIASES = {"PER": "PERSON"}


def extract_entities(doc: Any, labels: frozenset[str] = ENTITY_LABELS) -> list[Entity]:
    """Entities in document order, each with its canonical name in this article."""
    spans = [(e.text, LABEL_ALIASES.get(e.label_, e.label_), e.start_char, e.end_char) for e in doc.ents]
    spans = [span for span in spans if span[1] in labels]
    names = canonical_names((text, label) for text, label, _, _ in spans)
    return [Entity(text, label, start, end, names[(text, label)]) for text, label, start, end in spans]
