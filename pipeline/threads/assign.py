"""Claim threads, assigned incrementally as articles are indexed.

A thread is the set of claims, across articles and outlets, that state the
same thing, plus the claims that deny it. Each claim gets a
:class:`~pipeline.index.base.ThreadLink`: its thread id, its article's
stance toward the thread (agree, disagree, discuss) and the claims it denies.

How a new article's claims are linked:

* **within the article**: a ``deny`` claim denies the closest ``assert`` claim
  of another speaker (content and sentence compared; an anaphoric denial such
  as "rejected the allegation" also leans toward the article's lead claim);
  an ``assert`` claim that restates an earlier one of the article joins it;
* **across articles**: each new claim's text finds candidate claims by text
  search over the index; a new claim and a candidate join when each is the
  other article's closest claim to the other, both articles are related to
  the other's claim by :class:`~pipeline.threads.decide.StanceDecider` (the
  measured FNC-1 decision) and the two claims are close enough. When one of
  them is a ``deny`` claim and the other is not, the denial is linked to the
  claim it denies (an older denial gains the new claim in its ``denies``).
  The test is symmetric, so it does not matter which article came first.

Guarantees:

* a thread's id is the smallest claim id in it; linking claims of several
  threads merges them (every member relabelled to the smallest id), so the
  threads are the connected components of the links found, whatever the
  order in which they were found;
* claims that already have a link are not decided again (a merge may only
  relabel them, a new claim may only be added to an old denial's ``denies``):
  indexing the same articles again (a replay, a redelivery) leaves every
  thread as it was;
* one article's failure is reported and the others go on (see :meth:`assign`);
  an index outage (BackendUnavailable) propagates so the batch is retried.

Cost: a batch's links are written once, when the batch is done
(:class:`~pipeline.threads.pending.BatchLinks`; each article still sees the
links of the articles before it), and an article's candidate searches go
out in one or two multi-searches, as many as can still add candidates.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.errors import BackendUnavailable
from pipeline.index.base import Index, ThreadLink
from pipeline.records import Claim, EnrichedArticle
from pipeline.threads import text as tx
from pipeline.threads.body import Body, BodyClaim
from pipeline.threads.decide import StanceDecider
from pipeline.threads.pending import BatchLinks
from pipeline.threads.unionfind import MinUnionFind

log = logging.getLogger(__name__)

SEARCH_CANDIDATES = 10  # claims fetched by text search per new claim
MAX_CANDIDATES = 60  # distinct candidate claims decided per article
QUERY_WORDS = 8  # the claim's rarest words: fewer terms, faster and sharper text search
LINK_MIN_COS = 0.35  # a claim this close to another article's claim may join its thread
DENIAL_MIN_COS = 0.12  # a denial needs less: "rejected the allegation" shares few words
RESTATE_MIN_COS = 0.5  # two claims of one article this close state the same thing
LEAD_BONUS = 0.3
PREPARED_CACHE = 256  # other articles kept prepared: threads grow around the same stories  # an anaphoric denial's pull toward the article's lead claim
_ANAPHORIC = re.compile(
    r"^(?:(?:the|this|that|these|those|such|its|their|his|her|our|all)\s+(?:[\w’'-]+\s+){0,2})?"
    r"(?:claims?|allegations?|accusations?|reports?|charges?|statements?|rumou?rs?|suggestions?|"
    r"assertions?|stor(?:y|ies)|reporting)\b|^(?:it|this|that|them|these|those|so)\W*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Edge:
    """A new claim's link to another claim (``target``) in thread ``thread`` (None: not yet linked)."""

    source: str
    target: str
    thread: str | None
    stance: str
    denies: bool  # the source denies the target
    denied_by_target: bool = False  # the target (an older claim) denies the source


def is_anaphoric(content: str) -> bool:
    """Whether a claim's content only points at another claim ("the allegation", "these reports")."""
    return _ANAPHORIC.match(content.strip()) is not None


