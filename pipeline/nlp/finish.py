"""From the drafts an article keeps to its claim records: the last steps, after scoring and folding.

Public API: :func:`finish_claims`. Neither the learned scorer nor the folding of
nested claims sees what happens here (the scorer was trained on the rules'
candidates and speakers): PolNeAR's content boundary (a word the cue selects
moves to the cue, :func:`pipeline.nlp.bounds.content_start`), a fallback speaker
for a cue the rules named no one for (:func:`pipeline.nlp.speakers.fallback_subject`),
the content's pieces around its own cue clause, then text order, ordinals, ids
and the entities inside each content.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.nlp import content as cn
from pipeline.nlp import spans
from pipeline.nlp.bounds import content_pieces, content_start
from pipeline.nlp.fold import Draft
from pipeline.nlp.speakers import SpeakerResolver, fallback_subject
from pipeline.records import Claim, Entity, Span, Speaker, claim_id

# A cue's dependents that belong to its clause, not to the content it interrupts (see _parts).
_CLAUSE_DEPS = frozenset({"nsubj", "agent"})
_AFTER_CUE_DEPS = frozenset({"npadvmod", "advmod", "prep"})
_ADDRESSEE_DEPS = frozenset({"dobj", "dative"})
_ADDRESSEE_MAX = 6  # tokens: "told a radio host", not a quotation parsed as the object


def finish_claims(doc: Any, resolver: SpeakerResolver, drafts: list[Draft], entities: Sequence[Entity],
                  article_id: str) -> list[Claim]:
    """The claims of ``doc``'s de-duplicated kept ``drafts``: boundaries, fallback speakers, pieces,
    in text order with ordinals ``0..n-1`` and ids ``claim_id(article_id, ordinal)``; deterministic."""
    return _claims(doc.text, _fill_speakers(doc, resolver, _bounded(drafts)), entities, article_id)


def _fill_speakers(doc: Any, resolver: SpeakerResolver, drafts: list[Draft]) -> list[Draft]:
    """``drafts`` with a fallback speaker for each cue the rules named no one for
    (:func:`pipeline.nlp.speakers.fallback_subject`). Done after scoring and folding, so
    neither sees it: the scorer was trained on the rules' speakers."""
    out = []
    for d in drafts:
        speaker = _fallback_speaker(doc, resolver, d) if d.speaker is None and d.tok is not None else None
        out.append(d if speaker is None else replace(d, speaker=speaker))
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


def _bounded(drafts: list[Draft]) -> list[Draft]:
    """The kept drafts with PolNeAR's content boundary (:func:`pipeline.nlp.bounds.content_start`),
    applied after scoring (the scorer sees the candidates it was trained on) and folding (which
    tests whether a cue lies inside a content as chosen); a draft keeps its span when the new
    one is another draft's."""
    spans = {(d.start, d.end) for d in drafts}
    out = []
    for d in drafts:
        start = d.start if d.tok is None else content_start(d.tok, d.start, d.end)
        if start != d.start and (start, d.end) not in spans:
            spans.add((start, d.end))
            d = replace(d, start=start)
        out.append(d)
    return out


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
    clause = [(d.cue.start, d.cue.end)] + ([(d.speaker.start, d.speaker.end)] if d.speaker is not None else [])
    if d.tok is not None:
        clause += [spans.char_range(d.tok.doc, cn.subtree_range(c)) for c in d.tok.children
                   if c.dep_ in _CLAUSE_DEPS or (c.i > d.tok.i and c.dep_ in _AFTER_CUE_DEPS)
                   or (c.i > d.tok.i and c.dep_ in _ADDRESSEE_DEPS and _addressee(c))]
    return tuple(Span(s, e, text[s:e]) for s, e in content_pieces(text, d.start, d.end, clause))


def _entities_inside(ents: list[Entity], starts: list[int], start: int, end: int) -> tuple[Entity, ...]:
    i = bisect.bisect_left(starts, start)
    out = []
    while i < len(ents) and ents[i].start < end:
        if ents[i].end <= end:
            out.append(ents[i])
        i += 1
    return tuple(out)
