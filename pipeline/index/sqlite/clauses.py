"""How each search filter reads the embedded index: the one table per kind of document, keyed by filter name.

A claim filter (see :mod:`pipeline.filters`) is one of three kinds of clause here.
:class:`Names`: a substring of a name (speaker, entity, outlet), resolved
against the distinct ``names`` and matched as FTS5 tags, or on the claim rows
when it resolves to very many names. :class:`Tag`: an exact value, stored as
a tag and in a claim column. :class:`Published`: one end of the inclusive
publication-date range. An article filter is :class:`Contains`, :class:`Equals`
or :class:`Published`. :mod:`pipeline.index.sqlite.queries` turns them into SQL;
a new filter of an existing kind is one entry (plus its stored field).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pipeline.index.base import ArticleQuery, ClaimQuery


@dataclass(frozen=True, slots=True)
class Names:
    """Names of either of ``kinds`` (kinds of the ``names`` table and of tags) containing the value.

    ``rows`` is the condition on a claim row (alias ``c``) when the names are too many for tags:
    ``{0}`` and ``{1}`` stand for the names of the first and second kind (each a subquery).
    """

    kinds: tuple[str, str]
    rows: str


@dataclass(frozen=True, slots=True)
class Tag:
    """An exact value: the tag of ``kind`` alongside other tags, else ``column`` on the claim row."""

    kind: str
    column: str


@dataclass(frozen=True, slots=True)
class Published:
    """One end of the inclusive publication-date range."""

    end: Literal["since", "until"]


@dataclass(frozen=True, slots=True)
class Contains:
    """A substring of any of ``columns``, any case (articles: no names table, no tags)."""

    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Equals:
    """An exact value of ``column`` (articles; on claims an exact value is a :class:`Tag`)."""

    column: str


ClaimClause = Names | Tag | Published
ArticleClause = Contains | Equals | Published

CLAIM_CLAUSES: dict[str, ClaimClause] = {
    "speaker": Names(("speaker", "speaker_text"), "(c.speaker IN ({0}) OR c.speaker_text IN ({1}))"),
    "entity": Names(("entity", "entity_text"), "EXISTS (SELECT 1 FROM claim_entities x WHERE x.claim_rid = c.rid"
                                               " AND (x.name IN ({0}) OR x.text IN ({1})))"),
    "stance": Tag("stance", "c.stance"),
    "source": Names(("source", "domain"), "(c.source IN ({0}) OR c.domain IN ({1}))"),
    "language": Tag("language", "c.language"),
    "since": Published("since"),
    "until": Published("until"),
}
ARTICLE_CLAUSES: dict[str, ArticleClause] = {
    "source": Contains(("a.source_name", "a.source_domain")),
    "language": Equals("a.language"),
    "since": Published("since"),
    "until": Published("until"),
}


def claim_clauses(q: ClaimQuery) -> list[tuple[ClaimClause, object]]:
    """The clause and value of each filter set on ``q``, in declaration order."""
    return [(CLAIM_CLAUSES[name], value) for name, value in q.filter_values().items()]


def article_clauses(q: ArticleQuery) -> list[tuple[ArticleClause, object]]:
    return [(ARTICLE_CLAUSES[name], value) for name, value in q.filter_values().items()]


def date_range(q: ClaimQuery | ArticleQuery) -> tuple[date | None, date | None]:
    """``(since, until)`` of the date filters set on ``q``."""
    table: dict[str, ClaimClause] | dict[str, ArticleClause] = CLAIM_CLAUSES if isinstance(q, ClaimQuery) \
        else ARTICLE_CLAUSES
    ends: dict[str, date] = {}
    for name, value in q.filter_values().items():
        clause = table[name]
        if isinstance(clause, Published) and isinstance(value, date):
            ends[clause.end] = value
    return ends.get("since"), ends.get("until")


def has_dates(q: ClaimQuery) -> bool:
    return date_range(q) != (None, None)


def has_names(q: ClaimQuery) -> bool:
    """Whether a name filter is set (FTS5 alone can count its matches)."""
    return any(isinstance(clause, Names) for clause, _ in claim_clauses(q))
