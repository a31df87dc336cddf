"""The stance model: two logistic regressions over the pair features, stored as a small ``.npz``.

Stage 1 tells related from unrelated; stage 2 chooses agree, disagree or
discuss for related pairs. Both see the standardized dense features plus
one-hot quantile bins of each (so a linear model can bend); stage 2 also
sees hashed words. Trained by ``scripts/train_stance.py`` (deterministic,
choices by cross-validation grouped by topic) on the FNC-1 dev half
(Fake News Challenge stage 1; Ferreira & Vlachos, NAACL 2016). The file holds
weights, bin edges, standardization and per-bucket IDF weights, no text.

Guarantees: :func:`load_model` reads the file once per path and process;
prediction is deterministic (same features, same label).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import ConfigError
from pipeline.npz import write_npz
from pipeline.threads import text as tx
from pipeline.threads.features import DENSE_NAMES

MODEL_PATH = Path(__file__).with_name("data") / "stance_model.npz"
RELATED_LABELS = ("agree", "disagree", "discuss")
DENIAL_COS = 0.3  # a body claim of stance "deny" this close to the claim denies it (see denial_rule)
_DENY, _ASSERT, _CLAIM_DEBUNKING = (DENSE_NAMES.index(n) for n in ("cos_deny_claim", "cos_assert_claim",
                                                                     "claim_debunking"))
LABELS = (*RELATED_LABELS, "unrelated")
CITATION = ("FNC-1 (Fake News Challenge stage 1, github.com/FakeNewsChallenge/fnc-1), from the Emergent "
            "corpus: Ferreira & Vlachos (2016), Emergent: a novel data-set for stance classification, NAACL.")


@dataclass(frozen=True)
class StanceModel:
    """Everything a decision needs besides the text: vocabulary weights, scaling, two classifiers."""

    dim: int  # hashed vocabulary size of the similarity vectors
    idf: list[float]
    mean: np.ndarray
    scale: np.ndarray
    edges: np.ndarray  # (n_dense, n_bins - 1) quantile edges
    lex_dim: int
    w_related: np.ndarray
    b_related: float
    w_stance: np.ndarray  # (n_features, 3)
    b_stance: np.ndarray  # (3,)
    threshold: float  # stage-1 probability a pair needs to count as related
    meta: dict[str, Any] = field(default_factory=dict)

    def design(self, dense: np.ndarray, lexical: list[list[str]] | None) -> np.ndarray:
        """The feature matrix of rows of dense features (and hashed words when given)."""
        return design_matrix(dense, self.mean, self.scale, self.edges, lexical, self.lex_dim)

    def related_prob(self, x: np.ndarray) -> np.ndarray:
        n = self.w_related.shape[0]
        prob: np.ndarray = 1.0 / (1.0 + np.exp(-(_rowwise(x[:, :n], self.w_related) + self.b_related)))
        return prob

    def stance_probs(self, x: np.ndarray) -> np.ndarray:
        z = _rowwise(x, self.w_stance) + self.b_stance
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        probs: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return probs

    def predict(self, dense: np.ndarray, lexical: list[list[str]]) -> tuple[list[str], np.ndarray]:
        """One label of :data:`LABELS` per row, and the stage-1 related probabilities."""
        x = self.design(dense, lexical)
        prob = self.related_prob(x)
        stance = np.where(denial_rule(dense), RELATED_LABELS.index("disagree"), self.stance_probs(x).argmax(axis=1))
        return [RELATED_LABELS[s] if p >= self.threshold else "unrelated" for p, s in zip(prob, stance, strict=True)], prob


def _rowwise(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w`` one row at a time: a matrix product's rounding depends on the batch, and a pair must
    get the same numbers alone as in any batch."""
    return np.stack([row @ w for row in x]) if len(x) else np.zeros((0, *w.shape[1:]))


def denial_rule(dense: np.ndarray) -> np.ndarray:
    """Rows where the NLP stage found the claim denied: a ``deny`` claim of the body at least
    :data:`DENIAL_COS` close to the claim, about as close as any asserting claim, and a claim that
    is not itself a denial or debunking (then a matching denial would agree with it)."""
    deny, other = dense[:, _DENY], dense[:, _ASSERT]
    rows: np.ndarray = (deny >= DENIAL_COS) & (deny >= 0.8 * other) & (dense[:, _CLAIM_DEBUNKING] == 0)
    return rows


def design_matrix(dense: np.ndarray, mean: np.ndarray, scale: np.ndarray, edges: np.ndarray,
                  lexical: list[list[str]] | None, lex_dim: int) -> np.ndarray:
    """[standardized dense | one-hot bins | hashed words (L2-normalized)], float64."""
    n, d = dense.shape
    bins_per = edges.shape[1] + 1
    onehot = np.zeros((n, d * bins_per))
    for j in range(d):
        onehot[np.arange(n), j * bins_per + np.searchsorted(edges[j], dense[:, j], side="right")] = 1.0
    parts = [(dense - mean) / scale, onehot]
    if lexical is not None:
        lex = np.zeros((n, lex_dim))
        for i, terms in enumerate(lexical):
            for t in terms:
                lex[i, tx.bucket(t, lex_dim)] = 1.0
        norms = np.linalg.norm(lex, axis=1, keepdims=True)
        parts.append(lex / np.where(norms > 0, norms, 1.0))
    return np.hstack(parts)


def save_model(path: Path, model: StanceModel) -> None:
    """Write ``model``: arrays plus a JSON header (with the data citation).

    Byte-reproducible (:func:`pipeline.npz.write_npz`): the same model gives the same file.
    """
    header = dict(model.meta, citation=CITATION, dim=model.dim, lex_dim=model.lex_dim,
                  b_related=model.b_related, threshold=model.threshold)
    write_npz(path, [
        ("header", np.array(json.dumps(header, sort_keys=True))), ("idf", np.asarray(model.idf, dtype=np.float16)),
        ("mean", model.mean.astype(np.float32)), ("scale", model.scale.astype(np.float32)),
        ("edges", model.edges.astype(np.float32)), ("w_related", model.w_related.astype(np.float32)),
        ("w_stance", model.w_stance.astype(np.float32)), ("b_stance", model.b_stance.astype(np.float32))])


@lru_cache(maxsize=4)
def _load(path: str) -> StanceModel:
    try:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            arrays = {k: z[k].astype(np.float64) for k in ("idf", "mean", "scale", "edges", "w_related",
                                                            "w_stance", "b_stance")}
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"stance model {path} unreadable ({exc}); rebuild it with scripts/train_stance.py") from exc
    return StanceModel(
        dim=int(header["dim"]), idf=arrays["idf"].tolist(), mean=arrays["mean"], scale=arrays["scale"],
        edges=arrays["edges"], lex_dim=int(header["lex_dim"]), w_related=arrays["w_related"],
        b_related=float(header["b_related"]), w_stance=arrays["w_stance"], b_stance=arrays["b_stance"],
        threshold=float(header["threshold"]), meta=header)


def load_model(path: str | Path | None = None) -> StanceModel:
    """The model at ``path`` (default :data:`MODEL_PATH`), cached; ConfigError when unreadable."""
    return _load(str(MODEL_PATH if path is None else path))
