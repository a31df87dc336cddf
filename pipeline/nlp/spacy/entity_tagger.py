"""Entities only: a model's own ``ner`` over the whole text, for languages without a claim extractor."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.tokens import Doc


class EntityTagger:
    """spaCy Docs carrying ``doc.ents`` and nothing else (no sentences, tags or parse).

    Guarantees: one Doc per text, in order, tokenized as the full pipeline
    would; the entities are the model's ``ner`` output over the whole text,
    or none for a text of more than ``max_tokens`` tokens (the budget's cap).
    Only ``ner`` runs (in the small models it embeds its own tok2vec).
    """

    def __init__(self, nlp: Any, batch_size: int = 16, max_tokens: int | None = None) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._ner = nlp.get_pipe("ner")

    def pipe(self, texts: Iterable[str]) -> Iterator[Doc]:
        docs = (self._within_budget(self.nlp.make_doc(text)) for text in texts)
        tagged: Iterator[Doc] = self._ner.pipe(docs, batch_size=self.batch_size)
        return tagged

    def _within_budget(self, doc: Doc) -> Doc:
        return doc if self.max_tokens is None or len(doc) <= self.max_tokens else self.nlp.make_doc("")
