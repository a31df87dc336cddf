"""spaCy behind a small interface: load a model, parse only where a claim may be.

This package (:mod:`pipeline.nlp.spacy`) is the one place that imports
spacy, thinc and threadpoolctl (an import contract says so).

Each component runs only where its output is read (:class:`GatedParser`):
sentence boundaries from the model's small ``senter``, entities from ``ner``
on the whole text, and the tagger, parser, attribute ruler and lemmatizer
only on the sentences :class:`pipeline.nlp.gate.ClaimGate` lets through
(runs of consecutive such sentences, parsed as one text each). ``ner`` and
``parser`` take their greedy steps from Python, on NumPy's BLAS (see
:mod:`pipeline.nlp.spacy.transitions`: same output, a third of the CPU); the
attribute ruler and the lemmatizer run as memos of what they set per token
key (:mod:`pipeline.nlp.spacy.attributes`, :mod:`pipeline.nlp.spacy.lemmas`).
"""

from __future__ import annotations

import importlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
from spacy.attrs import DEP, HEAD, LEMMA, POS, TAG
from spacy.tokens import Doc

from pipeline.errors import ConfigError
from pipeline.nlp.cues import load_lexicon
from pipeline.nlp.gate import ClaimGate, gated_lemmas
from pipeline.nlp.spacy.attributes import FastAttributes
from pipeline.nlp.spacy.embeddings import embed_distinct_rows
from pipeline.nlp.spacy.lemmas import memoised_lemmatizer
from pipeline.nlp.spacy.transitions import greedy_pipe, is_greedy_transition_parser, use_numpy_blas

FIRST_PASS = ("senter", "ner")  # on every text
PARSE_PASS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")  # on gated sentences


def _memoised_ruler(ruler: Any) -> FastAttributes:
    return FastAttributes(ruler.patterns, ruler.vocab)


_MEMOISED: dict[str, Callable[[Any], Any]] = {"attribute_ruler": _memoised_ruler, "lemmatizer": memoised_lemmatizer}
_PARSE_ATTRS = [TAG, POS, LEMMA, HEAD, DEP]


def load_spacy(name: str) -> Any:
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


def _same(component: Any) -> Any:
    return component


def claim_gate(nlp: Any) -> ClaimGate:
    """The word test built from the mined lexicon and the model's own lemmatizer tables."""
    lookups = nlp.get_pipe("lemmatizer").lookups
    exc, rules = lookups.get_table("lemma_exc"), lookups.get_table("lemma_rules")
    parts = ("verb", "noun")
    return ClaimGate(gated_lemmas(load_lexicon()), {p: exc.get(p, {}) for p in parts},
                     {p: rules.get(p, []) for p in parts})


def _pipe(component: Any, docs: Iterable[Doc], batch_size: int) -> Iterator[Doc]:
    if is_greedy_transition_parser(component):
        return greedy_pipe(component, docs, batch_size)
    docs_out: Iterator[Doc] = component.pipe(docs, batch_size=batch_size)
    return docs_out


