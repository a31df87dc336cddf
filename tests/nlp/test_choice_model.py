"""The learned choices' model files (pipeline.nlp.choice_model): what is shipped, save and load."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from pipeline.nlp.choice_model import load_choice_model, save_choice_model
from pipeline.nlp.source_model import SOURCE_MODEL_PATH
from pipeline.nlp.start_model import START_MODEL_PATH, load_start_model


@pytest.mark.parametrize(("path", "script", "learned", "rules"), [
    (START_MODEL_PATH, "scripts/train_starts.py", "cv_strict_f1", "rules_strict_f1"),
    (SOURCE_MODEL_PATH, "scripts/train_sources.py", "cv_right", "rules_right"),
])
def test_the_shipped_file_holds_weights_and_a_header_only(path, script, learned, rules):
    with np.load(path, allow_pickle=False) as z:
        assert sorted(z.files) == ["header", "weights"]
        header = json.loads(str(z["header"]))
        assert z["weights"].dtype == np.float32 and z["weights"].shape == (header["dim"],)
    assert header["trained_by"] == script and "PolNeAR" in header["citation"]
    assert header[learned] > header[rules]  # the cross-validated model beat the rules when it was trained


def test_save_then_load_round_trips_and_a_missing_file_warns(tmp_path):
    path = tmp_path / "m.npz"
    save_choice_model(path, np.arange(8, dtype=np.float64), {"trained_by": "test"})
    first = path.read_bytes()
    save_choice_model(path, np.arange(8, dtype=np.float64), {"trained_by": "test"})
    assert path.read_bytes() == first  # byte-reproducible
    model = load_choice_model(path, "test model")
    assert model is not None and model.best([["a"], ["b"], ["a"]]) in (0, 1)
    model = load_start_model(path)
    assert model is not None and model.dim == 8 and model.meta["trained_by"] == "test"
    with pytest.warns(RuntimeWarning, match="content start model unavailable"):
        assert load_start_model(tmp_path / "missing.npz") is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_start_model() is not None
