"""Features of a candidate claim (a cue token plus the content and speaker the rules found for it).

Used by the learned cue/claim scorer (:mod:`pipeline.nlp.cue_model`) both at
extraction time and by ``scripts/train_claims.py``, so training and use see the
same features. Works on spaCy-like tokens; no spaCy import.

Guarantees: :func:`claim_features` is a pure function of its arguments (same
parse, same features, in the same order); features are short strings built
from lemmas, part-of-speech tags, dependency labels, entity labels and
bucketed numbers only; :func:`hash_features` maps them to indices in
``[0, dim)`` with CRC-32, which is stable across processes and platforms
(unlike Python's salted ``hash``).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.nlp.cues import CueEntry, cue_key, frame
from pipeline.nlp.marks import TokenMarks
from pipeline.nlp.quotes import QuoteIndex

_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "you", "who", "that", "this", "which"})
_CHILD_WORD_DEPS = frozenset({"prep", "mark", "prt", "agent", "dative"})
_CLOSED_POS = frozenset({"SCONJ", "ADP", "PART", "DET", "PRON", "PUNCT", "CCONJ", "AUX"})
_TAIL_POS = _CLOSED_POS | {"ADV"}
_ARG_WORD_DEPS = frozenset({"prep", "advmod", "npadvmod", "agent", "dative"})
_SEPARATORS = frozenset({",", ";", "—", "–", "--", "-"})
_LEMMA_CHILD_DEPS = frozenset({"xcomp", "dobj", "ccomp", "attr", "acomp", "advcl", "pobj"})


@dataclass(slots=True)
class ClaimCandidate:
    """What the rules found for one cue token: how the content was chosen, its range, the subject."""

    tok: Any
    kind: str  # "verb", "noun" or "according"
    how: str  # which rule chose the content ("comp", "paren", "adjacent", "block", ...)
    subj: Any | None  # the subject token, or None
    subj_label: str | None  # entity label of the subject, when it is inside an entity
    start: int
    end: int
    rule_cue: bool  # whether the fixed-threshold lexicon rule takes the token as a cue
    first: Any = None  # first and last token of the content
    last: Any = None
    n_subjects: int = 0  # subjects (nsubj, nsubjpass, csubj, expl) inside the content
    n_cues: int = 0  # other rule cues inside the content (another attribution swallowed?)


@dataclass(frozen=True, slots=True)
class CueFeatures:
    """Features of a cue token alone, with the lexicon key and frame the content features combine with."""

    key: str
    frame: str
    strings: list[str]


def claim_features(c: ClaimCandidate, text: str, quotes: QuoteIndex, lexicon: dict[str, CueEntry],
                   cue_feats: CueFeatures | None = None, marks: TokenMarks | None = None) -> list[str]:
    """Feature strings of candidate ``c`` (deterministic; see the module doc).

    ``cue_feats`` may pass :func:`token_features` of ``c.tok`` computed once
    for all the contents proposed for one cue; ``marks``, one per doc, keeps
    the scan for a comment clause linear per sentence.
    """
    if cue_feats is None:
        cue_feats = token_features(c.tok, c.kind, c.rule_cue, text, quotes, lexicon)
    return cue_feats.strings + content_features(c, quotes, cue_feats.key, cue_feats.frame, marks)


def token_features(tok: Any, kind: str, rule_cue: bool, text: str, quotes: QuoteIndex,
                   lexicon: dict[str, CueEntry], governor: str = "none") -> CueFeatures:
    """Features of the cue token alone.

    ``governor`` tells whether a rule cue governs the token: the dependency label of
    the branch it hangs on ("ccomp" for "said [that X claimed ...]"), or "none".
    """
    key = cue_key(tok)
    fr = frame(tok) if kind != "according" else "acc"
    feats = [f"k={kind}", f"lk={key}", f"lkf={key}|{fr}", f"f={fr}", f"tag={tok.tag_}", f"lktag={key}|{tok.tag_}",
             f"dep={tok.dep_}", f"lkdep={key}|{tok.dep_}"]
    feats += [f"gov={governor}", f"lkgov={key}|{governor}"]
    feats += _context(tok, key, text, quotes)
    feats += _children(tok, key)
    return CueFeatures(key, fr, feats)


def content_features(c: ClaimCandidate, quotes: QuoteIndex, key: str, fr: str,
                     marks: TokenMarks | None = None) -> list[str]:
    """Features of the proposed content and speaker, alone and combined with the cue's key and frame."""
    rel = _relation(c, c.tok)
    subj = _subject_type(c)
    qshare = _quote_bucket(quotes, c.start, c.end)
    clen = _length_bucket(c.end - c.start)
    return [f"how={c.how}", f"lkhow={key}|{c.how}", f"fhow={fr}|{c.how}", f"rel={rel}", f"lkrel={key}|{rel}",
            f"subj={subj}", f"lksubj={key}|{subj}", f"howsubj={c.how}|{subj}", f"q={qshare}",
            f"howq={c.how}|{qshare}", f"clen={clen}", f"howlen={c.how}|{clen}",
            f"lkhowlen={key}|{c.how}|{clen}", f"howrel={c.how}|{rel}"] + _edges(c, key, marks)


