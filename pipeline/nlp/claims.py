"""Attributed claims (who said, claimed, denied what) in a parsed article.

Public API: :data:`EXTRACTOR_VERSION` and :func:`extract_claims`. Works on any
spaCy-like ``Doc`` (``text``, ``sents``, tokens with ``idx``, ``lemma_``,
``pos_``, ``dep_``, ``head``, ``children``); spaCy itself is imported only by
``pipeline.stages.nlp``.

Guarantees of :func:`extract_claims`:

* claims are in text order (content start, then cue start); ``ordinal`` runs
  0..n-1 and ``id == claim_id(article_id, ordinal)``; same input, same output;
* every span (speaker, cue, content, sentence) has end-exclusive offsets into
  ``doc.text`` and ``span.text == doc.text[start:end]``;
* no two claims share the same content span;
* ``stance`` is ``"assert"`` or ``"deny"`` (see :mod:`pipeline.nlp.stance`);
* ``entities`` are those of the given entities lying wholly inside the content.

How: cue tokens come from a lexicon mined from PolNeAR train (Newell, Margolin
& Ruths, LREC 2018; see :mod:`pipeline.nlp.cues`); the content is the cue's
clausal complement (or the clause a parenthetical cue comments on, the object
of an attitude verb, the clause of a noun cue, the quotation next to a speech
verb, or the paragraph after "X said:"), kept inside the cue's paragraph and
widened to whole quotations and to quotations that continue it; the speaker is
the cue's subject, agent or possessor (see :mod:`pipeline.nlp.speakers`).
Headline "Name: claim" lines and dash-signed quotations are attributions too
(:mod:`pipeline.nlp.typographic`). Nested attributions fold into the outer
claim (PolNeAR convention) unless they have a speaker of their own.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.nlp import content as cn
from pipeline.nlp import typographic as typo
from pipeline.nlp.cues import cue_score, is_cue, load_lexicon
from pipeline.nlp.quotes import QuoteIndex
from pipeline.nlp.speakers import SpeakerResolver, noun_cue_subject, subject_of
from pipeline.nlp.stance import content_denies
from pipeline.nlp.stance import stance as stance_of
from pipeline.records import Claim, Cue, Entity, Span, Speaker, claim_id

EXTRACTOR_VERSION = "claims-1.1"

_SPEECH = frozenset({"say", "tell", "add", "write", "explain", "continue", "note", "ask", "reply", "respond"})
# Verbs that attribute without naming a source ("X is alleged to", "it is expected that").
_SOURCELESS = frozenset({"allege", "report", "expect", "believe", "say", "think", "consider", "rumor",
                         "claim", "suppose", "estimate", "project", "predict", "understand", "know",
                         "seem", "appear", "tell", "ask", "fear", "reportedly", "suspect", "accuse"})
_SOURCELESS_MIN = 0.7  # a speakerless claim needs a cue this reliable
_QUOTE_SHARE = 0.5  # share of content characters inside quotation marks for quote=True
_EDGE_CHARS = " \t\n,;:—–-"


@dataclass(slots=True)
class _Found:
    """A cue token with its kind: "verb", "noun" or "according"."""

    tok: Any
    kind: str


@dataclass(slots=True)
class _Draft:
    """A claim before ids are assigned."""

    tok: Any
    cue: Cue
    speaker: Speaker | None
    start: int
    end: int
    stance: str
    quote: bool
    sentence: Span


def extract_claims(doc: Any, entities: Sequence[Entity], article_id: str) -> list[Claim]:
    """All attributed claims of ``doc`` in text order (see the module doc for guarantees)."""
    text = doc.text
    lexicon = load_lexicon()
    quotes = QuoteIndex(text)
    resolver = SpeakerResolver(doc, entities)
    found = [f for sent in doc.sents for f in _cues_in(sent, lexicon)]
    cue_offsets = sorted(f.tok.idx for f in found)
    drafts: list[_Draft] = []
    for f in found:
        draft = _draft(doc, text, f, quotes, resolver, cue_offsets)
        if draft is not None:
            drafts.append(draft)
    drafts.extend(_typographic(text, quotes, resolver))
    drafts = _dedupe(drafts)
    drafts.sort(key=lambda d: (d.start, d.cue.start, d.end))
    ents = sorted(entities, key=lambda e: (e.start, e.end))
    starts = [e.start for e in ents]
    claims = []
    for i, d in enumerate(drafts):
        claims.append(Claim(
            id=claim_id(article_id, i), article_id=article_id, ordinal=i,
            speaker=d.speaker, cue=d.cue, content=Span(d.start, d.end, text[d.start:d.end]),
            stance=d.stance, quote=d.quote, sentence=d.sentence,
            entities=_entities_inside(ents, starts, d.start, d.end),
        ))
    return claims


def _cues_in(sent: Any, lexicon: dict) -> list[_Found]:
    """Cue tokens of one sentence, in order."""
    out = []
    for tok in sent:
        if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
            out.append(_Found(tok, "according"))
        elif is_cue(tok, lexicon):
            out.append(_Found(tok, "noun" if tok.pos_ in ("NOUN", "PROPN") else "verb"))
    return out


def _draft(doc: Any, text: str, f: _Found, quotes: QuoteIndex, resolver: SpeakerResolver,
           cue_offsets: list[int]) -> _Draft | None:
    """Build one claim draft for cue ``f``, or None when it has no content or reports nothing."""
    tok = f.tok
    if f.kind == "according":
        rng, subj = cn.according_content(tok), cn.according_source(tok)
    elif f.kind == "noun":
        rng, subj = cn.noun_content(tok), noun_cue_subject(tok)
    else:
        rng = cn.verb_content(tok) or cn.colon_content(tok)
        subj = subject_of(tok)
        adjacent = _adjacent_quote(doc, text, tok, quotes)
        if adjacent is not None and (rng is None or (
                tok.lemma_ in _SPEECH and subj is not None and subj.head is tok and adjacent[1] <= subj.i < tok.i
                and not quotes.overlapping(*_char_range(doc, rng)))):
            rng = adjacent  # '"...," X said as ...': the parse missed the quotation
    block = _colon_block(text, tok) if f.kind == "verb" else None
    if block is not None:
        start, end = block
    elif rng is None:
        return None
    else:
        start, end = _clip_to_paragraph(text, *_char_range(doc, rng), tok.idx)
    if start >= end:
        return None
    start, end = _widen_to_quotes(text, start, end, tok.idx, quotes, cue_offsets)
    content_text = text[start:end]
    stance = stance_of(tok, content_text)
    if stance is None:
        return None
    speaker = None
    if subj is not None and not (rng and subj.i in range(*rng) and quotes.region_at(subj.idx)):
        speaker = resolver.speaker(doc, text, subj)
    elif f.kind == "verb" and tok.lemma_ not in _SOURCELESS and cue_score(tok, load_lexicon()) < _SOURCELESS_MIN:
        return None  # "known as", "charged with": a participle, not an attribution
    sent = tok.sent
    return _Draft(
        tok=tok, cue=_cue(text, f), speaker=speaker, start=start, end=end, stance=stance,
        quote=quotes.inside(start, end) >= _QUOTE_SHARE * (end - start),
        sentence=Span(sent.start_char, sent.end_char, text[sent.start_char:sent.end_char]),
    )


def _typographic(text: str, quotes: QuoteIndex, resolver: SpeakerResolver) -> list[_Draft]:
    """Drafts for headline "Name: claim" lines and dash-signed quotations."""
    found = list(typo.signed_quotes(text, quotes))
    head = typo.headline_colon(text)
    if head is not None:
        found.insert(0, head)
    out = []
    for (ss, se), (cs, ce), (ts, te) in found:
        content = text[ts:te]
        sent_end = text.find("\n", max(se, te))
        sent_end = len(text) if sent_end < 0 else sent_end
        sent_start = text.rfind("\n", 0, min(ss, ts)) + 1
        out.append(_Draft(
            tok=None, cue=Cue(cs, ce, text[cs:ce], text[cs:ce]), speaker=resolver.speaker_at(text, ss, se),
            start=ts, end=te, stance="deny" if content_denies(content) else "assert",
            quote=quotes.inside(ts, te) >= _QUOTE_SHARE * (te - ts),
            sentence=Span(sent_start, sent_end, text[sent_start:sent_end]),
        ))
    return out


def _adjacent_quote(doc: Any, text: str, tok: Any, quotes: QuoteIndex) -> tuple[int, int] | None:
    """Token range of a quotation right next to the cue's clause ('X said, "..."' or '"...," X said').

    The quotation must start right after the cue or end shortly before it
    in the same sentence (or end the previous one), with no full stop between.
    """
    sent = tok.sent
    after = tok.idx + len(tok.text)
    while after < sent.end_char and text[after] in " ,:\n":
        after += 1
    region = quotes.region_at(after)
    if region is None:
        before = quotes.overlapping(max(sent.start_char - 3, 0), tok.idx)
        if before and before[-1][1] <= tok.idx and tok.idx - before[-1][1] <= 80:
            gap = text[before[-1][1]:tok.idx]
            region = None if ("." in gap or "\n" in gap) else before[-1]
    if region is None or region[0] <= tok.idx < region[1]:
        return None
    span = doc.char_span(region[0], region[1], alignment_mode="expand")
    return None if span is None or len(span) == 0 else (span.start, span.end)


def _colon_block(text: str, tok: Any) -> tuple[int, int] | None:
    """'X continued:' ending a paragraph: the content is the next paragraph."""
    after = tok.idx + len(tok.text)
    nl = text.find("\n", after)
    if nl < 0:
        return None
    tail = text[after:nl].strip()
    if not tail.endswith(":") or len(tail) > 60:
        return None
    start = nl
    while start < len(text) and text[start].isspace():
        start += 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return (start, end) if end > start else None


def _clip_to_paragraph(text: str, start: int, end: int, cue_at: int) -> tuple[int, int]:
    """Clip content to the cue's paragraph (a parse can run across a line break)."""
    para_start = text.rfind("\n", 0, cue_at) + 1
    para_end = text.find("\n", cue_at)
    para_end = len(text) if para_end < 0 else para_end
    start, end = max(start, para_start), min(end, para_end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _char_range(doc: Any, rng: tuple[int, int]) -> tuple[int, int]:
    first, last = doc[rng[0]], doc[rng[1] - 1]
    return first.idx, last.idx + len(last.text)


def _widen_to_quotes(text: str, start: int, end: int, cue_at: int, quotes: QuoteIndex,
                     cue_offsets: list[int]) -> tuple[int, int]:
    """Widen content to whole quotations it touches, then to quotations that continue it.

    A quotation continues the content when it follows in the same paragraph,
    separated only by the cue's own clause or punctuation, and no other cue
    attributes it (no other cue in the gap, none right after it).
    """
    for s, e in quotes.overlapping(start, end):
        if not (s <= cue_at < e):
            start, end = min(start, s), max(end, e)
    if not quotes.overlapping(start, end):
        return start, end
    while True:
        nxt = _next_quote(text, end, quotes)
        if nxt is None:
            return start, end
        gap = text[end:nxt[0]]
        own_clause = end <= cue_at < nxt[0]
        if not (own_clause or len(gap.strip(_EDGE_CHARS + ".")) == 0):
            return start, end
        if _count_between(cue_offsets, end, nxt[0]) > (1 if own_clause else 0):
            return start, end
        if _cue_after(text, nxt[1], cue_offsets):
            return start, end
        end = nxt[1]


def _next_quote(text: str, end: int, quotes: QuoteIndex) -> tuple[int, int] | None:
    """The next quotation starting after ``end`` in the same paragraph, within a short distance."""
    limit = min(len(text), end + 120)
    nl = text.find("\n", end, limit)
    limit = limit if nl < 0 else nl
    for s, e in quotes.overlapping(end, limit):
        if s >= end:
            return s, e
    return None


def _cue_after(text: str, end: int, cue_offsets: list[int]) -> bool:
    """Whether a cue follows the quotation ending at ``end`` in its sentence ('"..." she said')."""
    limit = min(len(text), end + 80)
    for stop in ("\n", ". ", "“", '"'):
        k = text.find(stop, end, limit)
        if k >= 0:
            limit = k
    return _count_between(cue_offsets, end, limit) > 0


def _count_between(offsets: list[int], start: int, end: int) -> int:
    return bisect.bisect_left(offsets, end) - bisect.bisect_left(offsets, start)


def _cue(text: str, f: _Found) -> Cue:
    """The cue span: the head word plus its particle ("pointed out") or "to" ("according to")."""
    tok = f.tok
    toks = [tok]
    for c in tok.children:
        if c.dep_ == "prt" or (f.kind == "according" and c.lower_ == "to"):
            toks.append(c)
    first, last = min(toks, key=lambda t: t.i), max(toks, key=lambda t: t.i)
    start, end = first.idx, last.idx + len(last.text)
    lemma = " ".join([tok.lemma_.lower()] + [t.lower_ for t in sorted(toks[1:], key=lambda t: t.i)])
    return Cue(start, end, text[start:end], "according to" if f.kind == "according" else lemma)


def _dedupe(drafts: list[_Draft]) -> list[_Draft]:
    """One draft per content span (the first cue wins); nested attributions folded into the outer one.

    A draft whose cue lies inside another draft's content is dropped (PolNeAR
    folds nested attributions into the outer content) unless it has a named
    speaker of its own, different from the outer one, and neither is a quotation.
    """
    seen: dict[tuple[int, int], _Draft] = {}
    for d in drafts:
        seen.setdefault((d.start, d.end), d)
    # outer claims first: a cue outside quotations, then the longer content
    order = sorted(seen.values(), key=lambda d: (d.quote, d.start - d.end))
    kept: list[_Draft] = []
    for b in order:
        if not any(_folds(a, b) for a in kept):
            kept.append(b)
    return kept


def _folds(a: _Draft, b: _Draft) -> bool:
    """Whether nested draft ``b`` (cue inside ``a``'s content) is part of what ``a`` reports."""
    if not (a.start <= b.cue.start < a.end):
        return False
    if b.speaker is None or b.quote or a.quote:
        return True
    own = (b.speaker.label is not None and _adverbial(b.tok)) or _possessed_noun(b.tok)
    return not own or (a.speaker is not None and a.speaker.canonical == b.speaker.canonical)


_ADVERBIAL_MARKS = frozenset({"after", "before", "when", "while", "as", "since", "because", "although",
                              "though", "until", "once", "whereas"})


def _possessed_noun(tok: Any) -> bool:
    """Whether the cue is a noun with its own possessor ("the mayor's claim that ...")."""
    return tok is not None and tok.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "poss" for c in tok.children)


def _adverbial(tok: Any) -> bool:
    """Whether the cue heads a clause of its own circumstances ("after Tehran rejected ..."), not content."""
    return tok is not None and any(c.dep_ in ("mark", "advmod") and c.lower_ in _ADVERBIAL_MARKS for c in tok.children)


def _entities_inside(ents: list[Entity], starts: list[int], start: int, end: int) -> tuple[Entity, ...]:
    i = bisect.bisect_left(starts, start)
    out = []
    while i < len(ents) and ents[i].start < end:
        if ents[i].end <= end:
            out.append(ents[i])
        i += 1
    return tuple(out)
