"""From the drafts an article keeps to its claim records: the last steps, after scoring and folding.

Public API: :func:`finish_claims`. Neither the learned scorer nor the folding of
nested claims sees what happens here (the scorer was trained on the rules'
candidates and speakers): a raising verb's subject joins its content
(:func:`pipeline.nlp.bounds.raised_subject`), PolNeAR's content boundary (a word the
cue selects moves to the cue, :func:`pipeline.nlp.bounds.content_start`, then the
learned start, :func:`pipeline.nlp.start_model.refined_start`), a fallback speaker
for a cue the rules named no one for (:func:`pipeline.nlp.speakers.fallback_subject`),
the learned speaker (:func:`pipeline.nlp.source_model.refined_speaker_head`), the
content's pieces around its own cue clause, then text order, ordinals, ids and the
entities inside each content.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.nlp import content as cn
from pipeline.nlp import spans
from pipeline.nlp.bounds import content_pieces, content_start, raised_subject
from pipeline.nlp.choice_model import ChoiceModel
from pipeline.nlp.cues import is_cue, load_lexicon
from pipeline.nlp.fold import Draft
from pipeline.nlp.source_model import refined_speaker_head
from pipeline.nlp.speakers import SpeakerResolver, fallback_subject
from pipeline.nlp.start_model import refined_start
from pipeline.records import Claim, Cue, Entity, Span, Speaker, claim_id

# A cue's dependents that belong to its clause, not to the content it interrupts (see _parts).
_CLAUSE_DEPS = frozenset({"nsubj", "agent"})
_VERB_GROUP_DEPS = frozenset({"aux", "auxpass"})  # "are expected": the cue's verb group
_AFTER_CUE_DEPS = frozenset({"npadvmod", "advmod", "prep"})
_ADDRESSEE_DEPS = frozenset({"dobj", "dative"})
_OPENING_QUOTES = frozenset("\"'“‘«")
_ADDRESSEE_MAX = 6  # tokens: "told a radio host", not a quotation parsed as the object


def finish_claims(doc: Any, resolver: SpeakerResolver, drafts: list[Draft], entities: Sequence[Entity],
                  article_id: str, starts: ChoiceModel | None = None,
                  sources: ChoiceModel | None = None) -> list[Claim]:
    """The claims of ``doc``'s de-duplicated kept ``drafts``: boundaries (with ``starts``, the learned
    start of a content after its cue, :func:`pipeline.nlp.start_model.refined_start`), fallback
    speakers, the learned speaker (with ``sources``, :func:`pipeline.nlp.source_model.refined_speaker_head`),
    pieces, in text order with ordinals ``0..n-1`` and ids ``claim_id(article_id, ordinal)``;
    deterministic."""
    drafts = _fill_speakers(doc, resolver, _bounded(_raised(drafts), starts))
    return _claims(doc.text, _chosen_speakers(doc, resolver, drafts, sources), entities, article_id)


def _fill_speakers(doc: Any, resolver: SpeakerResolver, drafts: list[Draft]) -> list[Draft]:
    """``drafts`` with a fallback speaker for each cue the rules named no one for
    (:func:`pipeline.nlp.speakers.fallback_subject`). Done after scoring and folding, so
    neither sees it: the scorer was trained on the rules' speakers."""
    out = []
    for d in drafts:
        speaker = (_fallback_speaker(doc, resolver, d) if d.speaker is None and d.tok is not None
                   and d.clause is None else None)
        out.append(d if speaker is None else replace(d, speaker=speaker))
    return out


def _chosen_speakers(doc: Any, resolver: SpeakerResolver, drafts: list[Draft],
                     sources: ChoiceModel | None) -> list[Draft]:
    """``drafts`` with the speaker ``sources`` picks in place of the rules' one, where a cue token
    and a speaker exist (the rules' head is one of the options; no speaker is added, and none whose
    noun phrase runs into the content replaces the rules')."""
    if sources is None:
        return drafts
    out = []
    for d in drafts:
        span = None if d.tok is None or d.speaker is None else doc.char_span(
            d.speaker.start, d.speaker.end, alignment_mode="expand")
        if span is not None and len(span):
            head = refined_speaker_head(sources, d.tok, d.start, d.end, span.root)
            speaker = resolver.speaker(doc, doc.text, head) if head.i != span.root.i else None
            if speaker is not None and not (speaker.start < d.end and d.start < speaker.end):
                d = replace(d, speaker=speaker)
        out.append(d)
    return out


def _fallback_speaker(doc: Any, resolver: SpeakerResolver, d: Draft) -> Speaker | None:
    """The fallback speaker of draft ``d``, its span outside the content."""
    head = fallback_subject(d.tok, d.start, d.end, resolver.named)
    if head is None:
        return None
    speaker = resolver.speaker(doc, doc.text, head)
    if speaker.start < d.end and d.start < speaker.end:
        # the noun phrase runs into the content ("X calls for ..." parsed as one phrase): its head alone
        return resolver.speaker_at(doc.text, head.idx, head.idx + len(head.text))
    return speaker


def _raised(drafts: list[Draft]) -> list[Draft]:
    """The drafts of raising cues with their subject in the content and no speaker
    (:func:`pipeline.nlp.bounds.raised_subject`: "Obama is expected to join Clinton" reports
    "Obama ... to join Clinton"), unless the widened span is another draft's."""
    spans = {(d.start, d.end) for d in drafts}
    out = []
    for d in drafts:
        found = None if d.tok is None else raised_subject(d.tok, d.start, _reports)
        if found is not None and (found[0][0], d.end) not in spans:
            spans.add((found[0][0], d.end))
            d = replace(d, start=found[0][0], speaker=None, clause=found[1])
        out.append(d)
    return out