def _edges(c: ClaimCandidate, key: str, marks: TokenMarks | None) -> list[str]:
    """How the content starts and ends, and whether it holds a clause (a subject)."""
    if c.first is None:
        return []
    first, last = c.first, c.last
    word = first.lower_ if first.pos_ in _CLOSED_POS else first.pos_
    clause = "0" if c.n_subjects == 0 else "1" if c.n_subjects == 1 else "2+"
    return [f"c0={word}", f"c0dep={first.dep_}", f"howc0={c.how}|{word}", f"lkc0={key}|{word}",
            f"cN={last.pos_}", f"cNw={last.lower_ if last.pos_ == 'PUNCT' else ''}", f"clause={clause}",
            f"howclause={c.how}|{clause}", f"lkclause={key}|{clause}", f"c0inside={first.head.i == c.tok.i}",
            f"ncue={min(c.n_cues, 2)}", f"howncue={c.how}|{min(c.n_cues, 2)}"] + _boundary(c, marks or TokenMarks(c.first.doc)) + _arguments(c, key)


def _arguments(c: ClaimCandidate, key: str) -> list[str]:
    """Which dependents right of the cue the content takes in ("in") and leaves out ("out"),
    by label and, for prepositions and adverbs, word ("obj in, prep:in out": circumstances cut off)."""
    out = []
    lo, hi = c.first.i, c.last.i
    for ch in c.tok.rights:
        if ch.dep_ == "punct":
            continue
        dep = f"{ch.dep_}:{ch.lower_}" if ch.dep_ in _ARG_WORD_DEPS else ch.dep_
        side = "in" if lo <= ch.left_edge.i and ch.right_edge.i <= hi else "out" if ch.i < lo or ch.i > hi else "part"
        out += [f"arg={side}|{dep}", f"lkarg={key}|{side}|{dep}", f"howarg={c.how}|{side}|{dep}"]
    return out


def _opens_comment(doc: Any, i: int) -> bool:
    """A separator followed by a closed-class word or an adverb (", which", "; but")."""
    return doc[i].text in _SEPARATORS and i + 1 < len(doc) and doc[i + 1].pos_ in _TAIL_POS


def _boundary(c: ClaimCandidate, marks: TokenMarks) -> list[str]:
    """What follows the content ("," + "which": a comment clause was cut off; "." : it runs to the end)
    and the first comment clause the content itself carries (", which ..."), with the rule's name."""
    last = c.last
    doc = last.doc
    nxt = [doc[i] for i in range(last.i + 1, min(last.i + 3, len(doc)))]
    words = [_word(t) for t in nxt] + ["END"] * (2 - len(nxt))
    if nxt and marks.sentence(nxt[0].i)[0] != marks.sentence(last.i)[0]:
        words = ["EOS", ""]
    i = marks.first(_opens_comment, c.first.i + 2, last.i)
    tail = "none" if i is None else doc[i + 1].lower_
    return [f"nx={words[0]}", f"hownx={c.how}|{words[0]}", f"hownx2={c.how}|{words[0]}|{words[1]}",
            f"tl={tail}", f"howtl={c.how}|{tail}"]


