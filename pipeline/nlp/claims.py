"""Attributed claims (who said, claimed, denied what) in a parsed article.

Public API: :data:`EXTRACTOR_VERSION`, :func:`extract_claims`, and for the
scorer's training :func:`learned_candidates` (:class:`TrainingCandidate`) and
:func:`extract_claims_at` (one scoring, several thresholds). Works on any
spaCy-like ``Doc`` (``text``, ``sents``, tokens with ``idx``, ``lemma_``,
``pos_``, ``dep_``, ``head``, ``children``); spaCy itself is imported only by
``pipeline.nlp.spacy.parser``.

Guarantees of :func:`extract_claims`:

* claims are in text order (content start, then cue start); ``ordinal`` runs
  0..n-1 and ``id == claim_id(article_id, ordinal)``; same input, same output;
* every span (speaker, cue, content, sentence) has end-exclusive offsets into
  ``doc.text`` and ``span.text == doc.text[start:end]``;
* no two claims share the same content span;
* ``stance`` is ``"assert"`` or ``"deny"`` (see :mod:`pipeline.nlp.stance`);
* ``entities`` are those of the given entities lying wholly inside the content.
* ``content_parts`` is empty, or the content's two pieces around its own cue clause
  (:func:`pipeline.nlp.bounds.content_pieces`), inside ``content`` and covering its two ends.

How: cue candidates are the tokens the lexicon mined from PolNeAR train
knows (Newell, Margolin & Ruths, LREC 2018; see :mod:`pipeline.nlp.cues`);
for each, the rules propose a content -- the cue's clausal complement (or the
clause a parenthetical cue comments on, the object of an attitude verb, the
clause of a noun cue, the quotation next to a speech verb, or the paragraph
after "X said:"), kept inside the cue's paragraph and widened to whole
quotations and to quotations that continue it -- plus a few alternatives
(object, open complement, prepositional object, the quotations alone, the
content cut at a dash or comma, the sentence around a parenthetical cue, a
passive cue's subject, the quotation opening the next sentence;
:func:`pipeline.nlp.content.alternatives`).
A logistic scorer trained on PolNeAR train (:mod:`pipeline.nlp.cue_model`,
``scripts/train_claims.py``) keeps a cue token when one of its contents
reaches the model's threshold, and a content ranker trained with it picks
which content. Without the model file the rule path
runs instead: the lexicon's fixed precision threshold picks cues and the
rules' content is taken (a warning says so). The speaker is the cue's
subject, agent or possessor (see :mod:`pipeline.nlp.speakers`). After the
scorer, two learned choices trained on PolNeAR train refine what it kept:
where a content after its cue starts (:mod:`pipeline.nlp.start_model`) and
which noun phrase near the cue is the speaker (:mod:`pipeline.nlp.source_model`).
Headline "Name: claim" lines and dash-signed quotations are attributions too
(:mod:`pipeline.nlp.typographic`). Nested attributions fold into the outer
claim (PolNeAR convention) unless they have a speaker of their own, and a speaker who releases
or publishes a thing claims what it states (:mod:`pipeline.nlp.fold`).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from pipeline.nlp import content as cn
from pipeline.nlp import spans
from pipeline.nlp import typographic as typo
from pipeline.nlp.choice_model import ChoiceModel
from pipeline.nlp.claim_features import ClaimCandidate, CueFeatures, claim_features, token_features
from pipeline.nlp.cue_model import ClaimModel, load_claim_model
from pipeline.nlp.cues import CueEntry, cue_score, is_cue, load_lexicon
from pipeline.nlp.finish import finish_claims
from pipeline.nlp.fold import Draft, dedupe
from pipeline.nlp.marks import TokenMarks
from pipeline.nlp.quotes import QuoteIndex
from pipeline.nlp.source_model import load_source_model
from pipeline.nlp.speakers import SpeakerResolver, noun_cue_subject, subject_of
from pipeline.nlp.stance import content_denies
from pipeline.nlp.stance import stance as stance_of
from pipeline.nlp.start_model import load_start_model
from pipeline.records import Claim, Cue, Entity, Span, Speaker

EXTRACTOR_VERSION = "claims-2.2"

_SPEECH = frozenset({"say", "tell", "add", "write", "explain", "continue", "note", "ask", "reply", "respond"})
# Verbs that attribute without naming a source ("X is alleged to", "it is expected that").
_SOURCELESS = frozenset({"allege", "report", "expect", "believe", "say", "think", "consider", "rumor",
                         "claim", "suppose", "estimate", "project", "predict", "understand", "know",
                         "seem", "appear", "tell", "ask", "fear", "reportedly", "suspect", "accuse"})
_SOURCELESS_MIN = 0.7  # a speakerless claim needs a cue this reliable (rule path)
_QUOTE_SHARE = 0.5  # share of content characters inside quotation marks for quote=True
_CANDIDATE_POS = frozenset({"VERB", "AUX", "NOUN", "PROPN"})
_LEARNED_MIN = 0.02  # lexicon score a non-rule token needs to be a learned-path candidate
_DEFAULT: Any = object()
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})


@dataclass(slots=True)
class _Found:
    """A cue token with its kind: "verb", "noun" or "according"; ``rule`` when the rule lexicon takes it."""

    tok: Any
    kind: str
    rule: bool = True


@dataclass(frozen=True, slots=True)
class _Option:
    """One proposed content for a cue: a token range, or a character range (``chars`` wins), and
    the rule that proposed it."""

    tokens: tuple[int, int] | None
    chars: tuple[int, int] | None
    how: str


class _Context:
    """Per-article state shared by all candidates: text, quotations, speakers, candidates, rule-cue offsets."""

    def __init__(self, doc: Any, entities: Sequence[Entity], learned: bool) -> None:
        self.doc = doc
        self.text = doc.text
        self.learned = learned
        self.lexicon = load_lexicon()
        self.quotes = QuoteIndex(self.text)
        self.resolver = SpeakerResolver(doc, entities)
        self.found = [f for sent in doc.sents for f in _cues_in(sent, self.lexicon, learned)]
        self.cue_offsets = sorted(f.tok.idx for f in self.found if f.rule)
        self.rule_tokens = {f.tok.i for f in self.found if f.rule}
        self.marks = TokenMarks(doc)  # one per doc: the content rules' separator scans, once per sentence
        if learned:  # token start offsets and running count of subjects, to describe contents cheaply
            self.tok_starts = [t.idx for t in doc]
            self.subjects = list(accumulate((t.dep_ in _SUBJECT_DEPS for t in doc), initial=0))


def extract_claims(doc: Any, entities: Sequence[Entity], article_id: str,
                   *, model: ClaimModel | None = _DEFAULT, starts: ChoiceModel | None = _DEFAULT,
                   sources: ChoiceModel | None = _DEFAULT) -> list[Claim]:
    """All attributed claims of ``doc`` in text order (see the module doc for guarantees).

    ``model`` defaults to the shipped learned scorer (:func:`load_claim_model`); pass
    None to use the rule lexicon only (also the fallback when the file is missing).
    ``starts`` defaults to the shipped content start chooser (:func:`load_start_model`);
    None keeps the rules' content starts (what the scorer's training measures); ``sources`` the
    shipped speaker chooser (:func:`load_source_model`), None keeps the rules' speakers.
    """
    model = load_claim_model() if model is _DEFAULT else model
    starts = load_start_model() if starts is _DEFAULT else starts
    sources = load_source_model() if sources is _DEFAULT else sources
    if model is None:
        ctx = _Context(doc, entities, learned=False)
        drafts = _candidate_drafts(ctx) + _typographic(ctx.text, ctx.quotes, ctx.resolver)
        return finish_claims(ctx.doc, ctx.resolver, dedupe(drafts), entities, article_id, starts, sources)
    return extract_claims_at(doc, entities, article_id, model, [model.threshold], starts=starts, sources=sources)[0]


def extract_claims_at(doc: Any, entities: Sequence[Entity], article_id: str, model: ClaimModel,
                      thresholds: Sequence[float], *, starts: ChoiceModel | None = None,
                      sources: ChoiceModel | None = None) -> list[list[Claim]]:
    """``extract_claims`` with ``model`` at each of ``thresholds`` (the model's own one ignored),
    scoring the candidates once: the k-th list equals ``extract_claims(..., model=model_k,
    starts=starts, sources=sources)`` where ``model_k`` is ``model`` with threshold
    ``thresholds[k]`` (for choosing a threshold cheaply; the learned choices default to off here,
    as the scorer's training wants them)."""
    ctx = _Context(doc, entities, learned=True)
    drafts = _candidate_drafts(ctx)
    rows = _draft_features(ctx, drafts)
    probs, ranks = model.scores(rows)
    for d, p, r in zip(drafts, probs, ranks, strict=True):
        d.p, d.r = float(p), float(r)
    typographic = _typographic(ctx.text, ctx.quotes, ctx.resolver)
    return [finish_claims(ctx.doc, ctx.resolver, dedupe(_keep_likely(drafts, t) + typographic), entities, article_id,
                          starts, sources) for t in thresholds]


@dataclass(frozen=True, slots=True)
class TrainingCandidate:
    """One candidate claim of the learned path, as the scorer's training sees it.

    ``cue`` and ``speaker`` are as in :class:`~pipeline.records.Claim`;
    ``start``/``end`` are the content's character offsets into the text;
    ``features`` are the scorer's feature strings (:mod:`pipeline.nlp.claim_features`).
    """

    cue: Cue
    speaker: Speaker | None
    start: int
    end: int
    features: list[str]


def learned_candidates(doc: Any, entities: Sequence[Entity]) -> list[TrainingCandidate]:
    """Every candidate the learned path scores for ``doc``, in the order it scores them.

    Deterministic: the same parse gives the same candidates and features. Per
    cue token (every token the mined lexicon knows), the rules' content and
    the alternatives of :func:`pipeline.nlp.content.alternatives`.
    """
    ctx = _Context(doc, entities, learned=True)
    drafts = _candidate_drafts(ctx)
    return [TrainingCandidate(d.cue, d.speaker, d.start, d.end, feats)
            for d, feats in zip(drafts, _draft_features(ctx, drafts), strict=True)]


def _candidate_drafts(ctx: _Context) -> list[Draft]:
    """Claim drafts of every cue candidate, in text order, before scoring and de-duplication
    (learned path: each with its :class:`ClaimCandidate`; rule path: the rule lexicon's cues only)."""
    return [d for f in ctx.found for d in _drafts(ctx, f)]


def _draft_features(ctx: _Context, drafts: list[Draft]) -> list[list[str]]:
    """Feature strings of each learned-path draft (the cue token's features computed once per token)."""
    by_token: dict[int, CueFeatures] = {}
    rows = []
    for d in drafts:
        c = d.cand
        assert c is not None  # learned-path drafts always carry their candidate
        feats = by_token.get(c.tok.i)
        if feats is None:
            feats = token_features(c.tok, c.kind, c.rule_cue, ctx.text, ctx.quotes, ctx.lexicon,
                                   _governor(c.tok, ctx.rule_tokens))
            by_token[c.tok.i] = feats
        rows.append(claim_features(c, ctx.text, ctx.quotes, ctx.lexicon, feats, ctx.marks))
    return rows


def _governor(tok: Any, rule_tokens: set[int], depth: int = 6) -> str:
    """Dependency label of the branch by which the nearest rule cue above ``tok`` governs it, or "none"."""
    child = tok
    for _ in range(depth):
        head = child.head
        if head is child:
            return "none"
        if head.i in rule_tokens:
            return str(child.dep_)
        child = head
    return "none"


def _keep_likely(drafts: list[Draft], threshold: float) -> list[Draft]:
    """Per cue token whose best probability reaches ``threshold``, the content ranked highest
    (``r``; the first on ties; ``r`` is the probability itself when the model has no ranker)."""
    groups: dict[int, list[Draft]] = {}
    for d in drafts:
        groups.setdefault(d.tok.i, []).append(d)
    return [max(g, key=lambda d: d.r) for i, g in sorted(groups.items()) if max(d.p for d in g) >= threshold]


def _cues_in(sent: Any, lexicon: dict[str, CueEntry], learned: bool) -> list[_Found]:
    """Cue candidates of one sentence, in order (every lexicon word when ``learned``)."""
    out = []
    for tok in sent:
        if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
            out.append(_Found(tok, "according"))
            continue
        rule = is_cue(tok, lexicon)
        if rule or (learned and tok.pos_ in _CANDIDATE_POS and cue_score(tok, lexicon) >= _LEARNED_MIN):
            out.append(_Found(tok, "noun" if tok.pos_ in ("NOUN", "PROPN") else "verb", rule))
    return out


def _content(ctx: _Context, f: _Found) -> tuple[tuple[int, int] | None, Any, str]:
    """Token range of the content, the subject token and which rule chose the content."""
    tok, doc = f.tok, ctx.doc
    if f.kind == "according":
        return cn.according_content(tok), cn.according_source(tok), "according"
    if f.kind == "noun":
        return cn.noun_content(tok), noun_cue_subject(tok), "noun"
    rng, how = cn.verb_content(tok), "verb"
    if rng is None:
        rng, how = cn.colon_content(tok), "colon"
    subj = subject_of(tok)
    adjacent = spans.adjacent_quote(doc, ctx.text, tok, ctx.quotes)
    if adjacent is not None and (rng is None or (
            tok.lemma_ in _SPEECH and subj is not None and subj.head is tok and adjacent[1] <= subj.i < tok.i
            and not ctx.quotes.overlapping(*spans.char_range(doc, rng)))):
        rng, how = adjacent, "adjacent"  # '"...," X said as ...': the parse missed the quotation
    return rng, subj, how


def _drafts(ctx: _Context, f: _Found) -> list[Draft]:
    """Drafts for cue ``f``, distinct by content span: the rules' content first, then (learned path)
    the alternative contents, the quotations inside the rules' content and the quotation after it."""
    rng, subj, how = _content(ctx, f)
    block = spans.colon_block(ctx.text, f.tok) if f.kind == "verb" else None
    first = _draft(ctx, f, _Option(rng, block, "block" if block is not None else how), subj)
    options: list[_Option] = []
    if ctx.learned and f.kind != "according":
        options += [_Option(alt, None, alt_how) for alt, alt_how in cn.alternatives(f.tok, rng, ctx.marks)]
    if ctx.learned and first is not None:
        options += [_Option(None, chars, quote_how)
                    for chars, quote_how in spans.quote_options(ctx.text, f.tok, first.start, first.end, ctx.quotes)]
    drafts = [first] + [_draft(ctx, f, option, subj) for option in options]
    seen: set[tuple[int, int]] = set()
    out = []
    for d in drafts:
        if d is not None and (d.start, d.end) not in seen:
            seen.add((d.start, d.end))
            out.append(d)
    return out


def _draft(ctx: _Context, f: _Found, option: _Option, subj: Any) -> Draft | None:
    """One claim draft for cue ``f`` and one content option, or None when there is no content,
    the cue reports nothing (a negated speech verb) or, on the rule path, no one is named."""
    span = _content_span(ctx, f, option)
    if span is None:
        return None
    start, end = span
    stance = stance_of(f.tok, ctx.text[start:end])
    if stance is None:
        return None
    speaker = _speaker(ctx, subj, option.tokens)
    if speaker is None and not _may_be_anonymous(ctx, f):
        return None
    sent = f.tok.sent
    return Draft(
        tok=f.tok, cue=_cue(ctx.text, f), speaker=speaker, start=start, end=end, stance=stance,
        quote=ctx.quotes.inside(start, end) >= _QUOTE_SHARE * (end - start),
        sentence=Span(sent.start_char, sent.end_char, ctx.text[sent.start_char:sent.end_char]),
        cand=_scorer_input(ctx, f, option.how, subj if speaker is not None else None, start, end)
        if ctx.learned else None,
    )


def _content_span(ctx: _Context, f: _Found, option: _Option) -> tuple[int, int] | None:
    """Character span of a content option: kept in the cue's paragraph, widened to whole quotations."""
    if option.chars is not None:
        start, end = option.chars
    elif option.tokens is None:
        return None
    else:
        start, end = spans.clip_to_paragraph(ctx.text, *spans.char_range(ctx.doc, option.tokens), f.tok.idx)
    if start >= end:
        return None
    return spans.widen_to_quotes(ctx.text, start, end, f.tok.idx, ctx.quotes, ctx.cue_offsets)


def _speaker(ctx: _Context, subj: Any, tokens: tuple[int, int] | None) -> Speaker | None:
    """The speaker named by subject token ``subj``, unless the subject sits inside the quoted content."""
    if subj is None or (tokens and subj.i in range(*tokens) and ctx.quotes.region_at(subj.idx)):
        return None
    return ctx.resolver.speaker(ctx.doc, ctx.text, subj)


def _may_be_anonymous(ctx: _Context, f: _Found) -> bool:
    """Whether a cue without a speaker still attributes: always on the learned path (the scorer
    decides); on the rule path unless a verb cue is a participle ("known as", "charged with")."""
    return (ctx.learned or f.kind != "verb" or f.tok.lemma_ in _SOURCELESS
            or cue_score(f.tok, ctx.lexicon) >= _SOURCELESS_MIN)


def _scorer_input(ctx: _Context, f: _Found, how: str, subj: Any, start: int, end: int) -> ClaimCandidate:
    """What the learned scorer sees of a draft (see :mod:`pipeline.nlp.claim_features`)."""
    ent = None if subj is None else ctx.resolver.entity_at(subj.idx)
    first = bisect.bisect_right(ctx.tok_starts, start) - 1
    last = max(bisect.bisect_left(ctx.tok_starts, end) - 1, first)
    own = f.rule and start <= f.tok.idx < end
    return ClaimCandidate(f.tok, f.kind, how, subj, None if ent is None else ent.label, start, end, f.rule,
                          ctx.doc[first], ctx.doc[last], ctx.subjects[last + 1] - ctx.subjects[first],
                          spans.count_between(ctx.cue_offsets, start, end) - own)


def _typographic(text: str, quotes: QuoteIndex, resolver: SpeakerResolver) -> list[Draft]:
    """Drafts for headline "Name: claim" lines, dash-signed quotations and transcript turns."""
    found = list(typo.signed_quotes(text, quotes)) + typo.transcript_turns(text)
    head = typo.headline_colon(text)
    if head is not None:
        found.insert(0, head)
    out = []
    for (ss, se), (cs, ce), (ts, te) in found:
        content = text[ts:te]
        sent_end = text.find("\n", max(se, te))
        sent_end = len(text) if sent_end < 0 else sent_end
        sent_start = text.rfind("\n", 0, min(ss, ts)) + 1
        out.append(Draft(
            tok=None, cue=Cue(cs, ce, text[cs:ce], text[cs:ce]), speaker=resolver.speaker_at(text, ss, se),
            start=ts, end=te, stance="deny" if content_denies(content) else "assert",
            quote=quotes.inside(ts, te) >= _QUOTE_SHARE * (te - ts),
            sentence=Span(sent_start, sent_end, text[sent_start:sent_end]),
        ))
    return out


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
