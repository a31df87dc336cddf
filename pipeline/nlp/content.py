"""Content of an attributed claim: which tokens a cue reports.

Works on spaCy-like tokens; no spaCy import. Every function returns a token
range ``(start, end)`` (end-exclusive token indices, ``start < end``) inside
the cue's sentence, or None when the cue has no recognisable content.
"""

from __future__ import annotations

from typing import Any

from pipeline.nlp.marks import TokenMarks

TokRange = tuple[int, int]

_COMP = ("ccomp",)
_OBJ_STOP = frozenset({"cc", "conj", "punct"})
_OBJ_SKIP = frozenset({"advmod", "npadvmod", "neg", "aux", "auxpass", "prt", "nsubj", "nsubjpass",
                       "expl", "mark", "agent"})
_NOUN_COMP = ("acl", "ccomp", "appos")
_TRIM = frozenset({",", ";", ":", "—", "–", "-", "--", "."})


def subtree_range(tok: Any) -> TokRange:
    """Token range of ``tok``'s subtree."""
    return tok.left_edge.i, tok.right_edge.i + 1


def trim(doc: Any, rng: TokRange) -> TokRange | None:
    """Strip separators (commas, dashes, a "that" complementizer stays) from both edges."""
    s, e = rng
    while s < e and (doc[s].text in _TRIM or doc[s].dep_ == "cc"):
        s += 1
    while e > s and (doc[e - 1].text in _TRIM or doc[e - 1].dep_ == "cc"):
        e -= 1
    return (s, e) if e > s else None


def verb_content(cue: Any) -> TokRange | None:
    """Content of a verb cue: its clausal complement, else what the verb takes to its right.

    Order: ccomp children (all of them: a quote split around the cue has two);
    for a parenthetical cue ("X, he said") the clause it comments on; for
    xcomp / object frames the span from the first complement to the last.
    """
    doc = cue.doc
    comps = [c for c in cue.children if c.dep_ in _COMP]
    if comps:
        return trim(doc, (min(c.left_edge.i for c in comps), max(c.right_edge.i for c in comps) + 1))
    deps = {c.dep_ for c in cue.children}
    if (cue.dep_ in ("parataxis", "advcl", "ccomp") and cue.head.pos_ in ("VERB", "AUX")
            and "nsubj" in deps and not deps & {"xcomp", "dobj"}):
        return _parenthetical(cue)
    if "nsubjpass" in deps and "xcomp" in deps and "agent" not in deps:
        return _raised(cue)
    return _right_complements(cue)


def _raised(cue: Any) -> TokRange | None:
    """"X is alleged to have Y": the proposition is X plus the infinitive, around the cue."""
    subj = next(c for c in cue.children if c.dep_ == "nsubjpass")
    xcomp = next(c for c in cue.children if c.dep_ == "xcomp")
    return trim(cue.doc, (subj.left_edge.i, xcomp.right_edge.i + 1))


def _parenthetical(cue: Any) -> TokRange | None:
    """The head clause without the cue's own subtree ("Iran will win, he said" -> "Iran will win")."""
    doc = cue.doc
    head = cue.head
    s, e = subtree_range(head)
    cs, ce = subtree_range(cue)
    left, right = (s, cs), (ce, e)
    if cs > s and ce < e and doc[cs - 1].is_punct and doc[ce].is_punct:
        return trim(doc, (s, e))  # "X, he said, Y": both sides, around the cue
    best = left if left[1] - left[0] >= right[1] - right[0] else right
    return trim(doc, best)


def _right_complements(cue: Any) -> TokRange | None:
    """From the first complement right of the verb to the last, stopping at coordination."""
    doc = cue.doc
    start: int | None = None
    end = 0
    for c in cue.rights:
        if c.dep_ in _OBJ_STOP:
            if start is not None or c.dep_ != "punct":
                break
            continue
        if c.dep_ in _OBJ_SKIP:
            continue
        if start is None:
            start = c.left_edge.i
        end = c.right_edge.i + 1
    # "urged Congress to act": a direct object left of the cue's xcomp is already covered
    if start is None:
        return None
    return trim(doc, (start, end))


def noun_content(cue: Any) -> TokRange | None:
    """Content of a noun cue: "the claim that X" -> X (clausal acl/ccomp, not a relative clause)."""
    doc = cue.doc
    for c in cue.rights:
        if c.dep_ in _NOUN_COMP and c.pos_ in ("VERB", "AUX"):
            if any(g.dep_ in ("nsubj", "dobj", "nsubjpass") and g.lower_ in ("that", "which") for g in c.children):
                continue  # relative clause: "the claim that he made"
            return trim(doc, subtree_range(c))
        if c.dep_ == "punct" and c.text == ":":
            nxt = c.i + 1
            if nxt < cue.sent.end:
                return trim(doc, (nxt, cue.sent.end))
    return None


