"""Speakers of attributed claims: find the span as written, resolve its canonical name.

Works on spaCy-like tokens; no spaCy import. Guarantees: a speaker span is a
contiguous run of tokens of the cue's sentence, its offsets are end-exclusive
offsets into the document text, and ``canonical`` is never empty.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.nlp.canonical import alias, clean_mention
from pipeline.records import Entity, Speaker

_SUBJ = ("nsubj", "nsubjpass", "csubj")
_CLIMB = frozenset({"advcl", "xcomp", "conj", "acl", "pcomp", "relcl", "ccomp", "dep"})
_REL_PRONOUNS = frozenset({"who", "that", "which", "whom"})
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
_THING_PRONOUNS = frozenset({"it", "its"})
_CUT_DEPS = frozenset({"appos", "relcl", "acl", "punct", "cc", "conj", "advmod", "npadvmod", "case"})
_MAX_CLIMB = 3
_NAME_DEPS = frozenset({"appos", "conj"})
_CONTRACTIONS = frozenset({"n't", "n’t", "'s", "’s", "not"})


def subject_of(cue: Any) -> Any | None:
    """The token that says the cue's content: subject, agent, possessor or the clause it hangs on.

    Climbs from participles and coordinated verbs ("..., saying", "and said", "after saying")
    to the verb whose subject they share; a passive cue without an agent has none.
    """
    tok = cue
    for _ in range(_MAX_CLIMB + 1):
        found = _direct_subject(tok)
        if found is not None:
            return found  # a relative "who" is kept as written; SpeakerResolver resolves it
        if any(c.dep_ == "nsubjpass" for c in tok.children):
            return None  # "X is alleged to ...": no one named
        if tok.dep_ == "relcl" and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head
        if tok.dep_ == "pcomp" and tok.head.dep_ == "prep" and tok.head.head is not tok.head:
            tok = tok.head.head  # "after saying X, she ...": the clause the preposition hangs on
            continue
        if tok.dep_ not in _CLIMB or tok.head is tok:
            return None
        tok = tok.head
    return None


def _direct_subject(tok: Any) -> Any | None:
    agent = None
    # a contraction the parser took for a subject ("didn’t" with a curly apostrophe) names no one, nor
    # does a subject in another paragraph (a heading the parse ran into)
    subjects = [c for c in tok.children if c.dep_ in ("nsubj", "csubj") and c.pos_ not in ("PART", "PUNCT")
                and c.lower_ not in _CONTRACTIONS and not _across_paragraphs(c, tok)]
    if subjects:  # a dateline can add a second subject: take the nearest
        return min(subjects, key=lambda c: abs(c.i - tok.i))
    for c in tok.children:
        if c.dep_ == "agent":
            agent = next((g for g in c.children if g.dep_ == "pobj"), None)
        if c.dep_ == "poss" and tok.pos_ in ("NOUN", "PROPN"):
            agent = agent or c
    return agent


def _across_paragraphs(a: Any, b: Any) -> bool:
    """Whether a line break separates tokens ``a`` and ``b``."""
    lo, hi = sorted((a.i, b.i))  # the text between them, from their tokens: Doc.text rebuilds all of it
    return any("\n" in t.text_with_ws for t in a.doc[lo:hi])


def noun_cue_subject(cue: Any) -> Any | None:
    """Speaker of a noun cue: its possessor ("his claim", resolved later), a "by" phrase,
    or else the subject of the verb the noun depends on ("he repeated the claim that ...")."""
    poss = next((c for c in cue.children if c.dep_ == "poss"), None)
    if poss is not None:
        return poss
    for c in cue.children:
        if c.dep_ == "prep" and c.lower_ in ("by", "from"):
            pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    head = cue.head
    for _ in range(_MAX_CLIMB):
        if head.pos_ in ("VERB", "AUX"):
            subj = _direct_subject(head)
            if subj is not None and subj.lower_ not in _REL_PRONOUNS:
                return subj
            return None
        if head.head is head:
            break
        head = head.head
    return None


def _named_apposition(head: Any) -> Any | None:
    """The proper noun in apposition after a common-noun speaker ("the club's treasurer, Carla Mendes"), or None."""
    if head.pos_ != "NOUN":
        return None
    return next((c for c in head.rights if c.dep_ in _NAME_DEPS and c.pos_ == "PROPN"), None)


def speaker_tokens(head: Any) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase headed by ``head``, cut before appositions and clauses."""
    start = head.left_edge.i
    end = head.i + 1
    for c in head.rights:
        if c.dep_ in _CUT_DEPS:
            break
        end = c.right_edge.i + 1
    # drop a leading punctuation or quotation token
    doc = head.doc
    while start < head.i and doc[start].is_punct:
        start += 1
    return start, end


