"""What the training scripts of the learned choices share (``train_starts.py``, ``train_sources.py``).

A choice is one claim's options (feature strings, hashed), the gold option's index as target;
:func:`fit` fits a conditional logit over them (:class:`pipeline.nlp.choice_model.ChoiceModel`'s
weights) by mini-batch AdaGrad with L2, deterministic for a seed and an input order.
:func:`matched_claims` extracts an article's claims and matches them to gold as the shared
scorer does (its copy in this directory, ``score_claims.py``). Import this module before
anything that loads numpy: it sets one BLAS thread first (a product's rounding may depend on
how it is split among threads, and the scripts' files are compared byte for byte).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import numpy as np  # noqa: E402

from pipeline.nlp.claims import extract_claims  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402
from pipeline.records import Claim  # noqa: E402

FOLDS = 4  # cross-validation over articles: the k-th article is in fold k mod FOLDS
Weights = np.ndarray  # a fitted weight vector over hashed feature indices (the scripts need no numpy import)


def training_args(description: str, default_out: Path) -> argparse.Namespace:
    """The training scripts' command line: TRAIN.jsonl, ``--docbin`` (parse cache), ``--out``."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("train")
    ap.add_argument("--docbin", help="cache of the spaCy parses (read if present, else written)")
    ap.add_argument("--out", default=str(default_out))
    return ap.parse_args()


def load_scorer() -> Any:
    """The repository's copy of the shared scorer (``scripts/score_claims.py``)."""
    spec = importlib.util.spec_from_file_location("score_claims", Path(__file__).with_name("score_claims.py"))
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SC = load_scorer()


@dataclass(frozen=True)
class FitSettings:
    """How :func:`fit` fits: AdaGrad epochs, step size, L2, batch size, seed, hashed dimension."""

    epochs: int = 8
    learning_rate: float = 0.05
    l2: float = 1e-5
    batch: int = 32
    seed: int = 13
    dim: int = 1 << 18

    def meta(self) -> dict[str, Any]:
        """The settings a model file's header records (its dimension is recorded apart)."""
        return {k: v for k, v in asdict(self).items() if k in ("seed", "epochs", "learning_rate", "l2")}


@dataclass
class Choice:
    """One claim's options (as the caller keeps them), their hashed rows, the gold option (-1: none)."""

    claim: int
    options: list[Any]
    rows: list[np.ndarray]
    target: int


@dataclass
class Matched:
    """An article's claims, gold contents, predicted content pieces and claim → gold index matches."""

    text: str
    claims: list[Claim]
    gold: list[list[tuple[int, int]]]
    pred: list[list[tuple[int, int]]]
    match: dict[int, int]


def matched_claims(art: dict, doc: Any, **extract: Any) -> Matched:
    """``art``'s claims (``extract_claims`` with ``extract``'s keywords) matched to its gold
    attributions by the scorer's greedy token-Jaccard match."""
    text = art["text"]
    claims = extract_claims(doc, extract_entities(doc), art["id"], **extract)
    gold = [[(int(s), int(e)) for s, e in g["content"]] for g in art["gold"]]
    pred = [[(p.start, p.end) for p in (c.content_parts or (c.content,))] for c in claims]
    idx = SC.TokenIndex(text)
    match = {pi: gi for gi, pi, _ in SC.greedy_match([idx.tokens_of(g) for g in gold],
                                                      [idx.tokens_of(p) for p in pred])}
    return Matched(text, claims, gold, pred, match)


def cue_token(doc: Any, claim: Claim) -> Any | None:
    """The cue's head token, or None for a typographic cue (a colon, a dash: no token cue)."""
    span = doc.char_span(claim.cue.start, claim.cue.end, alignment_mode="expand")
    return None if span is None or span.root.is_punct else span.root


def touches(ranges: list[list[int]] | list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` shares a character with one of ``ranges`` (the scorer's source test)."""
    return any(s < end and start < e for s, e in ranges)


def fit(choices: list[Choice], settings: FitSettings) -> np.ndarray:
    """Conditional logit over each choice's options (the target's probability maximised), by
    mini-batch AdaGrad with L2; deterministic for given settings and input order."""
    w = np.zeros(settings.dim)
    g2 = np.full(settings.dim, 1e-8)
    rng = np.random.default_rng(settings.seed)
    l2, learning_rate = settings.l2, settings.learning_rate
    for _ in range(settings.epochs):
        order = rng.permutation(len(choices))
        for first in range(0, len(order), settings.batch):
            part = [choices[i] for i in order[first:first + settings.batch]]
            rows = [r for c in part for r in c.rows]
            sizes = np.array([len(c.rows) for c in part])
            group_of = np.repeat(np.arange(len(part)), sizes)
            target = np.zeros(len(rows))
            target[np.cumsum(sizes) - sizes + np.array([c.target for c in part])] = 1.0
            idx = np.concatenate(rows)
            seg = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
            z = np.bincount(seg, weights=w[idx], minlength=len(rows))
            z -= np.maximum.reduceat(z, np.cumsum(sizes) - sizes)[group_of]
            e = np.exp(z)
            err = e / np.bincount(group_of, weights=e)[group_of] - target
            uniq, inv = np.unique(idx, return_inverse=True)
            grad = np.bincount(inv, weights=err[seg]) / len(part) + l2 * w[uniq]
            g2[uniq] += grad * grad
            w[uniq] -= learning_rate * grad / np.sqrt(g2[uniq])
    return w


def best(w: np.ndarray, choice: Choice) -> int:
    """The option index the weights pick (first best on ties), as ``ChoiceModel.best`` does."""
    return int(np.argmax([w[r].sum() for r in choice.rows]))