def according_content(according: Any) -> TokRange | None:
    """Content of "according to X": the sentence without the according phrase."""
    doc = according.doc
    sent = according.sent
    cs, ce = subtree_range(according)
    left, right = (sent.start, cs), (ce, sent.end)
    best = left if left[1] - left[0] >= right[1] - right[0] else right
    return trim(doc, best)


def according_source(according: Any) -> Any | None:
    """The pobj of "to" in "according to X"."""
    for c in according.children:
        if c.lower_ == "to":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def colon_content(cue: Any) -> TokRange | None:
    """Content after "X said:" when the cue ends its clause with a colon inside the sentence."""
    doc = cue.doc
    for c in cue.rights:
        if c.dep_ == "punct" and c.text == ":" and c.i + 1 < cue.sent.end:
            return trim(doc, (c.i + 1, cue.sent.end))
    return None


_CUTS = frozenset({"—", "–", "--", ";"})
_CORE_DEPS = frozenset({"dobj", "ccomp", "xcomp", "attr", "oprd", "dative"})


def alternatives(cue: Any, rule: TokRange | None, marks: TokenMarks | None = None) -> list[tuple[TokRange, str]]:
    """Other plausible contents of a cue, for the learned scorer to choose from (rule's own one excluded).

    Candidates: the direct object ("obj"), the open complement ("xcomp"), the
    object of the first preposition after the cue ("pobj": "attacks on X"),
    the rule's content from its first complement on ("core": without leading
    time or place modifiers), and the rule's content cut at its first dash or semicolon ("cut") or its
    first comma ("cutc"), before a trailing comment clause (", which ...", ", although ...": "cutrel"),
    before the cue's trailing circumstances ("... in a statement on Thursday": "noadj"), through
    a coordinated verb sharing the cue's subject ("agreed to X and rely on Y": "conj"), before a
    coordinated verb phrase ("championed X and extended Y": "cutand"), and from the complementizer
    on, without what precedes it ("tweeted in the morning that X": "that"); then the whole sentence
    around a cue clause set off in its middle ("X, he said, Y": "around"), and what a passive cue
    or a past participle is said of ("X was first reported by Y", "a view echoed by Y": "passive").
    Distinct ranges, in that order. ``marks`` (one per doc, shared by its cues) keeps the scans for
    separators linear per sentence however many cues it holds.
    """
    doc = cue.doc
    marks = marks or TokenMarks(doc)
    out: list[tuple[TokRange | None, str]] = []
    for dep in ("dobj", "xcomp"):
        child = next((c for c in cue.children if c.dep_ == dep), None)
        if child is not None:
            out.append((trim(doc, subtree_range(child)), "obj" if dep == "dobj" else dep))
    core = next((c for c in cue.rights if c.dep_ in _CORE_DEPS), None)
    if rule is not None and core is not None and rule[0] < core.left_edge.i < rule[1]:
        out.append((trim(doc, (core.left_edge.i, rule[1])), "core"))
    prep = next((c for c in cue.rights if c.dep_ == "prep"), None)
    pobj = None if prep is None else next((g for g in prep.children if g.dep_ in ("pobj", "pcomp")), None)
    if pobj is not None:
        out.append((trim(doc, subtree_range(pobj)), "pobj"))
    if rule is not None:
        for test, how in ((_is_cut, "cut"), (_is_comma, "cutc")):
            cut = marks.first(test, rule[0] + 2, rule[1])
            if cut is not None:
                out.append((trim(doc, (rule[0], cut)), how))
        out.append((_tail_clause_cut(doc, rule, marks), "cutrel"))
        out.append((_adjunct_cut(cue, rule), "noadj"))
        out.append((_with_conjunct(cue, rule), "conj"))
        out.append((_before_coordination(doc, rule, marks), "cutand"))
        out.append((_from_that(doc, cue, rule), "that"))
    out.append((_around(cue, rule), "around"))
    out.append((_passive_subject(cue), "passive"))
    seen = {rule}
    kept = []
    for rng, how in out:
        if rng is not None and rng not in seen:
            seen.add(rng)
            kept.append((rng, how))
    return kept


# Words opening a clause that comments on the content rather than belonging to it (after a separator).
_TAIL_OPENERS = frozenset({"which", "who", "whom", "whose", "although", "though", "while", "whereas", "but",
                           "after", "before", "because", "when", "since", "until", "aside", "including",
                           "even", "despite", "as", "where", "and"})
_TAIL_SEPARATORS = frozenset({",", ";", "—", "–", "--", "-"})
# Dependencies of a cue's child that state the circumstances of the saying, not what was said.
_ADJUNCT_DEPS = frozenset({"npadvmod", "advcl", "advmod"})
_ADJUNCT_PREPS = frozenset({"in", "on", "at", "during", "after", "before", "since", "until", "amid", "while",
                            "through", "via", "from", "over", "when", "following"})


def _is_cut(doc: Any, i: int) -> bool:
    return bool(doc[i].text in _CUTS)


