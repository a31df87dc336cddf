"""Byte-reproducible ``.npz`` files: the shipped model weights are written by :func:`write_npz`.

``np.savez_compressed`` leaves the archive's bytes to numpy and zipfile (entry
order from a dict, the entries' time stamps and permissions from their
defaults); here every one of them is fixed, so a training script rerun on the
same input rewrites the same file and a test can compare bytes.

Guarantees of :func:`write_npz`: the same arrays (dtype, shape, values) in the
same order give the same bytes, with the same zlib (deflate at zlib's default level, 6); the file is an ordinary
``.npz`` that ``np.load(path, allow_pickle=False)`` reads (one ``NAME.npy``
entry per array, in the given order); object arrays are refused (they would
need pickle).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry: no clock in the bytes
EXTERNAL_ATTR = 0o600 << 16  # rw------- regular file, what zipfile gives an entry opened for writing


def write_npz(path: Path, arrays: Sequence[tuple[str, np.ndarray]]) -> None:
    """Write ``arrays`` (name, array) to ``path`` as a deflated ``.npz``, entries in the given order."""
    names = [name for name, _ in arrays]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate array names in {names}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays:
            info = zipfile.ZipInfo(name + ".npy", date_time=DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = EXTERNAL_ATTR
            # zip64 always, as numpy does (gh-10776): an entry's header size cannot depend on its size
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(array), allow_pickle=False)
    path.write_bytes(buf.getvalue())
