"""A memoised stand-in for spaCy's ``attribute_ruler`` (part of the NLP stage's spaCy adapter).

The model's attribute ruler maps fine tags (and a few words and dependency
labels) to coarse part of speech, morphology and some lemmas, through a
token matcher: about a fifth of the stage's CPU on the parsed sentences.
Its single-token rules depend only on (lower-cased word, tag, dependency
label, is-space), so :class:`FastAttributes` works out what they set once
per such key, in the ruler's own order (a later rule wins, as in the ruler),
and applies the result with dictionary look-ups. Two-token rules ("there
is", "gon na") are matched directly.

Guarantee: the same annotation as the ruler's for every token (checked on
PolNeAR dev by ``tests/stages/test_attributes.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG

_KEY_ATTRS = [LOWER, TAG, DEP, IS_SPACE]
_SET_ATTRS = [POS, MORPH, LEMMA]
_Key = tuple[str, str, str, bool]
_FIELDS = {"LOWER": 0, "TAG": 1, "DEP": 2, "IS_SPACE": 3}
_Attrs = dict[str, str]


def _value_matches(want: Any, have: Any) -> bool:
    if not isinstance(want, dict):
        return bool(want == have)
    if "IN" in want and have not in want["IN"]:
        return False
    if "NOT_IN" in want and have in want["NOT_IN"]:
        return False
    return "REGEX" not in want or re.search(want["REGEX"], have) is not None


def _spec_matches(spec: dict[str, Any], key: _Key) -> bool:
    return all(_value_matches(want, key[_FIELDS[name]]) for name, want in spec.items())


def _required(spec: dict[str, Any], name: str) -> set[Any] | None:
    """The values field ``name`` must take for ``spec`` to match, or None when any may."""
    want = spec.get(name)
    if want is None or (isinstance(want, dict) and "IN" not in want):
        return None
    return set(want["IN"]) if isinstance(want, dict) else {want}


class FastAttributes:
    """Applies an attribute ruler's patterns (``ruler.patterns``) to parsed Docs, memoised per token key."""

    def __init__(self, patterns: Sequence[dict[str, Any]], vocab: Any) -> None:
        self.vocab = vocab
        self._single: list[tuple[dict[str, Any], _Attrs]] = []
        self._pairs: list[tuple[dict[str, Any], dict[str, Any], int, _Attrs]] = []
        for p in patterns:
            for pattern in p["patterns"]:
                if len(pattern) == 1:
                    self._single.append((pattern[0], p["attrs"]))
                elif len(pattern) == 2:
                    self._pairs.append((pattern[0], pattern[1], p.get("index", 0), p["attrs"]))
                else:
                    raise ValueError(f"attribute ruler pattern of {len(pattern)} tokens is not supported")
        self._memo: dict[tuple[int, ...], tuple[_Attrs, list[int], list[int]]] = {}
        # rules indexed by the tag or word they need (most need one): a new key checks only its own
        self._by_tag: dict[str, list[int]] = {}
        self._by_lower: dict[str, list[int]] = {}
        self._any: list[int] = []
        for k, (spec, _) in enumerate(self._single):
            tags, lowers = _required(spec, "TAG"), _required(spec, "LOWER")
            if tags is not None:
                for tag in tags:
                    self._by_tag.setdefault(tag, []).append(k)
            elif lowers is not None:
                for lower in lowers:
                    self._by_lower.setdefault(lower, []).append(k)
            else:
                self._any.append(k)

    def __call__(self, doc: Any) -> Any:
        if len(doc) == 0:
            return doc
        uniq, inverse = np.unique(doc.to_array(_KEY_ATTRS).reshape(len(doc), -1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        rows = [tuple(r) for r in uniq.tolist()]
        found = [self._memo.get(r) or self._learn(r) for r in rows]
        new = np.array([ints for _, ints, _ in found], dtype="uint64")[inverse]
        values = doc.to_array(_SET_ATTRS)
        changed = new != 0
        values[changed] = new[changed]
        doc.from_array(_SET_ATTRS, values)
        for u, (attrs, _, pairs) in enumerate(found):
            rare = {k: v for k, v in attrs.items() if k in ("TAG", "DEP")}
            if rare or pairs:
                for i in np.nonzero(inverse == u)[0].tolist():
                    _apply(doc[i], rare)
                    self._pair_rules(doc, i, pairs, rows, inverse)
        return doc

    def _pair_rules(self, doc: Any, i: int, pairs: list[int], rows: list[tuple[int, ...]],
                    inverse: np.ndarray) -> None:
        if i + 1 >= len(doc):
            return
        for p in pairs:
            _, second, index, attrs = self._pairs[p]
            if _spec_matches(second, self._strings(rows[inverse[i + 1]])):
                _apply(doc[i + index], attrs)

    def pipe(self, docs: Any, batch_size: int = 0) -> Any:
        """Like a spaCy component's ``pipe``: each Doc annotated in place, lazily."""
        for doc in docs:
            yield self(doc)

    def _strings(self, row: tuple[int, ...]) -> _Key:
        strings = self.vocab.strings
        return strings[row[0]], strings[row[1]], strings[row[2]], bool(row[3])

    def _learn(self, row: tuple[int, ...]) -> tuple[_Attrs, list[int], list[int]]:
        """What the single-token rules set for this key (a later rule wins), as strings and as
        (POS, MORPH, LEMMA) ids (0: unchanged), and which two-token rules it may start."""
        key = self._strings(row)
        merged: _Attrs = {}
        for k in sorted(self._by_tag.get(key[1], []) + self._by_lower.get(key[0], []) + self._any):
            spec, attrs = self._single[k]
            if _spec_matches(spec, key):
                merged.update(attrs)  # in the ruler's order: a later rule wins
        ints = [self.vocab.strings.add(merged["POS"]) if "POS" in merged else 0,
                self.vocab.morphology.add(merged["MORPH"]) if "MORPH" in merged else 0,
                self.vocab.strings.add(merged["LEMMA"]) if "LEMMA" in merged else 0]
        pairs = [k for k, (first, _, _, _) in enumerate(self._pairs) if _spec_matches(first, key)]
        self._memo[row] = (merged, ints, pairs)
        return self._memo[row]


def _apply(tok: Any, attrs: _Attrs) -> None:
    for name, value in attrs.items():
        if name == "POS":
            tok.pos_ = value
        elif name == "MORPH":
            tok.set_morph(value)
        elif name == "LEMMA":
            tok.lemma_ = value
        elif name == "TAG":
            tok.tag_ = value
        elif name == "DEP":
            tok.dep_ = value
