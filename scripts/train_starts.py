"""Train the content start chooser (``pipeline/nlp/data/start_model.npz``) on PolNeAR train.

Usage:
    python scripts/train_starts.py TRAIN.jsonl [--docbin /tmp/train.spacy] [--out PATH]

The claims of each article come from the extractor with the shipped claim scorer and the
rules' content starts (``extract_claims(..., starts=None)``). Each claim whose content matches
a gold attribution leniently (the scorer's greedy token-Jaccard match, ``scripts/score_claims.py``)
and whose gold start is one of its :func:`pipeline.nlp.start_model.start_options` (compared as
the strict key compares: edge punctuation, quotes and spaces trimmed) is one example: a
conditional logit over its options, the gold one the target, fitted by mini-batch AdaGrad
with L2 and a fixed seed. 4-fold cross-validation over articles (k-th article in fold k mod 4)
prints the strict content F1 of the rules' starts and of the held-out model's; the model is
then refitted on all articles. Deterministic: same input and parse, same file, byte for byte
(fixed seed, one BLAS thread, input order, :func:`pipeline.nlp.choice_model.save_choice_model`);
the fitting is ``scripts/choice_training.py``'s, shared with ``train_sources.py``.

Only weights over hashed feature indices and a JSON header are written; no corpus text.
Corpus: PolNeAR (Newell, Margolin & Ruths, LREC 2018), train split only: never dev or test.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# choice_training sets one BLAS thread before it loads numpy: import it before anything that loads numpy
from choice_training import (  # noqa: E402
    FOLDS,
    SC,
    Choice,
    FitSettings,
    Weights,
    best,
    cue_token,
    fit,
    matched_claims,
    training_args,
)
from train_claims import load_docs  # noqa: E402

from pipeline.nlp.choice_model import save_choice_model  # noqa: E402
from pipeline.nlp.claim_features import hash_features  # noqa: E402
from pipeline.nlp.start_model import START_MODEL_PATH, StartOption, start_options  # noqa: E402

FIT = FitSettings()
DIM = FIT.dim


@dataclass
class Article:
    """An article's text, gold contents, predicted content pieces and start choices."""

    text: str
    gold: list[list[tuple[int, int]]]
    pred: list[list[tuple[int, int]]]
    choices: list[Choice]


def trimmed_start(text: str, start: int, end: int) -> int:
    """``start`` past the characters the strict key trims at a fragment's edge."""
    while start < end and SC._is_trim_char(text[start]):
        start += 1
    return start


def gold_option(text: str, options: list[StartOption], gold: tuple[int, int], end: int) -> int:
    """Index of the option starting where the gold fragment does (-1: none): exactly, else the first
    one the strict key cannot tell from it (an opening quotation mark trimmed away)."""
    exact = [n for n, o in enumerate(options) if o.start == gold[0]]
    if exact:
        return exact[0]
    want = trimmed_start(text, *gold)
    return next((n for n, o in enumerate(options) if trimmed_start(text, o.start, end) == want), -1)


def article(art: dict, doc: Any) -> Article:
    """Claims (rules' starts, rules' speakers), lenient matches and start choices of one article."""
    m = matched_claims(art, doc, starts=None, sources=None)
    choices = []
    for k, c in enumerate(m.claims):
        tok = cue_token(doc, c)
        options = [] if tok is None else start_options(tok, c.content.start, c.content.end)
        if options:
            target = gold_option(m.text, options, m.gold[m.match[k]][0], c.content.end) if k in m.match else -1
            choices.append(Choice(k, options, [hash_features(o.features, DIM) for o in options], target))
    return Article(m.text, m.gold, m.pred, choices)


def fitted(choices: list[Choice]) -> Weights:
    return fit(choices, FIT)


def strict_f1(arts: list[Article], chosen: dict[tuple[int, int], int]) -> float:
    """Strict content F1 with the first piece of claim ``c`` of article ``a`` starting at ``chosen[a, c]``."""
    tp = n_pred = n_gold = 0
    for a, art in enumerate(arts):
        pred = [[(chosen.get((a, k), p[0][0]), p[0][1])] + p[1:] for k, p in enumerate(art.pred)]
        tp += SC.strict_match_count(art.text, [{"content": g} for g in art.gold], [{"content": p} for p in pred])
        n_pred, n_gold = n_pred + len(pred), n_gold + len(art.gold)
    p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return 2 * p * r / max(p + r, 1e-9)


def cross_validate(arts: list[Article]) -> float:
    """Strict F1 over all articles, each article's starts chosen by a model fitted on the other folds."""
    chosen: dict[tuple[int, int], int] = {}
    for fold in range(FOLDS):
        w = fitted([c for a, art in enumerate(arts) if a % FOLDS != fold for c in art.choices if c.target >= 0])
        for a, art in enumerate(arts):
            if a % FOLDS == fold:
                chosen.update({(a, c.claim): c.options[best(w, c)].start for c in art.choices})
    return strict_f1(arts, chosen)


def main() -> None:
    args = training_args(__doc__.split("\n\n")[0], START_MODEL_PATH)
    raw, docs = load_docs(args.train, args.docbin)
    t0 = time.perf_counter()
    arts = [article(a, d) for a, d in zip(raw, docs, strict=True)]
    items = [c for art in arts for c in art.choices if c.target >= 0]
    moved = sum(c.options[c.target].shift != 0 for c in items)
    print(f"{sum(len(a.choices) for a in arts)} contents with options, {len(items)} with the gold start among them "
          f"({moved} not at the rules' start)")
    base, cv = strict_f1(arts, {}), cross_validate(arts)
    print(f"strict content F1 on train: rules' starts {base:.4f}, {FOLDS}-fold cross-validated model {cv:.4f}")
    meta = {"source": "PolNeAR train split (840 articles); hashed lemma/POS/dependency features, weights only",
            "trained_by": "scripts/train_starts.py", **FIT.meta(), "examples": len(items), "cv_strict_f1": round(cv, 4), "rules_strict_f1": round(base, 4)}
    save_choice_model(Path(args.out), fitted(items), meta)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB); "
          f"training time {time.perf_counter() - t0:.1f} s (parse excluded)")


if __name__ == "__main__":
    main()
