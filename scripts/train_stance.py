"""Train the stance model (``pipeline/threads/data/stance_model.npz``) on the FNC-1 dev half.

Usage:
    python scripts/train_stance.py [--data ../shared/data/fnc1] [--cache /tmp/fnc1-parsed.jsonl]
                                   [--out PATH] [--cv-predictions OOF.jsonl]

Bodies go through the NLP stage's own Enricher (spaCy + claim extraction);
``--cache`` keeps that parse in a local file so a second run skips it (never
commit the cache: it holds corpus text). Pairs become dense features plus
hashed words (:mod:`pipeline.threads.features`). Choices (regularization,
class weights, hashed words on or off, the related threshold, offsets of the stage-2 scores) are made by
5-fold cross-validation GROUPED BY TOPIC: a topic is a connected component of
claims and bodies linked by related pairs, so no fold sees a held-out topic's
claim or body. The chosen setting is refitted on every pair and saved;
``--cv-predictions`` writes the out-of-fold predictions of the chosen setting
(the honest dev figure: score it with ``../shared/tools/score_stance.py``).
Deterministic: full-batch optimisation from zeros, no random numbers.

Data: FNC-1 (Fake News Challenge stage 1) dev half, derived from the Emergent
corpus (Ferreira & Vlachos, NAACL 2016). Only weights, bin edges, scaling and
per-bucket IDF weights are written; no corpus text.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

# One BLAS thread (set before numpy loads): small matrices, so threads only contend, and a product's
# rounding may depend on how it is split among threads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.records import from_dict, to_dict  # noqa: E402
from pipeline.threads import text as tx  # noqa: E402
from pipeline.threads.body import prepare_body  # noqa: E402
from pipeline.threads.features import DENSE_NAMES, dense_features, lexical_terms, prepare_claim  # noqa: E402
from pipeline.threads.model import (  # noqa: E402
    LABELS,
    MODEL_PATH,
    StanceModel,
    denial_rule,
    design_matrix,
    save_model,
)
from pipeline.threads.unionfind import MinUnionFind  # noqa: E402

DIM = 1 << 16
LEX_DIM = 1 << 11
BINS = 6
FOLDS = 5
ITERATIONS = 400
STEP = 0.05
L2_CHOICES = (3e-2, 1e-1)  # 1e-2 and 3e-1 did worse on every figure
CLASS_WEIGHT_POWERS = (0.75, 1.0)
LEXICAL_CHOICES = (True,)  # hashed words helped in every setting tried (about +0.003 macro-F1 at l2 0.1)
THRESHOLDS = tuple(round(0.3 + 0.05 * k, 2) for k in range(9))
# Offsets added to the stage-2 logits of (agree, disagree, discuss): the class weights that make the
# classifier see the rare classes also cost accuracy on discuss, the commonest related class, which the
# FNC-1 relative score rewards; CV chooses how far to lean back.
MACRO_TARGET = 0.62  # the macro-F1 target: a setting below it is chosen only when all are
OFFSETS = tuple((0.0, d, c) for d in (0.0, 0.25, 0.5, 0.75, 1.0) for c in (0.0, 0.25, 0.5, 0.75, 1.0))
N_BASE = len(DENSE_NAMES) * (BINS + 1)  # standardized dense features and their one-hot bins
UNRELATED, DISAGREE = LABELS.index("unrelated"), LABELS.index("disagree")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def parsed_bodies(bodies: list[dict], cache: Path | None) -> dict[str, dict]:
    """body_id → {"text", "entities", "claims"} (records as dicts), from the cache or a fresh parse."""
    if cache and cache.exists():
        return {row["body_id"]: row for row in read_jsonl(cache)}
    from pipeline.config import NlpSettings
    from pipeline.nlp.enricher import Enricher

    enricher = Enricher(NlpSettings())
    started = time.monotonic()
    out = {}
    items = [(b["body_id"], b["text"]) for b in bodies]
    for (body_id, text), (ents, claims) in zip(items, enricher.analyse(items), strict=True):
        out[body_id] = {"body_id": body_id, "text": text, "entities": [to_dict_entity(e) for e in ents],
                        "claims": [to_dict(c) for c in claims]}
    print(f"parsed {len(out)} bodies in {time.monotonic() - started:.0f}s", file=sys.stderr)
    if cache:
        with cache.open("w", encoding="utf-8") as fh:
            for row in out.values():
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out


def to_dict_entity(e) -> dict:
    return {"text": e.text, "label": e.label, "start": e.start, "end": e.end, "canonical": e.canonical}


def idf_table(texts: list[str]) -> list[float]:
    """Smoothed IDF per hashed bucket over ``texts`` (unseen buckets get the rarest weight)."""
    df = Counter()
    for t in texts:
        df.update({tx.bucket(s, DIM) for s in tx.content_stems(t)})
    n = len(texts)
    idf = np.full(DIM, math.log((n + 1) / 1) + 1.0)
    for b, k in df.items():
        idf[b] = math.log((n + 1) / (k + 1)) + 1.0
    return idf.tolist()


def topics(pairs: list[dict]) -> list[int]:
    """Group id per pair: connected components of claims and bodies joined by related pairs."""
    sets = MinUnionFind()
    for p in pairs:
        sets.find("c:" + p["claim"])
        if p["stance"] != "unrelated":
            sets.union("c:" + p["claim"], "b:" + p["body_id"])
    roots = sorted({sets.find("c:" + p["claim"]) for p in pairs})
    number = {r: i for i, r in enumerate(roots)}
    return [number[sets.find("c:" + p["claim"])] for p in pairs]


def fold_of(groups: list[int]) -> np.ndarray:
    """Each group to one fold, largest groups first, always to the currently smallest fold."""
    sizes = Counter(groups)
    load, assign = [0] * FOLDS, {}
    for g, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        k = min(range(FOLDS), key=lambda f: (load[f], f))
        assign[g], load[k] = k, load[k] + n
    return np.array([assign[g] for g in groups])


def fit_softmax(x: np.ndarray, y: np.ndarray, k: int, weights: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression, full-batch Adam from zeros (deterministic).

    Everything stays in ``x``'s dtype (float32), so no matrix is copied per step.
    """
    dt = x.dtype
    n, d = x.shape
    w, b = np.zeros((d, k), dtype=dt), np.zeros(k, dtype=dt)
    onehot = np.eye(k, dtype=dt)[y]
    sw = (weights / weights.sum()).astype(dt)[:, None]
    xt = np.ascontiguousarray(x.T)
    state = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    for t in range(1, ITERATIONS + 1):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sw
        grads = (xt @ g + dt.type(l2) * w, g.sum(axis=0))
        for param, grad, m, v in ((w, grads[0], state[0], state[1]), (b, grads[1], state[2], state[3])):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= (STEP * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)).astype(dt)
    return w.astype(np.float64), b.astype(np.float64)


