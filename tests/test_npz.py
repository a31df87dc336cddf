"""Byte-reproducible .npz files (pipeline.npz): fixed entries, readable by np.load without pickle."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from pipeline.npz import DATE_TIME, EXTERNAL_ATTR, write_npz

ARRAYS = [("weights", np.arange(1000, dtype=np.float32) / 7), ("header", np.array('{"a": 1}')),
          ("grid", np.ones((3, 4), dtype=np.float16))]


def test_same_arrays_same_bytes_and_np_load_reads_them(tmp_path):
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    write_npz(first, ARRAYS)
    write_npz(second, [(name, array.copy()) for name, array in ARRAYS])
    assert first.read_bytes() == second.read_bytes()
    with np.load(first, allow_pickle=False) as z:
        assert z.files == [name for name, _ in ARRAYS]
        for name, array in ARRAYS:
            assert z[name].dtype == array.dtype and np.array_equal(z[name], array)


def test_entries_carry_no_clock_and_fixed_attributes(tmp_path):
    path = tmp_path / "m.npz"
    write_npz(path, ARRAYS)
    infos = zipfile.ZipFile(path).infolist()
    assert [i.filename for i in infos] == [name + ".npy" for name, _ in ARRAYS]
    assert {(i.date_time, i.compress_type, i.external_attr) for i in infos} == {
        (DATE_TIME, zipfile.ZIP_DEFLATED, EXTERNAL_ATTR)}


def test_order_is_the_callers(tmp_path):
    write_npz(tmp_path / "a.npz", ARRAYS)
    write_npz(tmp_path / "b.npz", ARRAYS[::-1])
    assert (tmp_path / "a.npz").read_bytes() != (tmp_path / "b.npz").read_bytes()


def test_refuses_object_arrays_and_duplicate_names(tmp_path):
    with pytest.raises(ValueError):
        write_npz(tmp_path / "o.npz", [("x", np.array([{"a": 1}], dtype=object))])
    with pytest.raises(ValueError, match="duplicate"):
        write_npz(tmp_path / "d.npz", [("x", np.zeros(1)), ("x", np.ones(1))])