def _reports(tok: Any) -> bool:
    """Whether the rule lexicon takes ``tok`` for a cue (a raised subject is that cue's speaker)."""
    return is_cue(tok, load_lexicon())


def _bounded(drafts: list[Draft], starts: ChoiceModel | None) -> list[Draft]:
    """The kept drafts with PolNeAR's content boundary (:func:`pipeline.nlp.bounds.content_start`,
    then the learned :func:`pipeline.nlp.start_model.refined_start` from there), applied after
    scoring (the scorer sees the candidates it was trained on) and folding (which tests whether a
    cue lies inside a content as chosen); a draft keeps its span when the new one is another
    draft's. The words a content gives up join its cue when they follow it ("continued to
    question", "expressed doubt"), as PolNeAR marks the cue."""
    spans = {(d.start, d.end) for d in drafts}
    out = []
    for d in drafts:
        start = d.start if d.tok is None else refined_start(starts, d.tok, content_start(d.tok, d.start, d.end), d.end)
        if start != d.start and (start, d.end) not in spans:
            spans.add((start, d.end))
            d = replace(d, start=start, cue=_cue_through(d.tok.doc.text, d.cue, d.start, start))
        out.append(d)
    return out


def _cue_through(text: str, cue: Cue, old_start: int, new_start: int) -> Cue:
    """``cue`` extended over the words from ``old_start`` to ``new_start`` when the content it gave
    them up from followed the cue directly (only spaces between); else ``cue`` itself."""
    if not cue.end <= old_start < new_start or text[cue.end:old_start].strip():
        return cue
    end = len(text[:new_start].rstrip())
    return Cue(cue.start, end, text[cue.start:end], cue.lemma)


def _claims(text: str, drafts: list[Draft], entities: Sequence[Entity], article_id: str) -> list[Claim]:
    """The final claims of de-duplicated drafts: text order, ordinals and ids, entities inside."""
    drafts = sorted(drafts, key=lambda d: (d.start, d.cue.start, d.end))
    ents = sorted(entities, key=lambda e: (e.start, e.end))
    starts = [e.start for e in ents]
    return [Claim(id=claim_id(article_id, i), article_id=article_id, ordinal=i,
                  speaker=d.speaker, cue=d.cue, content=Span(d.start, d.end, text[d.start:d.end]),
                  stance=d.stance, quote=d.quote, sentence=d.sentence,
                  entities=_entities_inside(ents, starts, d.start, d.end), content_parts=_parts(text, d))
            for i, d in enumerate(drafts)]


def _addressee(tok: Any) -> bool:
    """Whether an object of the cue is short and unquoted: whom it was said to ("told a radio host")."""
    s, e = cn.subtree_range(tok)
    return e - s <= _ADDRESSEE_MAX and not any(t.is_quote for t in tok.doc[s:e])


def _parts(text: str, d: Draft) -> tuple[Span, ...]:
    """The content's pieces around its own cue clause (:func:`pipeline.nlp.bounds.content_pieces`):
    the cue, the speaker with its subject phrase ("said Ann Lee, a spokeswoman") and the saying's
    circumstances after the cue ("he said in a statement")."""
    if d.clause is not None:  # a raising cue: its subject, then its complement
        return tuple(Span(s, e, text[s:e]) for s, e in content_pieces(text, d.start, d.end, [d.clause]))
    clause = [(d.cue.start, d.cue.end)] + ([(d.speaker.start, d.speaker.end)] if d.speaker is not None else [])
    if d.tok is not None:
        clause += [spans.char_range(d.tok.doc, cn.subtree_range(c)) for c in d.tok.children
                   if c.dep_ in _CLAUSE_DEPS or (c.i > d.tok.i and c.dep_ in _AFTER_CUE_DEPS)
                   or (c.i < d.tok.i and c.dep_ in _VERB_GROUP_DEPS)
                   or (c.i > d.tok.i and c.dep_ in _ADDRESSEE_DEPS and _addressee(c))]
        clause += _rest_of_sentence(text, d)
    return tuple(Span(s, e, text[s:e]) for s, e in content_pieces(text, d.start, d.end, clause))


def _rest_of_sentence(text: str, d: Draft) -> list[tuple[int, int]]:
    """The rest of the cue's sentence when the content resumes with a quotation in a later one
    ('"Q1," he said, drawing cheers. "Q2"': the circumstances are the cue clause's, not Q2's)."""
    sent_end = d.tok.sent.end_char
    if not d.cue.end <= sent_end < d.end or any(ch in _OPENING_QUOTES or ch in "”’»" for ch in text[d.cue.end:sent_end]):
        return []
    resume = len(text) - len(text[sent_end:].lstrip())
    return [(d.cue.end, sent_end)] if resume < d.end and text[resume] in _OPENING_QUOTES else []


def _entities_inside(ents: list[Entity], starts: list[int], start: int, end: int) -> tuple[Entity, ...]:
    i = bisect.bisect_left(starts, start)
    out = []
    while i < len(ents) and ents[i].start < end:
        if ents[i].end <= end:
            out.append(ents[i])
        i += 1
    return tuple(out)