class GatedParser:
    """spaCy Docs with entities everywhere and a parse (tags, lemmas, heads) only where a claim may be.

    Guarantees: one Doc per text, in order, tokenized as the full pipeline
    would; ``doc.ents`` come from the model's own ``ner`` over the whole text;
    every sentence the gate passes carries the model's tags, lemmas and
    dependency parse, and every other sentence is one flat tree (its first
    token the root, the rest attached to it as ``dep``, no tags or lemmas),
    so ``doc.sents`` stays whole and no cue is found there.

    Caps (:meth:`parse`; None: no cap): a text of more than ``max_tokens``
    tokens is only tokenized (an empty Doc stands for it; no component runs),
    and a Doc holding a sentence of more than ``max_sentence_tokens`` tokens
    gets entities but no parse anywhere (flat trees: no cue is found in it).

    Switches the models of the components it runs to NumPy's BLAS and to
    one embedding per distinct token row (:mod:`pipeline.nlp.spacy.embeddings`),
    in ``nlp`` itself, and limits this process's BLAS to one thread.
    """

    def __init__(self, nlp: Any, batch_size: int = 16, *, max_tokens: int | None = None,
                 max_sentence_tokens: int | None = None) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.max_tokens, self.max_sentence_tokens = max_tokens, max_sentence_tokens
        self.gate = claim_gate(nlp)
        use_numpy_blas(nlp.get_pipe(name) for name in FIRST_PASS + PARSE_PASS)
        embed_distinct_rows(nlp.get_pipe(name) for name in FIRST_PASS + PARSE_PASS)
        self._first = [nlp.get_pipe(name) for name in FIRST_PASS]
        self._parse = [_MEMOISED.get(name, _same)(nlp.get_pipe(name)) for name in PARSE_PASS]
        self._dep, self._root = nlp.vocab.strings.add("dep"), nlp.vocab.strings.add("ROOT")

    def pipe(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Docs for ``texts``, lazily, in batches of ``batch_size``."""
        return (doc for doc, _ in self.parse(texts))

    def parse(self, texts: Iterable[str]) -> Iterator[tuple[Doc, str | None]]:
        """For each text, in order, lazily: its Doc and which cap it passed (None: within every cap)."""
        over: deque[str | None] = deque()  # the components keep order, one Doc out per Doc in

        def made() -> Iterator[Doc]:
            for text in texts:
                doc = self.nlp.make_doc(text)
                over.append(self._too_many_tokens(doc))
                yield doc if over[-1] is None else self.nlp.make_doc("")

        docs: Iterable[Doc] = made()
        for component in self._first:
            docs = _pipe(component, docs, self.batch_size)
        batch: list[tuple[Doc, str | None]] = []
        for doc in docs:
            reason = over.popleft()
            batch.append((doc, reason or self._long_sentence(doc)))
            if len(batch) >= self.batch_size:
                yield from self._parse_gated(batch)
                batch = []
        yield from self._parse_gated(batch)

    def _too_many_tokens(self, doc: Doc) -> str | None:
        if self.max_tokens is not None and len(doc) > self.max_tokens:
            return f"{len(doc):,} tokens (max_tokens {self.max_tokens:,})"
        return None

    def _long_sentence(self, doc: Doc) -> str | None:
        cap = self.max_sentence_tokens
        longest = max((len(sent) for sent in doc.sents), default=0) if cap is not None else 0
        if cap is not None and longest > cap:
            return f"a sentence of {longest:,} tokens (max_sentence_tokens {cap:,})"
        return None

    def _parse_gated(self, batch: list[tuple[Doc, str | None]]) -> list[tuple[Doc, str | None]]:
        docs = [doc for doc, _ in batch]
        runs = [self._runs(doc) if reason is None else [] for doc, reason in batch]
        made = [Doc(self.nlp.vocab, words=[t.text for t in doc[s:e]], spaces=[bool(t.whitespace_) for t in doc[s:e]])
                for doc, doc_runs in zip(docs, runs, strict=True) for s, e in doc_runs]
        # All runs of the batch's docs in one batch: runs are short, and the parser's steps
        # cost less per run in a wider batch (on dev ~80 runs per 16 docs: parser -25 %).
        n_pieces = max(len(made), 1)
        pieces: Iterable[Doc] = made
        for component in self._parse:
            pieces = _pipe(component, pieces, n_pieces)
        parsed = iter(pieces)
        for doc, doc_runs in zip(docs, runs, strict=True):
            self._annotate(doc, [(s, next(parsed)) for s, _ in doc_runs])
        return batch

    def _runs(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges of maximal runs of consecutive sentences that pass the gate."""
        runs: list[tuple[int, int]] = []
        for sent in doc.sents:
            if not self.gate.passes(t.text for t in sent):
                continue
            if runs and runs[-1][1] == sent.start:
                runs[-1] = (runs[-1][0], sent.end)
            else:
                runs.append((sent.start, sent.end))
        return runs

    def _annotate(self, doc: Doc, parsed: list[tuple[int, Doc]]) -> None:
        """Write the runs' annotation into ``doc``; flat trees over the sentences between them."""
        arr = np.zeros((len(doc), len(_PARSE_ATTRS)), dtype="uint64")
        for sent in doc.sents:
            arr[sent.start:sent.end, 3] = (sent.start - np.arange(sent.start, sent.end)).astype("uint64")
            arr[sent.start:sent.end, 4] = self._dep
            arr[sent.start, 4] = self._root
        for start, piece in parsed:
            arr[start:start + len(piece)] = piece.to_array(_PARSE_ATTRS)
        doc.from_array(_PARSE_ATTRS, arr)  # type: ignore[arg-type]  # thinc's Ints2d is an ndarray alias mypy cannot see through
