"""Where a content after its cue starts: a learned choice among nearby token starts.

Public API: :data:`START_MODEL_PATH`, :class:`StartOption`, :func:`start_options`,
:func:`refined_start`, :func:`load_start_model`.

PolNeAR (Newell, Margolin & Ruths, LREC 2018) counts the words between a cue and what
it reports as part of the cue ("continued to question X", "expressed doubt that X",
"rejected the notion that X", "called Wednesday for X"), and the rules' content often
starts on them. A conditional logit (:class:`pipeline.nlp.choice_model.ChoiceModel`) over
the token starts near the rules' start (:func:`pipeline.nlp.bounds.content_start`'s
result) picks the start, from the words it would move over (lemma, part of speech,
dependency, whether the cue governs them) and the words at the boundary. Trained on
PolNeAR train by ``scripts/train_starts.py``.

Only a content starting after its cue token, in the cue's sentence, is refined; other
contents (a quotation before "he said", a content in another sentence) keep their start.
Works on spaCy-like tokens; no spaCy import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.nlp.choice_model import ChoiceModel, load_choice_model

START_MODEL_PATH = Path(__file__).with_name("data") / "start_model.npz"
SHIFTS = range(-2, 7)  # candidate starts: this many tokens before/after the rules' start


@dataclass(frozen=True, slots=True)
class StartOption:
    """One candidate start: ``shift`` tokens from the rules' start, at character ``start``."""

    shift: int
    start: int
    features: list[str]


def refined_start(model: ChoiceModel | None, cue: Any, start: int, end: int) -> int:
    """The content's start chosen by ``model`` among :func:`start_options`, or ``start`` itself
    (no model, no options). Guarantees: the result is the start of a word or quotation mark after
    the cue token and before ``end`` in the cue's sentence, or ``start``; the first best option wins ties."""
    options = start_options(cue, start, end) if model is not None else []
    if not options:
        return start
    assert model is not None
    return options[model.best([o.features for o in options])].start


def start_options(cue: Any, start: int, end: int) -> list[StartOption]:
    """The candidate starts of the content ``[start, end)`` of cue token ``cue``, in token order
    (the rules' own start among them, shift 0), or ``[]`` when the content does not start on a
    token after the cue in its sentence. Deterministic: same parse, same options and features."""
    sent, doc = cue.sent, cue.doc
    first = _token_at(sent, start)
    if first is None or first.i <= cue.i:
        return []
    out = []
    for shift in SHIFTS:
        i = first.i + shift
        if i <= cue.i or i >= sent.end:
            continue
        tok = doc[i]
        if tok.idx >= end:
            break
        if tok.is_space or (tok.is_punct and not tok.is_quote):
            continue  # a content starts on a word or its opening quotation mark
        out.append(StartOption(shift, tok.idx, _features(doc, cue, first.i, i, shift)))
    return out


def _features(doc: Any, cue: Any, first: int, i: int, shift: int) -> list[str]:
    """Feature strings of starting at token ``i`` instead of token ``first``."""
    tok, prev = doc[i], doc[i - 1]
    feats = [f"k={shift}", f"cue={cue.lemma_}|k={shift}"]
    kind = "skip" if shift > 0 else "add"
    for j, moved in enumerate(doc[first:i] if shift > 0 else doc[i:first]):
        word = moved.lemma_.lower()
        feats += [f"{kind}:w={word}", f"{kind}:pos={moved.pos_}", f"{kind}:dep={moved.dep_}",
                  f"{kind}:pd={moved.pos_}|{moved.dep_}", f"{kind}:hc={moved.head.i == cue.i}|{moved.dep_}",
                  f"{kind}:hh={moved.head.dep_}|{moved.dep_}"]
        if j == 0:
            feats += [f"{kind}0:cw={cue.lemma_}|{word}", f"{kind}0:w={word}"]
    feats += [f"at:pos={tok.pos_}", f"at:dep={tok.dep_}", f"at:w={tok.lower_}",
              f"at:hc={tok.head.i == cue.i}|{tok.dep_}", f"at:q={tok.is_quote}", f"at:hd={tok.head.dep_}|{tok.dep_}",
              f"prev:w={prev.lower_}", f"prev:pos={prev.pos_}", f"prev:dep={prev.dep_}", f"pa={prev.pos_}|{tok.pos_}",
              f"prevcue={prev.i == cue.i}"]
    return feats


def _token_at(sent: Any, start: int) -> Any | None:
    """The token of ``sent`` starting at character ``start``, or None."""
    for tok in sent:
        if tok.idx == start:
            return tok
        if tok.idx > start:
            return None
    return None


def load_start_model(path: str | Path | None = None) -> ChoiceModel | None:
    """The model at ``path`` (default :data:`START_MODEL_PATH`), cached per path and process;
    None with a :class:`RuntimeWarning` when missing or unreadable (the rules' start is kept)."""
    return load_choice_model(START_MODEL_PATH if path is None else path, "content start model")
