"""A learned choice among a few options: a conditional logit over hashed feature strings.

Public API: :class:`ChoiceModel`, :func:`save_choice_model`, :func:`load_choice_model`.
The content start (:mod:`pipeline.nlp.start_model`) and the speaker
(:mod:`pipeline.nlp.source_model`) are chosen this way: each option is a list of
feature strings, its score the sum of the weights at their hashed indices, and the
best-scored option wins. The files hold a JSON header and float32 weights, no text
(trained on PolNeAR train by ``scripts/train_starts.py`` and ``scripts/train_sources.py``).

Guarantees: scoring is deterministic and the first best option wins ties;
:func:`load_choice_model` reads a file once per path and process and returns None,
with a :class:`RuntimeWarning`, when it is missing or unreadable (callers keep the
rules' choice); :func:`save_choice_model` is byte-reproducible.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.nlp.claim_features import hash_features
from pipeline.npz import write_npz

CITATION = ("Newell, Margolin & Ruths (2018). An Attribution Relations Corpus for Political News. "
            "LREC 2018 (PolNeAR).")


@dataclass(frozen=True)
class ChoiceModel:
    """Weights over hashed feature indices (a power-of-two count) and the file's header."""

    weights: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    def scores(self, options: Sequence[Sequence[str]]) -> np.ndarray:
        """One score per option's feature strings (comparable among one choice's options only)."""
        lengths = np.fromiter((len(o) for o in options), dtype=np.int64, count=len(options))
        idx = hash_features([f for o in options for f in o], self.dim)
        seg = np.repeat(np.arange(len(options)), lengths)
        return np.bincount(seg, weights=self.weights[idx], minlength=len(options))

    def best(self, options: Sequence[Sequence[str]]) -> int:
        """Index of the best-scored option (the first on ties); ``options`` must not be empty."""
        return int(np.argmax(self.scores(options)))


def save_choice_model(path: Path, weights: np.ndarray, meta: dict[str, Any]) -> None:
    """Write float32 weights and a JSON header (citation and dimension added);
    byte-reproducible (:func:`pipeline.npz.write_npz`)."""
    header = dict(meta, citation=CITATION, dim=int(weights.shape[0]))
    write_npz(path, [("weights", weights.astype(np.float32)),
                     ("header", np.array(json.dumps(header, sort_keys=True)))])


@lru_cache(maxsize=8)
def _load(path: str, what: str) -> ChoiceModel | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            weights = z["weights"].astype(np.float64)
    except (OSError, KeyError, ValueError) as exc:
        warnings.warn(f"{what} unavailable ({exc}); the rules' choice is kept", RuntimeWarning, stacklevel=4)
        return None
    return ChoiceModel(weights, header)


def load_choice_model(path: str | Path, what: str) -> ChoiceModel | None:
    """The model at ``path``, cached per path; None with a warning naming ``what`` when unreadable."""
    return _load(str(path), what)