def _word(tok: Any) -> str:
    """A closed-class word or punctuation as itself, anything else as its part of speech."""
    word: str = tok.lower_ if tok.pos_ in _CLOSED_POS or tok.pos_ == "ADV" else tok.pos_  # spaCy's strings
    return word


def _context(tok: Any, key: str, text: str, quotes: QuoteIndex) -> list[str]:
    """Head, position and quotation features of the cue token."""
    head = tok.head
    sent = tok.sent
    in_quote = quotes.region_at(tok.idx) is not None
    sent_quote = bool(quotes.overlapping(sent.start_char, sent.end_char))
    pos = "first" if tok.i == sent.start else str(min(4, 5 * (tok.i - sent.start) // max(len(sent), 1)))
    out = [f"inq={in_quote}", f"sentq={sent_quote}", f"lksentq={key}|{sent_quote}", f"pos={pos}",
           f"para0={text.rfind(chr(10), 0, tok.idx) < 0}"]
    if head is not tok:
        out += [f"hl={head.lemma_.lower()}", f"hpos={head.pos_}", f"lkhpos={key}|{head.pos_}",
                f"hdep={head.dep_}", f"lkhl={key}|{head.lemma_.lower()}"]
    else:
        out.append("root")
    return out


def _children(tok: Any, key: str) -> list[str]:
    """Dependency labels of the cue's children, with words of prepositions/markers and lemmas of complements."""
    out = []
    for ch in tok.children:
        dep = ch.dep_
        out.append(f"cd={dep}")
        out.append(f"lkcd={key}|{dep}")
        if dep in _CHILD_WORD_DEPS:
            out.append(f"lkcw={key}|{dep}|{ch.lower_}")
        elif dep in _LEMMA_CHILD_DEPS:
            out.append(f"lkcl={key}|{dep}|{ch.lemma_.lower()}")
        if dep == "ccomp":
            for g in ch.children:
                if g.dep_ == "mark":
                    out.append(f"cmark={g.lower_}")
        if dep == "neg":
            out.append("neg")
    return out


def _relation(c: ClaimCandidate, tok: Any) -> str:
    if c.end <= tok.idx:
        return "before"
    if c.start >= tok.idx + len(tok.text):
        return "after"
    return "around"


def _subject_type(c: ClaimCandidate) -> str:
    subj = c.subj
    if subj is None:
        return "none"
    if subj.pos_ == "PRON":
        w = subj.lower_
        return "pron_" + (w if w in _PRONOUNS else "other")
    if c.subj_label is not None:
        return "ent_" + c.subj_label
    if subj.pos_ == "NOUN":
        return "noun_" + str(subj.lemma_).lower()
    pos: str = subj.pos_  # spaCy's string
    return pos


def _quote_bucket(quotes: QuoteIndex, start: int, end: int) -> str:
    share = quotes.inside(start, end) / max(end - start, 1)
    return "0" if share == 0 else "all" if share >= 0.95 else "most" if share >= 0.5 else "some"


def _length_bucket(n_chars: int) -> int:
    return min(8, int(math.log2(max(n_chars, 1) / 8 + 1)))


def hash_features(feats: list[str], dim: int) -> np.ndarray:
    """Indices in ``[0, dim)`` of the feature strings (CRC-32; ``dim`` a power of two)."""
    mask = dim - 1
    return np.fromiter((zlib.crc32(f.encode("utf-8")) & mask for f in feats), dtype=np.int64, count=len(feats))
