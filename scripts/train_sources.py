"""Train the speaker chooser (``pipeline/nlp/data/source_model.npz``) on PolNeAR train.

Usage:
    python scripts/train_sources.py TRAIN.jsonl [--docbin /tmp/train.spacy] [--out PATH]

The claims of each article come from the extractor with the shipped claim scorer and content
start chooser and the rules' speakers (``extract_claims(..., sources=None)``). Each claim with a
speaker whose content matches a gold attribution with a source (the scorer's lenient match,
``scripts/score_claims.py``) is one example: a conditional logit over its
:func:`pipeline.nlp.source_model.speaker_options`, the target the rules' head when its speaker
is right (shares a character with the gold source, the scorer's test), else the first option
whose speaker is; fitted by ``scripts/choice_training.py``'s mini-batch AdaGrad with L2 and a
fixed seed. 4-fold cross-validation over articles (k-th article in fold k mod 4) prints how many
of these speakers are right with the rules' choice and with the held-out model's; the model is
then refitted on all articles. Deterministic: same input and parse, same file, byte for byte.

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
    Choice,
    FitSettings,
    Weights,
    best,
    cue_token,
    fit,
    matched_claims,
    touches,
    training_args,
)
from train_claims import load_docs  # noqa: E402

from pipeline.nlp.choice_model import save_choice_model  # noqa: E402
from pipeline.nlp.claim_features import hash_features  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402
from pipeline.nlp.source_model import SOURCE_MODEL_PATH, speaker_options  # noqa: E402
from pipeline.nlp.speakers import SpeakerResolver  # noqa: E402

FIT = FitSettings(epochs=16)
DIM = FIT.dim


@dataclass
class Example:
    """One speaker choice, whether each option's speaker would be right, whether the rules' is."""

    choice: Choice
    right: list[bool]
    rule_right: bool


def examples(art: dict, doc: Any) -> list[Example]:
    """The speaker choices of one article's matched claims whose gold has a source."""
    m = matched_claims(art, doc, sources=None)
    resolver = SpeakerResolver(doc, extract_entities(doc))
    out = []
    for k, c in enumerate(m.claims):
        source = art["gold"][m.match[k]]["source"] if k in m.match else []
        tok = cue_token(doc, c)
        span = None if c.speaker is None else doc.char_span(c.speaker.start, c.speaker.end, alignment_mode="expand")
        if not source or tok is None or span is None or not len(span):
            continue
        rule = span.root
        rule_right = touches(source, c.speaker.start, c.speaker.end)
        options = speaker_options(tok, c.content.start, c.content.end, rule)
        right = [rule_right if t.i == rule.i else touches(source, *_span(resolver.speaker(doc, m.text, t)))
                 for t, _ in options]
        keep = [n for n, (t, _) in enumerate(options) if t.i == rule.i and right[n]]
        target = keep[0] if keep else next((n for n, ok in enumerate(right) if ok), -1)
        rows = [hash_features(f, DIM) for _, f in options]
        out.append(Example(Choice(k, [t.i for t, _ in options], rows, target), right, rule_right))
    return out


def _span(speaker: Any) -> tuple[int, int]:
    return speaker.start, speaker.end


def fitted(choices: list[Choice]) -> Weights:
    return fit(choices, FIT)


def cross_validate(by_article: list[list[Example]]) -> int:
    """How many speakers are right when each article's are chosen by a model fitted on the other folds."""
    right = 0
    for fold in range(FOLDS):
        w = fitted([e.choice for a, exs in enumerate(by_article) if a % FOLDS != fold for e in exs
                    if e.choice.target >= 0])
        right += sum(e.right[best(w, e.choice)] for a, exs in enumerate(by_article) if a % FOLDS == fold
                     for e in exs)
    return right


def main() -> None:
    args = training_args(__doc__.split("\n\n")[0], SOURCE_MODEL_PATH)
    raw, docs = load_docs(args.train, args.docbin)
    t0 = time.perf_counter()
    by_article = [examples(a, d) for a, d in zip(raw, docs, strict=True)]
    every = [e for exs in by_article for e in exs]
    rules = sum(e.rule_right for e in every)
    cv = cross_validate(by_article)
    print(f"{len(every)} matched claims with a speaker and a gold source; right with the rules' speaker "
          f"{rules}, with the {FOLDS}-fold cross-validated model {cv}")
    trained = [e.choice for e in every if e.choice.target >= 0]
    meta = {"source": "PolNeAR train split (840 articles); hashed POS/dependency/entity features, weights only",
            "trained_by": "scripts/train_sources.py", **FIT.meta(), "examples": len(trained), "cv_right": cv, "rules_right": rules, "claims": len(every)}
    save_choice_model(Path(args.out), fitted(trained), meta)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB); "
          f"training time {time.perf_counter() - t0:.1f} s (parse excluded)")


if __name__ == "__main__":
    main()