class ThreadAssigner:
    """Links the claims of newly indexed articles into threads (see the module doc)."""

    def __init__(self, index: Index, decider: StanceDecider | None = None) -> None:
        self.index = index
        self.decider = decider or StanceDecider()
        self._prepared: dict[tuple[str, int, tuple[str, ...]], Body] = {}  # (article id, text hash, claim ids)

    def assign(self, articles: Sequence[EnrichedArticle]) -> list[tuple[str, str]]:
        """Link every article's new claims; returns (article id, reason) for articles that failed.

        Call after the articles were upserted. Articles are taken in id order,
        so one batch gives the same threads however it was ordered.
        """
        if not any(e.claims for e in articles):
            return []
        self.index.refresh()  # the batch's claims must be searchable
        links = BatchLinks(self.index)
        links.links([c.id for e in articles for c in e.claims])  # one read for the whole batch
        failures = []
        for enriched in sorted(articles, key=lambda e: e.article.id):
            try:
                self._assign_article(enriched, links)
            except BackendUnavailable:
                raise
            except Exception as exc:  # one bad article must not stop indexing (it stays indexed)
                log.warning("thread assignment failed for article %s: %r", enriched.article.id, exc)
                failures.append((enriched.article.id, repr(exc)))
        try:
            links.flush()
        except BackendUnavailable:
            raise
        except Exception as exc:  # links refused: the articles stay indexed
            log.warning("thread links of %d article(s) not written: %r", len(articles), exc)
            failed = {f[0] for f in failures}
            failures += [(e.article.id, repr(exc)) for e in articles if e.article.id not in failed]
        return failures

    def _assign_article(self, enriched: EnrichedArticle, links: BatchLinks) -> None:
        """Link the article's claims that have no thread yet (held in ``links`` until the batch ends)."""
        claims = [c for c in enriched.claims if c.content.text.strip()]
        known = links.links([c.id for c in claims])
        new = [c for c in claims if c.id not in known]
        if not new:
            return
        body = self.decider.prepare(enriched.article.text, claims, enriched.entities)
        new_ids = {c.id for c in new}
        edges = self._denial_edges(body, new_ids, known) + self._restatement_edges(body, new_ids, known)
        edges += self._cross_article_edges(enriched, body, new_ids, links)
        links.put(self._links(new, enriched.article.source.name, edges, links))

    # --- edges -------------------------------------------------------------------

    def _denial_edges(self, body: Body, new_ids: set[str], known: dict[str, ThreadLink]) -> list[_Edge]:
        asserts = [bc for bc in body.claims if not bc.deny]
        edges = []
        for d in body.claims:
            if not d.deny or d.claim.id not in new_ids:
                continue
            others = [t for t in asserts if not (d.speaker and t.speaker == d.speaker)]
            if not others:
                continue
            anaphoric = is_anaphoric(d.claim.content.text)
            lead = min(others, key=lambda t: t.claim.ordinal)

            def score(t: BodyClaim, d: BodyClaim = d, lead: BodyClaim = lead, anaphoric: bool = anaphoric) -> float:
                return tx.cosine(d.vector, t.vector) + (LEAD_BONUS if anaphoric and t is lead else 0.0)

            target = max(others, key=lambda t: (score(t), -t.claim.ordinal))
            if score(target) >= DENIAL_MIN_COS:
                edges.append(_Edge(d.claim.id, target.claim.id, _thread_of(target.claim.id, known), "disagree", True))
        return edges

    def _restatement_edges(self, body: Body, new_ids: set[str], known: dict[str, ThreadLink]) -> list[_Edge]:
        edges = []
        asserts = [bc for bc in body.claims if not bc.deny]
        for i, c in enumerate(asserts):
            if c.claim.id not in new_ids:
                continue
            mine = self.decider.claim_vector(c.claim.content.text)
            for t in asserts[:i]:
                if tx.cosine(mine, self.decider.claim_vector(t.claim.content.text)) >= RESTATE_MIN_COS:
                    edges.append(_Edge(c.claim.id, t.claim.id, _thread_of(t.claim.id, known), "agree", False))
        return edges

    def _cross_article_edges(self, enriched: EnrichedArticle, body: Body, new_ids: set[str],
                             batch: BatchLinks) -> list[_Edge]:
        """Edges to claims of other articles: mutual best matches whose articles are related both ways.

        Symmetric by construction (the same pair gives the same edge whichever
        article arrives first), so the threads do not depend on arrival order.
        """
        candidates = self._candidates(enriched, new_ids)
        links = batch.links([c.id for c in candidates])
        close = []  # cheap filter first: only close pairs cost a look at the other article
        for candidate in (c for c in candidates if c.id in links):
            d = self.decider.body_claim(candidate)
            x = _closest(d, body.claims)
            if x is not None and x.claim.id in new_ids and tx.cosine(x.vector, d.vector) >= _min_cos(x, d):
                close.append((x, d))
        others = self._other_bodies({d.claim.article_id for _, d in close})
        pairs = []  # (new claim, other article's claim, other article's body): mutual best matches
        for x, d in close:
            other = others.get(d.claim.article_id)
            best = _closest(x, other.claims) if other else None
            if other is not None and best is not None and best.claim.id == d.claim.id:
                pairs.append((x, best, other))
        forward = self.decider.decide_many([(d.claim.content.text, body) for _, d, _ in pairs])
        backward = self.decider.decide_many([(x.claim.content.text, other) for x, _, other in pairs])
        edges = []
        for (x, d, _), fwd, bwd in zip(pairs, forward, backward, strict=True):
            denial = x.deny != d.deny
            if "unrelated" in (fwd.stance, bwd.stance):
                continue
            edges.append(_Edge(x.claim.id, d.claim.id, links[d.claim.id].thread_id, _stance(fwd.stance, x, d),
                               denies=denial and x.deny, denied_by_target=denial and d.deny))
        return edges

    def _other_bodies(self, article_ids: set[str]) -> dict[str, Body]:
        """The other indexed articles, prepared for decisions, by article id (recent ones cached)."""
        out = {}
        fetched = self.index.get_articles(sorted(article_ids))  # one multi-get, not one get per article
        for article_id, other in sorted(fetched.items()):
            key = (article_id, hash(other.article.text), tuple(c.id for c in other.claims))
            body = self._prepared.pop(key, None) or self.decider.prepare(other.article.text, other.claims,
                                                                          other.entities)
            self._prepared[key] = body  # most recently used last
            if len(self._prepared) > PREPARED_CACHE:
                del self._prepared[next(iter(self._prepared))]
            out[article_id] = body
        return out

    def _candidates(self, enriched: EnrichedArticle, new_ids: set[str]) -> list[Claim]:
        """Claims of other articles that match the new claims' words, in claim id order."""
        seen: dict[str, Claim] = {}
        queries = [q for claim in enriched.claims if claim.id in new_ids and (q := self._query_text(claim))]
        done = 0
        while done < len(queries) and len(seen) < MAX_CANDIDATES:
            # The first claims' hits usually fill the places, and later hits would be dropped: search in
            # rounds (one request each) of as many claims as could fill the places left, at least as many
            # as so far (so at most three rounds for a long article whose hits are mostly dropped).
            n = max(-(-(MAX_CANDIDATES - len(seen)) // SEARCH_CANDIDATES), done)
            for results in self.index.similar_claims_many(queries[done:done + n], SEARCH_CANDIDATES):
                for found in results:
                    if found.article_id != enriched.article.id and len(seen) < MAX_CANDIDATES:
                        seen.setdefault(found.id, found)
            done += n
        return [seen[i] for i in sorted(seen)]

    def _query_text(self, claim: Claim) -> str:
        """Search words for a claim: the rarest words of its content (of its sentence when the content
        only points elsewhere), in text order; "" when it has fewer than two content words."""
        text = claim.content.text
        if is_anaphoric(text) and claim.sentence:
            text = claim.sentence.text
        words = list(dict.fromkeys(w for w in tx.words(text) if w not in tx.STOPWORDS and len(w) > 1))
        if len(words) < 2:
            return ""
        rare = set(sorted(words, key=lambda w: (-self.decider.word_weight(w), w))[:QUERY_WORDS])
        return " ".join(w for w in words if w in rare)

    # --- threads -----------------------------------------------------------------

    def _links(self, new: list[Claim], source: str, edges: list[_Edge], batch: BatchLinks) -> list[ThreadLink]:
        """Union the new claims with the threads their edges reach; their links and those that change
        (members of merged threads relabelled, older denials that deny a new claim)."""
        sets = MinUnionFind()

        def node(claim_id: str, thread: str | None) -> str:
            return f"t:{thread}" if thread is not None else f"c:{claim_id}"

        for c in new:
            sets.find(f"c:{c.id}")
        for e in edges:
            sets.union(f"c:{e.source}", node(e.target, e.thread))
        groups = sets.groups()
        thread_of = {}
        relabel: dict[str, str] = {}
        for members in groups.values():
            tid = min(n[2:] for n in members)  # claim ids and thread ids (themselves claim ids)
            for n in members:
                if n.startswith("c:"):
                    thread_of[n[2:]] = tid
                elif n[2:] != tid:
                    relabel[n[2:]] = tid
        links = [self._link(c, source, thread_of[c.id], [e for e in edges if e.source == c.id]) for c in new]
        moved = {m.claim_id: replace(m, thread_id=relabel[m.thread_id])
                 for m in batch.members(sorted(relabel))} if relabel else {}
        denied_by = [(e.target, e.source) for e in edges if e.denied_by_target]
        if denied_by:  # older denials that turn out to deny a new claim
            current = batch.links(sorted({t for t, _ in denied_by}))
            for target, source in denied_by:
                old = moved.get(target) or current[target]
                moved[target] = replace(old, thread_id=relabel.get(old.thread_id, old.thread_id), stance="disagree",
                                        denies=tuple(sorted({*old.denies, source})))
        return [*moved.values(), *links]

    @staticmethod
    def _link(claim: Claim, source: str, thread_id: str, edges: list[_Edge]) -> ThreadLink:
        denies = tuple(sorted({e.target for e in edges if e.denies}))
        stances = {e.stance for e in edges}
        stance = "disagree" if denies or "disagree" in stances else "discuss" if stances == {"discuss"} else "agree"
        return ThreadLink(claim.id, claim.article_id, thread_id, stance, denies, source,
                          claim.speaker.canonical if claim.speaker else "")


def _stance(article_stance: str, new: BodyClaim, other: BodyClaim) -> str:
    """The new claim's stance in the thread: a denial disagrees; a claim another denies states it."""
    if new.deny and not other.deny:
        return "disagree"
    if other.deny and not new.deny:
        return "agree" if article_stance == "disagree" else article_stance
    return article_stance


def _min_cos(a: BodyClaim, b: BodyClaim) -> float:
    """How close two claims must be to join: less when one denies the other (denials repeat few words)."""
    return DENIAL_MIN_COS if a.deny != b.deny else LINK_MIN_COS


def _closest(claim: BodyClaim, among: Iterable[BodyClaim]) -> BodyClaim | None:
    """The claim of ``among`` closest to ``claim`` (ties: the earliest), or None when none shares a word."""
    best = max(among, key=lambda bc: (tx.cosine(claim.vector, bc.vector), -bc.claim.ordinal), default=None)
    return best if best is not None and tx.cosine(claim.vector, best.vector) > 0 else None


def _thread_of(claim_id: str, known: dict[str, ThreadLink]) -> str | None:
    link = known.get(claim_id)
    return link.thread_id if link else None