def class_weights(y: np.ndarray, k: int, power: float) -> np.ndarray:
    counts = np.bincount(y, minlength=k).astype(float)
    per_class = (counts.sum() / (k * np.maximum(counts, 1))) ** power
    return per_class[y]


class Trainer:
    """Fits both stages on a subset of the pairs; the design matrix is built once per subset."""

    def __init__(self, dense: np.ndarray, lexical: list[list[str]], labels: np.ndarray, idf: list[float]) -> None:
        self.dense, self.lexical, self.labels, self.idf = dense, lexical, labels, idf

    def scaling(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dense = self.dense[rows]
        qs = np.linspace(0, 1, BINS + 1)[1:-1]
        return dense.mean(axis=0), dense.std(axis=0) + 1e-6, np.quantile(dense, qs, axis=0).T

    def design(self, rows: np.ndarray, scaling: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
        mean, scale, edges = scaling
        return design_matrix(self.dense[rows], mean, scale, edges, [self.lexical[i] for i in rows],
                             LEX_DIM).astype(np.float32)

    def fit_related(self, x: np.ndarray, rows: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
        related = (self.labels[rows] != UNRELATED).astype(int)
        w, b = fit_softmax(x[:, :N_BASE], related, 2, class_weights(related, 2, 0.5), l2)
        return w[:, 1] - w[:, 0], float(b[1] - b[0])

    def fit_stance(self, x: np.ndarray, rows: np.ndarray, l2: float, power: float,
                   use_lex: bool) -> tuple[np.ndarray, np.ndarray]:
        rel = np.flatnonzero(self.labels[rows] != UNRELATED)
        y = self.labels[rows][rel]
        cols = x.shape[1] if use_lex else N_BASE
        w, b = fit_softmax(x[rel][:, :cols], y, 3, class_weights(y, 3, power), l2)
        if not use_lex:  # the same shape either way: zero weights for the hashed words
            w = np.vstack([w, np.zeros((x.shape[1] - N_BASE, 3))])
        return w, b

    def model(self, rows: np.ndarray, l2: float, power: float, use_lex: bool, threshold: float,
              offset: tuple[float, float, float]) -> StanceModel:
        scaling = self.scaling(rows)
        x = self.design(rows, scaling)
        w1, b1 = self.fit_related(x, rows, l2)
        w2, b2 = self.fit_stance(x, rows, l2, power, use_lex)
        mean, scale, edges = scaling
        return StanceModel(
            dim=DIM, idf=self.idf, mean=mean, scale=scale, edges=edges, lex_dim=LEX_DIM,
            w_related=w1, b_related=b1, w_stance=w2, b_stance=b2 + np.asarray(offset), threshold=threshold,
            meta={"l2": l2, "class_weight_power": power, "lexical": use_lex, "offsets": list(offset),
                  "dense": list(DENSE_NAMES),
                  "bins": BINS, "iterations": ITERATIONS})


def scores(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    f1 = {}
    for c, name in enumerate(LABELS):
        tp = np.sum((gold == c) & (pred == c))
        p, r = tp / max(np.sum(pred == c), 1), tp / max(np.sum(gold == c), 1)
        f1[name] = 2 * p * r / (p + r) if p + r else 0.0
    unrelated = LABELS.index("unrelated")
    s = best = 0.0
    for g, q in zip(gold, pred, strict=True):
        s += (0.25 if g == q else 0) + (0.5 if g == q and g != unrelated else 0) + (
            0.25 if g != unrelated and q != unrelated else 0)
        best += 0.25 if g == unrelated else 1.0
    return {"macro": sum(f1.values()) / 4, "disagree": f1["disagree"], "agree": f1["agree"],
            "discuss": f1["discuss"], "unrelated": f1["unrelated"], "fnc": s / best}


def main() -> None:
    here = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=here.parent / "shared" / "data" / "fnc1")
    ap.add_argument("--cache", type=Path, default=None, help="parsed bodies (local file, never committed)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--cv-predictions", type=Path, default=None)
    args = ap.parse_args()
    pairs = read_jsonl(args.data / "dev.jsonl")
    parsed = parsed_bodies(read_jsonl(args.data / "bodies-dev.jsonl"), args.cache)
    idf = idf_table([b["text"] for b in parsed.values()] + sorted({p["claim"] for p in pairs}))
    bodies = {bid: prepare_body(b["text"], [from_dict(c) for c in b["claims"]],
                                [_entity(e) for e in b["entities"]], idf=idf, dim=DIM) for bid, b in parsed.items()}
    claims = {t: prepare_claim(t, idf, DIM) for t in sorted({p["claim"] for p in pairs})}
    dense = np.vstack([dense_features(claims[p["claim"]], bodies[p["body_id"]], idf, DIM) for p in pairs])
    lexical = [lexical_terms(claims[p["claim"]], bodies[p["body_id"]], idf, DIM) for p in pairs]
    labels = np.array([LABELS.index(p["stance"]) for p in pairs])
    folds = fold_of(topics(pairs))
    trainer = Trainer(dense, lexical, labels, idf)
    best = choose(trainer, labels, folds)
    (l2, power, use_lex, threshold, offset), oof, figures = best
    print(f"chosen: l2={l2} class_weight_power={power} lexical={use_lex} threshold={threshold} offsets={offset}: "
          + " ".join(f"{k}={v:.3f}" for k, v in figures.items()), file=sys.stderr)
    model = trainer.model(np.arange(len(pairs)), l2, power, use_lex, threshold, offset)
    model.meta.update({"cv_" + k: round(v, 4) for k, v in figures.items()}, folds=FOLDS, pairs=len(pairs))
    save_model(args.out, model)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)", file=sys.stderr)
    if args.cv_predictions:
        with args.cv_predictions.open("w") as fh:
            for p, q in zip(pairs, oof, strict=True):
                fh.write(json.dumps({"id": p["id"], "stance": LABELS[q]}) + "\n")


def choose(trainer: Trainer, labels: np.ndarray, folds: np.ndarray):
    """The setting with the best out-of-fold sum of the issue's three figures (macro-F1, disagree F1,
    FNC-1 relative score) among those keeping macro-F1 at :data:`MACRO_TARGET` (ties: relative score),
    its predictions and figures. A setting is (l2, class weight power, hashed words, threshold, offsets)."""
    n = len(labels)
    prob = {l2: np.zeros(n) for l2 in L2_CHOICES}
    settings = list(itertools.product(L2_CHOICES, CLASS_WEIGHT_POWERS, LEXICAL_CHOICES))
    logits = {s: np.zeros((n, 3)) for s in settings}
    for k in range(FOLDS):
        train, test = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        scaling = trainer.scaling(train)
        x_train, x_test = trainer.design(train, scaling), trainer.design(test, scaling)
        for l2 in L2_CHOICES:
            w1, b1 = trainer.fit_related(x_train, train, l2)
            prob[l2][test] = 1.0 / (1.0 + np.exp(-(x_test[:, :N_BASE] @ w1 + b1)))
        for setting in settings:
            w2, b2 = trainer.fit_stance(x_train, train, *setting)
            logits[setting][test] = x_test @ w2 + b2
        print(f"fold {k + 1}/{FOLDS} done", file=sys.stderr, flush=True)
    rule = denial_rule(trainer.dense)
    best = None
    for setting, threshold, offset in itertools.product(settings, THRESHOLDS, OFFSETS):
        stance = np.where(rule, DISAGREE, (logits[setting] + np.asarray(offset)).argmax(axis=1))
        pred = np.where(prob[setting[0]] >= threshold, stance, UNRELATED)
        figures = scores(labels, pred)
        key = (figures["macro"] >= MACRO_TARGET,
               round(figures["macro"] + figures["disagree"] + figures["fnc"], 4), round(figures["fnc"], 4))
        print(f"{setting} threshold={threshold} offsets={offset}: "
              + " ".join(f"{k}={v:.3f}" for k, v in figures.items()), file=sys.stderr)
        if best is None or key > best[0]:
            best = (key, (*setting, threshold, offset), pred, figures)
    return best[1:]


def _entity(e: dict):
    from pipeline.records import Entity

    return Entity(e["text"], e["label"], int(e["start"]), int(e["end"]), e["canonical"])


if __name__ == "__main__":
    main()
