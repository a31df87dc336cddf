"""The spaCy adapter: the only package that imports spacy, thinc and threadpoolctl.

:mod:`~pipeline.nlp.spacy.parser` loads a model and parses only where a claim
may be; :mod:`~pipeline.nlp.spacy.transitions`, :mod:`~pipeline.nlp.spacy.attributes`,
:mod:`~pipeline.nlp.spacy.lemmas` and :mod:`~pipeline.nlp.spacy.embeddings` make
that cheaper without changing its output.
"""
