"""The stance model file: saving is byte-reproducible and the shipped file is what save_model writes."""

from __future__ import annotations

import dataclasses

import numpy as np

from pipeline.threads.model import MODEL_PATH, load_model, save_model


def test_saving_the_same_model_twice_gives_the_same_bytes(tmp_path):
    model = dataclasses.replace(load_model(), meta={"l2": 0.1})
    paths = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for path in paths:
        save_model(path, model)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    again = load_model(paths[0])
    assert np.array_equal(again.w_stance, model.w_stance) and again.idf == model.idf


def test_resaving_the_shipped_model_reproduces_its_file_byte_for_byte(tmp_path):
    save_model(tmp_path / "m.npz", load_model())  # the loaded meta is the whole header: save_model rewrites it
    assert (tmp_path / "m.npz").read_bytes() == MODEL_PATH.read_bytes()
