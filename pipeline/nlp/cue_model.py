"""The learned claim scorer: logistic regression over hashed candidate features.

The weights (``data/claim_model.npz``) are trained on the PolNeAR train split
(Newell, Margolin & Ruths, LREC 2018) by ``scripts/train_claims.py``; the file
holds a JSON header (provenance, citation, feature dimension, decision
threshold) and a float32 weight vector over hashed feature indices, no text.

Guarantees: :func:`load_claim_model` reads the file once per path and process
(module-level cache) and returns None, with a :class:`RuntimeWarning`, when it
is missing or unreadable, so callers can fall back to the rule lexicon;
scoring is deterministic (same features, same probability).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.nlp.claim_features import hash_features
from pipeline.npz import write_npz

MODEL_PATH = Path(__file__).with_name("data") / "claim_model.npz"
CITATION = ("Newell, Margolin & Ruths (2018). An Attribution Relations Corpus for Political News. "
            "LREC 2018 (PolNeAR).")


@dataclass(frozen=True)
class ClaimModel:
    """Weights of the logistic scorer and the probability a candidate needs to become a claim.

    ``rank``, when present, are the weights of the content ranker: of the contents proposed
    for one cue, the extractor keeps the one it ranks highest (see :meth:`ranks`).
    """

    weights: np.ndarray
    bias: float
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)
    rank: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    def prob(self, feats: list[str]) -> float:
        """Probability that the candidate with these features is an attributed claim."""
        return float(self.probs([feats])[0])

    def probs(self, rows: list[list[str]]) -> np.ndarray:
        """Probabilities of many candidates at once (:meth:`prob` is this on one row)."""
        return self.scores(rows)[0]

    def ranks(self, rows: list[list[str]]) -> np.ndarray:
        """Content-ranker scores of many candidates (comparable among one cue's contents only);
        the probabilities of :meth:`probs` when the model has no ranker."""
        return self.scores(rows)[1]

    def scores(self, rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`probs` and :meth:`ranks` of the same rows, their features hashed once."""
        if not rows:
            return np.zeros(0), np.zeros(0)
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        idx = hash_features([f for r in rows for f in r], self.dim)
        seg = np.repeat(np.arange(len(rows)), lengths)
        z = self.bias + np.bincount(seg, weights=self.weights[idx], minlength=len(rows))
        probs: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        if self.rank is None:
            return probs, probs
        return probs, np.bincount(seg, weights=self.rank[idx], minlength=len(rows))


def save_model(path: Path, weights: np.ndarray, bias: float, threshold: float, meta: dict[str, Any],
               rank: np.ndarray | None = None) -> None:
    """Write the model: float32 weights (and ranker weights) plus a JSON header (with the citation added).

    Byte-reproducible (:func:`pipeline.npz.write_npz`): the same arrays and header give the same file.
    """
    header = dict(meta, citation=CITATION, bias=float(bias), threshold=float(threshold), dim=int(weights.shape[0]))
    arrays = [("weights", weights.astype(np.float32)), ("header", np.array(json.dumps(header, sort_keys=True)))]
    if rank is not None:
        arrays.append(("rank", rank.astype(np.float32)))
    write_npz(path, arrays)


@lru_cache(maxsize=4)
def _load(path: str) -> ClaimModel | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            weights = z["weights"].astype(np.float64)
            rank = z["rank"].astype(np.float64) if "rank" in z.files else None
    except (OSError, KeyError, ValueError) as exc:
        warnings.warn(f"claim model unavailable ({exc}); using the rule cue lexicon", RuntimeWarning, stacklevel=3)
        return None
    return ClaimModel(weights, float(header["bias"]), float(header["threshold"]), header, rank)


def load_claim_model(path: str | Path | None = None) -> ClaimModel | None:
    """The model at ``path`` (default :data:`MODEL_PATH`), cached; None with a warning when missing."""
    return _load(str(MODEL_PATH if path is None else path))
