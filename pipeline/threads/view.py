"""What users see of a thread: the articles that agree, disagree or discuss, each with its deciding claim.

Shared by ``pipeline thread`` and the HTTP API. Works on the
:class:`~pipeline.index.base.Index` protocol only. Unknown claim ids and
unusable text raise :class:`~pipeline.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.errors import InputError
from pipeline.index.base import ArticleQuery, ArticleRef, ClaimHit, ClaimQuery, Index, ThreadLink
from pipeline.present import quoted
from pipeline.records import Article, Claim, to_dict
from pipeline.threads.decide import StanceDecider, check_claim_text

THREAD_STANCES = ("agree", "disagree", "discuss")
TEXT_CANDIDATES = 20  # articles considered for ``--text``: from the best claim and article matches


@dataclass(frozen=True, slots=True)
class Entry:
    """One article under one stance, with the claim that decides it and the claims that claim denies."""

    article: ArticleRef
    stance: str
    claim: Claim | None
    denies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """A thread's counts: claims, articles, outlets reporting it, speakers denying it, outlets copying it.

    ``outlets`` counts independent reporting only: an article that is a wire copy
    (``copy_of`` set, see :mod:`pipeline.copies.detect`) counts in ``copied_by``,
    the outlets that carry a copy without reporting the thread themselves.
    """

    thread_id: str
    size: int
    articles: int
    outlets: int
    denied_by: int
    copied_by: int = 0


@dataclass(frozen=True, slots=True)
class ThreadView:
    """A thread (or the answer for a typed text): entries in date order, and its counts."""

    thread_id: str | None
    text: str
    claim: Claim | None
    entries: tuple[Entry, ...]
    size: int  # claims in the thread (articles, for a typed text)
    outlets: int  # distinct outlets that report it, with any stance, wire copies apart
    denied_by: int  # distinct speakers (unattributed: articles) that deny it
    copied_by: int = 0  # distinct outlets carrying only wire copies of what the others report

    def of(self, stance: str) -> list[Entry]:
        return [e for e in self.entries if e.stance == stance]


def summarize(thread_id: str, links: Sequence[ThreadLink], copies: Set[str] = frozenset()) -> ThreadSummary:
    """The counts of a thread's links; ``copies``: the ids of articles that are wire copies."""
    denying = {lk.speaker.lower() or f"article:{lk.article_id}" for lk in links if lk.stance == "disagree"}
    outlets, copied = outlet_counts([(lk.article_id, lk.source) for lk in links], copies)
    return ThreadSummary(thread_id, len(links), len({lk.article_id for lk in links}), outlets, len(denying), copied)


def outlet_counts(articles: Sequence[tuple[str, str]], copies: Set[str]) -> tuple[int, int]:
    """``(reporting, copying)``: distinct outlets (an unnamed one: its article) with an article that is not a
    copy, and those with only copies."""
    reporting = {source or aid for aid, source in articles if aid not in copies}
    return len(reporting), len({source or aid for aid, source in articles if aid in copies} - reporting)


def copy_ids(index: Index, article_ids: Sequence[str]) -> set[str]:
    """Those of ``article_ids`` that are wire copies."""
    return {aid for aid, e in index.copy_entries(list(dict.fromkeys(article_ids))).items() if e.copy_of}


def thread_summaries(index: Index, claim_ids: Sequence[str]) -> dict[str, ThreadSummary]:
    """The summary of each claim's thread, by claim id; a claim without a link is a thread of one."""
    links = index.thread_links(claim_ids)
    members: dict[str, list[ThreadLink]] = {}
    for lk in index.thread_members(sorted({lk.thread_id for lk in links.values()})):
        members.setdefault(lk.thread_id, []).append(lk)
    copies = copy_ids(index, [lk.article_id for group in members.values() for lk in group])
    out = {}
    for cid in claim_ids:
        tid = links[cid].thread_id if cid in links else cid
        out[cid] = summarize(tid, members.get(tid) or [links.get(cid) or ThreadLink(cid, "", cid, "agree")], copies)
    return out


@dataclass(frozen=True, slots=True)
class ThreadGroup:
    """A thread among search hits: its best-ranked claim and its counts."""

    claim: Claim
    article: ArticleRef
    summary: ThreadSummary


def group_by_thread(index: Index, hits: Sequence[ClaimHit]) -> list[ThreadGroup]:
    """One group per thread the hits belong to, in the order of each thread's best hit."""
    summaries = thread_summaries(index, [h.claim.id for h in hits])
    groups: dict[str, ThreadGroup] = {}
    for hit in hits:
        summary = summaries[hit.claim.id]
        groups.setdefault(summary.thread_id, ThreadGroup(hit.claim, hit.article, summary))
    return list(groups.values())


