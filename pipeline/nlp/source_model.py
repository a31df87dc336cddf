"""Who a claim's speaker is: a learned choice among the noun phrases near its cue.

Public API: :data:`SOURCE_MODEL_PATH`, :func:`speaker_options`, :func:`refined_speaker_head`,
:func:`load_source_model`.

The rules (:mod:`pipeline.nlp.speakers`) name the cue's subject, agent or possessor, and a
fallback when there is none; they are right about 95 % of the time on PolNeAR train. A
conditional logit (:class:`pipeline.nlp.choice_model.ChoiceModel`) over the heads of the noun
phrases of the cue's sentence outside the content (the rules' head always among them) picks
the speaker from each head's part of speech, dependency, entity label, side of and distance to
the cue, the dependency path between them and how it relates to the rules' head. Trained on
PolNeAR train (Newell, Margolin & Ruths, LREC 2018) by ``scripts/train_sources.py``; it keeps
the rules' head unless another scores higher, and never names a speaker where the rules named none.
Works on spaCy-like tokens; no spaCy import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.nlp.choice_model import ChoiceModel, load_choice_model

SOURCE_MODEL_PATH = Path(__file__).with_name("data") / "source_model.npz"
_NOUNY = frozenset({"NOUN", "PROPN", "PRON"})
MAX_OPTIONS = 10  # the heads nearest the cue
_PATH_STEPS = 8


def refined_speaker_head(model: ChoiceModel | None, cue: Any, start: int, end: int, rule: Any) -> Any:
    """The speaker's head token ``model`` picks among :func:`speaker_options`, or ``rule`` (the
    rules' head) when there is no model. Guarantees: the result is ``rule`` or a noun, proper noun
    or pronoun of the cue's sentence outside the content ``[start, end)``, never the cue."""
    if model is None:
        return rule
    options = speaker_options(cue, start, end, rule)
    return options[model.best([f for _, f in options])][0]


def speaker_options(cue: Any, start: int, end: int, rule: Any) -> list[tuple[Any, list[str]]]:
    """(head token, feature strings) of each candidate speaker, in text order: the
    :data:`MAX_OPTIONS` noun heads of the cue's sentence nearest the cue, outside the content, the
    rules' head ``rule`` always among them. Deterministic: same parse, same options."""
    heads = [t for t in cue.sent if t.pos_ in _NOUNY and t.dep_ != "compound" and not start <= t.idx < end
             and t.i != cue.i and t.i != rule.i]
    heads = sorted(heads, key=lambda t: (abs(t.i - cue.i), t.i))[:MAX_OPTIONS - 1] + [rule]
    down = _ancestors(cue)  # the cue's side of every path, once
    where = {t.i: n for n, t in enumerate(down)}
    return [(t, _features(t, cue, rule, _path(t, down, where))) for t in sorted(heads, key=lambda t: t.i)]


def _features(tok: Any, cue: Any, rule: Any, path: str) -> list[str]:
    """Feature strings of ``tok`` as the speaker of ``cue``, the rules having said ``rule``."""
    side = "before" if tok.i < cue.i else "after"
    gap = abs(tok.i - cue.i)
    dist = "1" if gap <= 1 else "2-3" if gap <= 3 else "4-7" if gap <= 7 else "8+"
    is_rule = tok.i == rule.i
    relation = _relation(tok, rule)
    between = tok.doc[min(tok.i, cue.i):max(tok.i, cue.i)]
    return [f"rule={is_rule}", f"pos={tok.pos_}", f"dep={tok.dep_}", f"hd={tok.head.dep_}|{tok.dep_}",
            f"side={side}|{dist}", f"path={path}", f"path={path}|rule={is_rule}", f"ent={tok.ent_type_}",
            f"pron={tok.lower_ if tok.pos_ == 'PRON' else '-'}", f"cue={cue.lemma_}|{side}",
            f"headcue={tok.head.i == cue.i}|{tok.dep_}", f"rule={is_rule}|pos={tok.pos_}|{side}",
            f"inq={any(t.is_quote for t in between)}", f"hl={tok.head.lemma_}|{tok.dep_}", f"rr={relation}",
            f"rr={relation}|{tok.pos_}", f"ent={tok.ent_type_}|{side}|{dist}",
            f"subj={tok.dep_ in ('nsubj', 'nsubjpass')}|{tok.head.pos_}|{tok.head.i == cue.i}"]


def _ancestors(tok: Any) -> list[Any]:
    """``tok`` and its heads up to the root, at most :data:`_PATH_STEPS`."""
    out = [tok]
    while len(out) < _PATH_STEPS and out[-1].head is not out[-1]:
        out.append(out[-1].head)
    return out


def _path(tok: Any, down: list[Any], where: dict[int, int]) -> str:
    """The dependency path from ``tok`` up to the common ancestor, then down to the cue (whose
    :func:`_ancestors` are ``down``, their positions by token index ``where``)."""
    up = _ancestors(tok)
    for n, t in enumerate(up):
        if t.i in where:
            return "^".join(a.dep_ for a in up[:n][:4]) + "|" + "v".join(a.dep_ for a in down[:where[t.i]][:3])
    return "none"


def _relation(tok: Any, rule: Any) -> str:
    """How ``tok`` relates to the rules' head in the parse."""
    if tok.i == rule.i:
        return "self"
    if tok.head.i == rule.i:
        return f"child:{tok.dep_}"
    if rule.head.i == tok.i:
        return f"parent:{rule.dep_}"
    if tok.head.i == rule.head.i:
        return "sib"
    return "other:" + ("before" if tok.i < rule.i else "after")


def load_source_model(path: str | Path | None = None) -> ChoiceModel | None:
    """The model at ``path`` (default :data:`SOURCE_MODEL_PATH`), cached per path and process;
    None with a :class:`RuntimeWarning` when missing or unreadable (the rules' speaker is kept)."""
    return load_choice_model(SOURCE_MODEL_PATH if path is None else path, "speaker model")
