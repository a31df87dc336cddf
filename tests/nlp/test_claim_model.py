"""The learned claim scorer: deterministic features, the shipped model, and the rule fallback."""

from __future__ import annotations

import dataclasses
import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from pipeline.nlp.claim_features import hash_features
from pipeline.nlp.claims import extract_claims, extract_claims_at, learned_candidates
from pipeline.nlp.cue_model import MODEL_PATH, load_claim_model, save_model
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.start_model import load_start_model

REPORTING = "The senator said on Tuesday that the bill would pass."
NOT_REPORTING = "The museum is closed on Mondays and the shop is in the basement."
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f319ce151999f482.txt"


def candidates(parse, text: str):
    doc = parse(text)
    return learned_candidates(doc, extract_entities(doc))


@pytest.fixture(scope="module")
def model():
    m = load_claim_model()
    assert m is not None, "pipeline/nlp/data/claim_model.npz is missing: run scripts/train_claims.py"
    return m


def test_hashing_is_stable_crc32():
    idx = hash_features(["lk=say|V", "how=verb"], 1 << 18)
    assert idx.tolist() == [zlib.crc32(b"lk=say|V") & ((1 << 18) - 1), zlib.crc32(b"how=verb") & ((1 << 18) - 1)]


def test_features_are_deterministic(parse):
    first = [(c.start, c.end, c.cue.text, c.features) for c in candidates(parse, REPORTING)]
    second = [(c.start, c.end, c.cue.text, c.features) for c in candidates(parse, REPORTING)]
    assert first and first == second
    assert all(isinstance(f, str) and f for _, _, _, feats in first for f in feats)


def test_model_loads_once_with_provenance(model):
    assert load_claim_model() is model  # module-level cache
    assert model.dim & (model.dim - 1) == 0 and 0.0 < model.threshold < 1.0
    assert "Newell" in model.meta["citation"] and "PolNeAR" in model.meta["citation"]
    assert "train" in model.meta["source"]
    assert np.isfinite(model.weights).all()
    assert MODEL_PATH.stat().st_size < 5_000_000


def test_reporting_sentence_scores_above_threshold(parse, model):
    said = [c.features for c in candidates(parse, REPORTING) if c.cue.text == "said"]
    assert said and max(model.probs(said)) >= model.threshold


def test_non_reporting_sentence_scores_below_threshold(parse, model):
    rows = [c.features for c in candidates(parse, NOT_REPORTING)]
    assert all(p < model.threshold for p in model.probs(rows))


def test_scores_are_deterministic(parse, model):
    rows = [c.features for c in candidates(parse, REPORTING)]
    assert model.probs(rows).tolist() == model.probs(rows).tolist()
    assert model.prob(rows[0]) == pytest.approx(model.probs(rows)[0])


def test_missing_model_warns_and_rules_still_work(parse):
    with pytest.warns(RuntimeWarning, match="claim model unavailable"):
        assert load_claim_model("/nonexistent/claim_model.npz") is None
    doc = parse(REPORTING)
    claims = extract_claims(doc, extract_entities(doc), "t", model=None)
    assert [c.cue.text for c in claims] == ["said"]
    assert claims[0].content.text.endswith("the bill would pass")


def test_one_scoring_for_many_thresholds_equals_extracting_at_each(parse, model):
    doc = parse(SEED.read_text(encoding="utf-8"))
    ents = extract_entities(doc)
    thresholds = [0.05, model.threshold, 0.6, 0.95]
    for starts in (None, load_start_model()):
        at = extract_claims_at(doc, ents, "seed", model, thresholds, starts=starts)
        each = [extract_claims(doc, ents, "seed", model=dataclasses.replace(model, threshold=t), starts=starts)
                for t in thresholds]
        assert at == each
        assert len(at[0]) > len(at[-1])  # the thresholds matter: a low one keeps more claims


def test_model_has_a_content_ranker(model):
    assert model.rank is not None and model.rank.shape == model.weights.shape
    assert np.isfinite(model.rank).all() and np.abs(model.rank).sum() > 0


def test_ranker_scores_fall_back_to_probabilities_without_ranker(parse, model):
    rows = [c.features for c in candidates(parse, REPORTING)]
    plain = dataclasses.replace(model, rank=None)
    assert np.allclose(plain.ranks(rows), plain.probs(rows))
    assert not np.allclose(model.ranks(rows), model.probs(rows))


def test_contents_without_a_trailing_comment_clause_are_proposed(parse):
    text = "He attacked other candidates for accepting donations, which he said were favors."
    contents = {text[c.start:c.end] for c in candidates(parse, text) if c.cue.text == "attacked"}
    assert "other candidates for accepting donations" in contents
    assert any(", which" in content for content in contents)  # the rule's own content, for the ranker


def _shipped_claim_model() -> tuple[np.ndarray, np.ndarray, dict]:
    with np.load(MODEL_PATH, allow_pickle=False) as z:
        return z["weights"], z["rank"], json.loads(str(z["header"]))


def test_saving_the_same_model_twice_gives_the_same_bytes(tmp_path):
    weights, rank, header = _shipped_claim_model()
    paths = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for path in paths:
        save_model(path, weights.astype(np.float64), header["bias"], header["threshold"], {"seed": 13}, rank)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    loaded = load_claim_model(paths[0])
    assert loaded is not None and np.array_equal(loaded.weights, weights) and np.array_equal(loaded.rank, rank)


def test_resaving_the_shipped_model_reproduces_its_file_byte_for_byte(tmp_path):
    weights, rank, header = _shipped_claim_model()
    meta = {k: v for k, v in header.items() if k not in ("citation", "bias", "threshold", "dim")}
    save_model(tmp_path / "m.npz", weights, header["bias"], header["threshold"], meta, rank)
    assert (tmp_path / "m.npz").read_bytes() == MODEL_PATH.read_bytes()