def thread_for_claim(index: Index, claim_id: str) -> ThreadView:
    """The thread of an indexed claim, stated by its first claim (the one whose id is the thread's);
    a claim not yet linked forms a thread of its own."""
    claim_id = (claim_id or "").strip()
    found = index.get_claim(claim_id) if claim_id else None
    if found is None:
        raise InputError(f"unknown claim id {quoted(claim_id)}")
    link = index.thread_links([claim_id]).get(claim_id)
    links = index.thread_members([link.thread_id]) if link else []
    if not links:
        links = [ThreadLink(claim_id, found.claim.article_id, claim_id, "agree")]
    hits = {lk.claim_id: hit for lk in links if (hit := index.get_claim(lk.claim_id)) is not None}
    present = [lk for lk in links if lk.claim_id in hits]  # links of claims since removed are left out
    summary = summarize(link.thread_id if link else claim_id, present,
                        copy_ids(index, [lk.article_id for lk in present]))
    root = hits.get(summary.thread_id, found).claim  # the thread's first claim states it
    return ThreadView(summary.thread_id, root.content.text, root, tuple(_entries(present, hits)),
                      summary.size, summary.outlets, summary.denied_by, summary.copied_by)


def thread_for_text(index: Index, decider: StanceDecider, text: str) -> ThreadView:
    """The indexed articles' stance toward any text (the best claim and article matches, decided)."""
    text = check_claim_text(text)
    claims = index.search_claims(ClaimQuery(text=text, limit=TEXT_CANDIDATES, facets=False)).hits
    articles = index.search_articles(ArticleQuery(text=text, limit=TEXT_CANDIDATES)).hits
    ids = list(dict.fromkeys([h.claim.article_id for h in claims if isinstance(h, ClaimHit)]
                             + [h.article.id for h in articles]))[:TEXT_CANDIDATES]
    fetched = index.get_articles(ids)
    found = [fetched[i] for i in ids if i in fetched]
    decisions = decider.decide_many([(text, decider.prepare(e.article.text, e.claims, e.entities)) for e in found])
    entries = [Entry(article_ref(e.article), d.stance, d.claim) for e, d in zip(found, decisions, strict=True)
               if d.stance != "unrelated"]
    denying = {_who(e) for e in entries if e.stance == "disagree"}
    outlets, copied = outlet_counts([(e.article.id, e.article.source) for e in entries],
                                    copy_ids(index, [e.article.id for e in entries]))
    return ThreadView(None, text, None, tuple(sorted(entries, key=_order)), len(entries), outlets, len(denying),
                      copied)


def view_json(view: ThreadView) -> dict[str, Any]:
    """``{"thread", "text", "claim", "size", "outlets", "copied_by", "denied_by", "agree": [...],
    "disagree": [...], "discuss": [...]}``; each entry ``{"article", "claim", "denies"}``."""
    out: dict[str, Any] = {"thread": view.thread_id, "text": view.text,
                           "claim": to_dict(view.claim) if view.claim else None, "size": view.size,
                           "outlets": view.outlets, "copied_by": view.copied_by, "denied_by": view.denied_by}
    for stance in THREAD_STANCES:
        out[stance] = [{"article": asdict(e.article), "claim": to_dict(e.claim) if e.claim else None,
                        "denies": list(e.denies)} for e in view.of(stance)]
    return out


def article_ref(article: Article) -> ArticleRef:
    return ArticleRef(article.id, article.title, article.url, article.published, article.source.name)


def _entries(links: Sequence[ThreadLink], hits: dict[str, ClaimHit]) -> list[Entry]:
    """One entry per (article, stance, speaker): the first such claim decides it, so two parties
    denying a claim in one article show as two entries."""
    chosen: dict[tuple[str, str, str], Entry] = {}
    for lk in sorted(links, key=lambda lk: (hits[lk.claim_id].claim.ordinal, lk.claim_id)):
        key = (lk.article_id, lk.stance, lk.speaker.lower())
        if key in chosen:
            entry = chosen[key]
            chosen[key] = Entry(entry.article, entry.stance, entry.claim, tuple(sorted({*entry.denies, *lk.denies})))
        else:
            hit = hits[lk.claim_id]
            chosen[key] = Entry(hit.article, lk.stance, hit.claim, lk.denies)
    return sorted(chosen.values(), key=_order)


def _order(e: Entry) -> tuple[str, str, int, int]:
    return (e.article.published or "9999", e.article.id, THREAD_STANCES.index(e.stance),
            e.claim.ordinal if e.claim else -1)


def _who(e: Entry) -> str:
    sp = e.claim.speaker if e.claim else None
    return f"speaker:{sp.canonical.lower()}" if sp else f"article:{e.article.id}"