class SpeakerResolver:
    """Resolves speaker spans of one article to canonical names (entities, aliases, pronouns)."""

    def __init__(self, doc: Any, entities: Sequence[Entity]) -> None:
        self.entities = sorted(entities, key=lambda e: (e.start, e.end))
        self._starts = [e.start for e in self.entities]
        self._subjects = self._subject_entities(doc)
        # a lone surname is often mislabelled (NORP, ORG): trust the label of the full name
        self._label = {e.canonical: e.label for e in self.entities if e.text == e.canonical}

    def entity_at(self, offset: int) -> Entity | None:
        """The entity covering character ``offset``, or None."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.entities[i].end > offset:
            return self.entities[i]
        return None

    def named(self, tok: Any) -> bool:
        """Whether token ``tok`` lies in a PERSON, ORG, GPE or NORP entity."""
        ent = self.entity_at(tok.idx)
        return ent is not None and ent.label in _NAMED_LABELS

    def _subject_entities(self, doc: Any) -> list[tuple[int, Entity]]:
        """(offset, entity) of entities that are grammatical subjects, in text order."""
        out = []
        for tok in doc:
            if tok.dep_ in _SUBJ:
                ent = self.entity_at(tok.idx)
                if ent is not None:
                    out.append((tok.idx, ent))
        return out

    def antecedent(self, offset: int, labels: frozenset[str]) -> Entity | None:
        """The nearest preceding subject entity with one of ``labels``, else the nearest such entity."""
        i = bisect.bisect_left(self._subjects, (offset,)) - 1
        for j in range(i, max(i - 12, -1), -1):
            if self._subjects[j][1].label in labels:
                return self._subjects[j][1]
        k = bisect.bisect_left(self._starts, offset) - 1
        for j in range(k, max(k - 20, -1), -1):
            if self.entities[j].label in labels:
                return self.entities[j]
        return None

    def speaker(self, doc: Any, doc_text: str, head: Any) -> Speaker:
        """The Speaker for the noun phrase headed by token ``head``."""
        s, e = speaker_tokens(head)
        start, end = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
        text = doc_text[start:end]
        word = head.lower_
        if word in _REL_PRONOUNS and head.head.dep_ == "relcl" and head.head.head is not head:
            ant = self.speaker(doc, doc_text, head.head.head)  # "Ms. Ray, who said ..." -> Ms. Ray
            return Speaker(start, end, text, ant.canonical, ant.label)
        if head.pos_ == "PRON" and (word in _PERSON_PRONOUNS or word in _THING_PRONOUNS):
            labels = frozenset({"PERSON"}) if word in _PERSON_PRONOUNS else frozenset({"ORG", "GPE", "NORP"})
            near = self.antecedent(start, labels)
            if near is not None:
                return Speaker(start, end, text, near.canonical, near.label)
            return Speaker(start, end, text, text)
        name = _named_apposition(head)
        if name is not None:  # "the head of the PAC, Mike Murphy, said": the description and the name
            named = self.speaker(doc, doc_text, name)
            return Speaker(start, named.end, doc_text[start:named.end], named.canonical, named.label)
        ent = self.entity_at(head.idx)
        if ent is None or ent.end <= start or ent.start >= end:
            ent = None
        if ent is not None:
            return Speaker(start, end, text, ent.canonical, self._label.get(ent.canonical, ent.label))
        known = alias(text)
        if known is None and head.pos_ == "PROPN":
            person = self.person_named(head.text, start)
            if person is not None:
                return Speaker(start, end, text, person.canonical, person.label)
        return Speaker(start, end, text, known or clean_mention(text) or text)

    def speaker_at(self, doc_text: str, start: int, end: int) -> Speaker:
        """The Speaker for a known character range (typographic attributions)."""
        text = doc_text[start:end]
        ent = self.entity_at(end - 1) or self.entity_at(start)
        if ent is not None:
            return Speaker(start, end, text, ent.canonical, self._label.get(ent.canonical, ent.label))
        person = self.person_named(text.split()[-1], start) if text.split() else None
        if person is not None:
            return Speaker(start, end, text, person.canonical, person.label)
        return Speaker(start, end, text, alias(text) or clean_mention(text) or text)

    def person_named(self, surname: str, before: int) -> Entity | None:
        """The latest PERSON entity before ``before`` whose name ends with ``surname`` ("Becker")."""
        k = bisect.bisect_left(self._starts, before) - 1
        for j in range(k, -1, -1):
            ent = self.entities[j]
            if ent.label == "PERSON" and ent.canonical.split()[-1] == surname:
                return ent
        return None


_PARTICIPLE_TAGS = frozenset({"VBG", "VBN"})
_NOUNISH = frozenset({"NOUN", "PROPN", "PRON"})
_NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_PERSONAL_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it"})
_ADDRESSED = frozenset({"ask", "tell"})
_INVERTED_DEPS = frozenset({"dobj", "attr", "npadvmod", "dep", "oprd", "nsubjpass", "appos"})
_MODIFIER_DEPS = frozenset({"compound", "det", "nmod", "nummod"})
_QUANTIFIERS = frozenset({"some", "many", "most", "few", "all", "both", "several", "others", "each"})


# Cues whose agentless passive raises its subject ("X is expected to", "X is believed to"): no one is the speaker.
_RAISING = frozenset(["expect", "believe", "think", "consider", "suppose", "presume", "allege", "say", "report",
                      "rumor", "rumour", "know", "understand", "estimate"])


def fallback_subject(cue: Any, start: int, end: int, named: Callable[[Any], bool]) -> Any | None:
    """A speaker token for a cue the rules left without one, or None; never the cue nor a token in
    [start, end) (the claim's content).

    Tried in order: the noun a participle cue modifies, or its head's subject ("..., citing
    officials", "a complaint was filed ..., alleging"); a noun cue's own modifier when the parse took
    a verb for a noun ("X calls for ..." parsed as one noun phrase); the nearest subject governing the cue, then
    the nearest one before it in its sentence; the nearest token before the cue in its sentence for
    which ``named`` holds (a named entity) or that is a personal pronoun. Deterministic.
    """
    def free(tok: Any | None) -> bool:
        return (tok is not None and tok.i != cue.i and not start <= tok.idx < end
                and tok.pos_ not in ("PART", "PUNCT") and tok.lower_ not in _CONTRACTIONS)

    if cue.lemma_ in _RAISING and any(c.dep_ == "nsubjpass" for c in cue.children):
        return None  # "X is expected to ...", "X is said to ...": an agentless raising passive names no speaker
    inverted = _inverted_subject(cue) if end <= cue.idx and cue.lemma_ not in _ADDRESSED else None
    for found in (_participle_subject(cue), _noun_modifier(cue), inverted, _governing_subject(cue)):
        if free(found):
            return found
    found = _preceding(cue, free, named)
    if found is not None and found.lower_ in _REL_PRONOUNS and found.head.dep_ == "relcl":
        found = found.head.head  # another clause's "who": the cue's speaker is the noun it stands for
    return found


def _preceding(cue: Any, free: Callable[[Any], bool], named: Callable[[Any], bool]) -> Any | None:
    """The nearest subject before the cue in its sentence, else the nearest name or personal pronoun."""
    sent = cue.sent
    # "X was asked", "X was told": the passive subject is who it was said to, not who said it
    before = [t for t in reversed(sent[: cue.i - sent.start])
              if free(t) and not (t.dep_ == "nsubjpass" and t.head.i == cue.i and cue.lemma_ in _ADDRESSED)]
    found = next((t for t in before if t.dep_ in ("nsubj", "nsubjpass")), None)
    if found is None:
        found = next((t for t in before if named(t) or (t.pos_ == "PRON" and t.lower_ in _PERSONAL_PRONOUNS)),
                     None)
    return found


def _inverted_subject(cue: Any) -> Any | None:
    """After content that precedes its cue ('"...," added another council member'), the noun right after
    the cue that the parse took for something other than its subject."""
    return next((c for c in cue.rights if c.dep_ in _INVERTED_DEPS and c.pos_ in _NOUNISH), None)


def _noun_modifier(cue: Any) -> Any | None:
    """For a noun cue, the noun or quantifier before it in its phrase ("Most support ..." parsed as a noun phrase)
    or the noun it hangs on when that comes first ("X calls for ...": X the root)."""
    if cue.pos_ != "NOUN":
        return None
    left = [c for c in cue.lefts if c.dep_ in _MODIFIER_DEPS
            and (c.pos_ in ("NOUN", "PROPN") or c.lower_ in _QUANTIFIERS)]
    if left:
        return left[-1]
    head = cue.head
    if head.i < cue.i and head.pos_ in ("NOUN", "PROPN") and cue.dep_ in ("dobj", "compound", "appos"):
        return head
    return None


def _participle_subject(cue: Any) -> Any | None:
    """The noun a participle cue modifies ("officials citing ..."), or its head verb's subject."""
    if cue.tag_ not in _PARTICIPLE_TAGS or cue.dep_ not in ("acl", "advcl") or cue.head.i == cue.i:
        return None
    if any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in cue.children):
        return None  # a finite clause ("as X are expected in ..."), not a participle hanging on a noun or verb
    head = cue.head
    if cue.dep_ == "acl" and head.pos_ in _NOUNISH:
        return head
    return next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _governing_subject(cue: Any) -> Any | None:
    """The subject (active or passive) of the nearest verb above the cue that has one."""
    tok = cue
    while tok.head.i != tok.i:  # spaCy makes a new Token per access: compare positions, not identity
        tok = tok.head
        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            return subj
    return None