def _is_comma(doc: Any, i: int) -> bool:
    return bool(doc[i].text == ",")


def _opens_tail(doc: Any, i: int) -> bool:
    """A separator followed by a word opening a comment clause (", which")."""
    return doc[i].text in _TAIL_SEPARATORS and i + 1 < len(doc) and doc[i + 1].lower_ in _TAIL_OPENERS


def _coordinates_verbs(doc: Any, i: int) -> bool:
    """A conjunction whose head has a verb conjunct after it ("X and extended Y")."""
    tok = doc[i]
    return tok.dep_ == "cc" and any(c.dep_ == "conj" and c.i > i and c.pos_ in ("VERB", "AUX")
                                    for c in tok.head.children)


def _tail_clause_cut(doc: Any, rule: TokRange, marks: TokenMarks) -> TokRange | None:
    """The rule's content up to the first separator that opens a comment clause (", which ...")."""
    i = marks.first(_opens_tail, rule[0] + 2, rule[1] - 1)
    return None if i is None else trim(doc, (rule[0], i))


def _adjunct_cut(cue: Any, rule: TokRange) -> TokRange | None:
    """The rule's content up to the first circumstance of the cue after its first complement
    (a time, place or occasion: "... Wednesday on The Laura Ingraham Show")."""
    first = True
    for c in cue.rights:
        if not rule[0] <= c.i < rule[1] or c.dep_ == "punct":
            continue
        adjunct = c.dep_ in _ADJUNCT_DEPS or (c.dep_ == "prep" and c.lower_ in _ADJUNCT_PREPS)
        if adjunct and not first and c.left_edge.i > rule[0]:
            return trim(cue.doc, (rule[0], c.left_edge.i))
        first = False
    return None


def _with_conjunct(cue: Any, rule: TokRange) -> TokRange | None:
    """The rule's content extended through the cue's coordinated verb phrase without a subject of its own."""
    conj = next((c for c in cue.rights if c.dep_ == "conj" and c.i >= rule[1]), None)
    if conj is None or conj.pos_ not in ("VERB", "AUX") or any(g.dep_ in ("nsubj", "nsubjpass") for g in conj.children):
        return None
    return trim(cue.doc, (rule[0], conj.right_edge.i + 1))


def _before_coordination(doc: Any, rule: TokRange, marks: TokenMarks) -> TokRange | None:
    """The rule's content up to a conjunction that coordinates a verb phrase ("X and extended Y")."""
    i = marks.first(_coordinates_verbs, rule[0] + 2, rule[1] - 1)
    return None if i is None else trim(doc, (rule[0], i))


def _from_that(doc: Any, cue: Any, rule: TokRange) -> TokRange | None:
    """The rule's content from its complementizer "that" on, when something precedes it."""
    for i in range(rule[0] + 1, min(rule[1] - 1, rule[0] + 12)):
        if doc[i].lower_ == "that" and doc[i].dep_ == "mark" and doc[i].head.head.i == cue.i:
            return trim(doc, (i, rule[1]))
    return None


# Tokens that set a parenthetical cue clause off from the content around it.
_CLAUSE_MARKS = frozenset({",", "—", "–", "--", "”", '"', "''"})


def _clause_edges(cue: Any) -> tuple[int, int]:
    """First and last token of the cue with its subject ("he said", "said Mr. Burman")."""
    subj = next((c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None:
        return cue.i, cue.i
    return min(cue.i, subj.left_edge.i), max(cue.i, subj.right_edge.i)


def _around(cue: Any, rule: TokRange | None) -> TokRange | None:
    """The cue's sentence, when the cue's clause sits in its middle between separators and the rule's
    content (if any) lies on one side only ("The benefit, it says, would be $300": both sides)."""
    sent, doc = cue.sent, cue.doc
    if rule is not None and not (rule[1] <= cue.i or rule[0] > cue.i):
        return None
    left, right = _clause_edges(cue)
    if left - 2 <= sent.start or doc[left - 1].text not in _CLAUSE_MARKS:
        return None
    if not any(doc[i].text in _CLAUSE_MARKS for i in range(right + 1, min(right + 8, sent.end - 2))):
        return None
    return trim(doc, (sent.start, sent.end))


def _passive_subject(cue: Any) -> TokRange | None:
    """What a passive cue is said of: its passive subject ("X was first reported by Y"), or the noun
    its past participle modifies ("a view echoed by Y", "supplements he has promoted")."""
    if any(c.dep_ in ("xcomp", "ccomp") for c in cue.children):
        return None  # "X is alleged to have Y": the raised content takes the subject in already
    subj = next((c for c in cue.children if c.dep_ == "nsubjpass"), None)
    if subj is not None:
        return trim(cue.doc, subtree_range(subj))
    head = cue.head
    if cue.tag_ == "VBN" and cue.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN") and head.i < cue.i:
        return trim(cue.doc, (head.left_edge.i, head.i + 1))
    return None
