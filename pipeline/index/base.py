"""The search index protocol shared by SQLite FTS5 and Elasticsearch.

One document per article and one per claim, each keyed by its record id, so
writing the same enriched article twice leaves the index unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from pipeline.errors import InputError
from pipeline.filters import ARTICLE_FILTERS, CLAIM_FILTERS, Filter, Value
from pipeline.filters import FACETS as FACETS  # what a claim search counts: declared with the filters
from pipeline.records import Claim, EnrichedArticle

FACET_SIZE = 10  # top values per facet
INTERVALS = ("day", "week", "month")


TOTAL_BOUND = 10_000
"""Totals are counted exactly up to this many matches; beyond it a search reports a lower bound."""


@dataclass(frozen=True, slots=True)
class ClaimQuery:
    """What to look for. Empty ``text`` matches every claim; filters combine with AND.

    ``speaker`` and ``entity`` match canonical names or the text as written,
    case-insensitively; ``source`` matches the outlet name or domain;
    ``since``/``until`` are inclusive dates on the article's publication date.
    ``after`` is the cursor from a previous page (deep paging). One field per
    filter of :data:`pipeline.filters.CLAIM_FILTERS`, named as the filter.
    """

    text: str = ""
    speaker: str | None = None
    entity: str | None = None
    stance: str | None = None
    source: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int = 10
    after: str | None = None
    facets: bool = True
    all_copies: bool = False  # False: wire copies are left out, each shown under its original (hit.copies)

    def __post_init__(self) -> None:
        check_date_range(self.since, self.until)

    def filter_values(self) -> dict[str, Value]:
        """The filters set on this query by name, in declaration order (what the backends' clause tables read)."""
        return _set_filters(self, CLAIM_FILTERS)


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """As :class:`ClaimQuery`, over articles: one field per filter of :data:`pipeline.filters.ARTICLE_FILTERS`."""

    text: str = ""
    source: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int = 10
    after: str | None = None
    all_copies: bool = False  # as on ClaimQuery

    def __post_init__(self) -> None:
        check_date_range(self.since, self.until)

    def filter_values(self) -> dict[str, Value]:
        """The filters set on this query by name, in declaration order."""
        return _set_filters(self, ARTICLE_FILTERS)


def _set_filters(query: ClaimQuery | ArticleQuery, filters: tuple[Filter, ...]) -> dict[str, Value]:
    return {f.name: value for f in filters if (value := getattr(query, f.name)) is not None}


def check_date_range(since: date | None, until: date | None) -> None:
    """InputError for an empty range (the one place it is checked: every query is built through here)."""
    if since and until and since > until:
        raise InputError(f"since ({since}) is after until ({until})")


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """What a claim hit shows of its article."""

    id: str
    title: str
    url: str
    published: str | None
    source: str


@dataclass(frozen=True, slots=True)
class ClaimHit:
    claim: Claim
    article: ArticleRef
    score: float
    highlight: str | None = None  # content with matched terms marked by [[ ]]
    copies: tuple[ArticleRef, ...] = ()  # the article's wire copies, collapsed under it (all_copies off)


@dataclass(frozen=True, slots=True)
class ArticleHit:
    article: ArticleRef
    score: float
    snippet: str = ""
    copies: tuple[ArticleRef, ...] = ()  # as on ClaimHit


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of hits, the total number of matches, facets and the next page's cursor.

    ``total`` is exact when ``total_exact``; otherwise the backend stopped
    counting at ``TOTAL_BOUND`` matches and ``total`` is that lower bound
    (shown to users as "10,000+"), so a query matching half the archive costs
    no more to count than one matching ten thousand claims.
    """

    total: int
    hits: Sequence[ClaimHit | ArticleHit]
    facets: Mapping[str, Sequence[tuple[str, int]]] = field(default_factory=dict)
    next_cursor: str | None = None
    total_exact: bool = True


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """Where a claim sits in the claim threads (see :mod:`pipeline.threads.assign`).

    ``thread_id`` is the smallest claim id in the thread; ``stance`` is the
    claim's article's stance toward the thread (agree, disagree, discuss);
    ``denies`` are the ids of the claims this claim denies; ``source`` (the
    outlet) and ``speaker`` (canonical, "" when unattributed) let a thread be
    summarized without reading its claims.
    """

    claim_id: str
    article_id: str
    thread_id: str
    stance: str
    denies: tuple[str, ...] = ()
    source: str = ""
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class CopyEntry:
    """An article's wire-copy state, kept in the index so every worker sees every article's (see
    :mod:`pipeline.copies.detect`).

    ``copy_of`` is the id of the cluster's original (None: this article is an
    original); every copy points straight at the original, never at another
    copy. ``seen`` orders articles first seen to last (ISO time, then id);
    ``signature`` and ``size`` are the MinHash and shingle count
    (:mod:`pipeline.copies.signature`); ``bands`` are its LSH band keys.
    """

    article_id: str
    copy_of: str | None
    published: str | None
    seen: str
    size: int
    signature: bytes
    bands: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndexFailure:
    """A document the index refused for good (bad data, not an outage)."""

    article_id: str
    reason: str


class Index(Protocol):
    def ensure_schema(self) -> None:
        """Create tables / indices, templates and aliases if missing. Idempotent."""

    def exists(self) -> bool:
        """Whether the index has been created (by :meth:`ensure_schema`); creates and changes nothing.

        Opening the embedded SQLite index creates its file, so it always exists
        once open: ask before opening it (``pipeline.backends.index_exists``).
        """

    def upsert(self, batch: Sequence[EnrichedArticle]) -> list[IndexFailure]:
        """Write each article and its claims, replacing earlier versions by id.

        Idempotent; safe to retry. Claims the article no longer has are
        removed, so the index holds exactly one document per current claim.
        Raises BackendUnavailable when the index cannot be reached (nothing
        should be committed then); returns the articles refused for good.
        """

    def search_claims(self, query: ClaimQuery) -> SearchResult: ...

    def search_articles(self, query: ArticleQuery) -> SearchResult: ...

    def get_claim(self, claim_id: str) -> ClaimHit | None:
        """One claim with its article reference (score 0), or None when no such claim is indexed."""

    def get_article(self, article_id: str) -> EnrichedArticle | None:
        """The article with its text, entities and current claims (offsets into the text), or None."""

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, EnrichedArticle]:
        """:meth:`get_article` for several ids at once (one round trip per kind of document on
        Elasticsearch), by article id; ids not indexed are left out. Sees every completed write at once."""

    def claim_histogram(self, query: ClaimQuery, interval: str) -> list[tuple[str, int]]:
        """Matches of ``query`` per publication period, oldest first; undated claims are left out.

        ``interval`` is one of :data:`INTERVALS`; a period is named by its first
        day (``YYYY-MM-DD``; weeks start on Monday). Periods without matches are omitted.
        """

    def put_thread_links(self, links: Sequence[ThreadLink]) -> None:
        """Write thread links, replacing earlier ones by claim id; idempotent.

        :meth:`thread_links` and this index object's :meth:`thread_members`
        see them at once; other readers after :meth:`refresh` (Elasticsearch
        also refreshes on its own within about a second). Links live apart
        from the claim documents, so re-indexing an article keeps its claims' threads.
        """

    def thread_links(self, claim_ids: Sequence[str]) -> dict[str, ThreadLink]:
        """The links of those of ``claim_ids`` that have one, by claim id."""

    def thread_members(self, thread_ids: Sequence[str]) -> list[ThreadLink]:
        """Every link in the given threads, ordered by claim id."""

    def similar_claims(self, text: str, limit: int) -> list[Claim]:
        """The claims that best match ``text`` (ranked as :meth:`search_claims` ranks, any word may
        match), without totals, facets or highlights: the cheap lookup thread assignment makes per claim."""

    def similar_claims_many(self, texts: Sequence[str], limit: int) -> list[list[Claim]]:
        """:meth:`similar_claims` of each text, in order (one request on Elasticsearch); an empty text
        finds nothing. An outage raises BackendUnavailable for the whole call."""

    # --- wire copies (pipeline.copies.detect decides; the index keeps the state all workers share) ---

    def copy_candidates(self, bands: Sequence[str]) -> list[CopyEntry]:
        """The stored entries sharing any of ``bands`` (LSH candidates, unverified). Sees every
        completed :meth:`put_copies` of this index object at once, other writers' after a refresh."""

    def copy_entries(self, article_ids: Sequence[str]) -> dict[str, CopyEntry]:
        """The stored entries of those of ``article_ids`` that have one (real time), by article id."""

    def copies_pointing_to(self, original_ids: Sequence[str]) -> list[CopyEntry]:
        """Every stored entry whose ``copy_of`` is one of ``original_ids``, by article id."""

    def put_copies(self, entries: Sequence[CopyEntry]) -> None:
        """Write entries, replacing earlier ones by article id, and set ``copy_of`` on the articles and
        claims already indexed (an article indexed later takes it from its entry). Idempotent."""

    def copies_of(self, article_ids: Sequence[str]) -> dict[str, list[ArticleRef]]:
        """The indexed copies of each of ``article_ids`` that has any (oldest first), by original id."""

    def counts(self) -> dict[str, int]:
        """Documents per kind: ``{"articles": n, "claims": m}``."""

    def language_counts(self) -> dict[str, int]:
        """Articles per language code, most first (ties by code)."""

    def refresh(self) -> None:
        """Make everything written so far visible to search."""

    def close(self) -> None: ...
