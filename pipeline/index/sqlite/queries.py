"""Reading the embedded index: filters as FTS5 tags or SQL, capped candidate sets, facets, pages of hits.

A claim search runs the match once for its best ``CANDIDATES`` claims (by
rank, or newest first without words); the first pages and the facets come
from that set (totals: :mod:`pipeline.index.sqlite.totals`); facet counts are exact whenever the matches fit in the set, and
otherwise count the best ``CANDIDATES``.
Interactive searches score only the newest ``RANK_WINDOW`` matches of their
words (exports score all), and on a large index a word found in more than
half the claims is treated as a stopword.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from pipeline.index import query
from pipeline.index.base import ArticleQuery, ClaimQuery
from pipeline.index.query import date_bounds, fts_expression, query_parts, ranking_words
from pipeline.index.sqlite import clauses, copies, tags
from pipeline.index.sqlite.facets import FACET_COLUMNS, Row
from pipeline.index.sqlite.packing import unpack
from pipeline.index.sqlite.plan import COUNTED, Plan, plan_of

CANDIDATES = 2000
# On a large index, a word in more than half the claims is a stopword: FTS5's bm25 gives it no
# weight (its idf is clamped to ~0) yet ranking its matches would cost a pass over most claims.
COMMON_WORD_MIN_CLAIMS = query.COMMON_WORD_MIN_CLAIMS
# Interactive searches rank at most the newest RANK_WINDOW matches (bounded bm25 work).
RANK_WINDOW = 2500
BM25 = "bm25(claims_fts, 4.0, 1.0, 2.0, 0.0)"  # content, sentence, speaker; the tags never rank
# Each period named by its first day; weeks start on Monday ('weekday 0' is the coming Sunday).
PERIODS = {
    "day": "substr(c.published, 1, 10)",
    "week": "date(substr(c.published, 1, 10), 'weekday 0', '-6 days')",
    "month": "substr(c.published, 1, 7) || '-01'",
}


class Where:
    """AND-ed SQL conditions with their parameters, in order."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: object) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def dates(self, column: str, since: date | None, until: date | None) -> None:
        """``column`` within [since, until] (inclusive days)."""
        low, high = date_bounds(since, until)
        if low:
            self.add(f"{column} >= ?", low)
        if high:
            self.add(f"{column} < ?", high)

    def sql(self) -> str:
        return " AND ".join(self.clauses or ["1"])


def _named(kind: str) -> str:
    """Values of ``kind`` in ``names`` containing the parameter, any case (what LIKE '%x%' finds)."""
    return f"SELECT value FROM names WHERE kind='{kind}' AND value LIKE ?"


def like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


TEXT_SOURCE = "FROM claims_fts JOIN claims c ON c.rid = claims_fts.rowid"
FTS_SOURCE = "FROM claims_fts"  # enough when the WHERE clause reads only the FTS table
# What a filter no name satisfies gives: no rows, over the same tables as a text match, so every
# statement built on a claim_where (FTS5's rowid and bm25, claim columns) is valid on it.
NOTHING: tuple[str, str, list[Any]] = (TEXT_SOURCE, "0", [])


class Match:
    """A claim query as an FTS5 expression (words and filter tags) plus conditions on the claim rows.

    With words or name filters, FTS5 finds the matches: the words in the text
    columns, name filters and (alongside them) exact values as tags (see
    :mod:`pipeline.index.sqlite.tags`). Dates, an exact value alone, and a name
    filter that resolves to very many names are checked on the claim rows;
    ``rows_only`` checks every filter on the rows (for a walk over the claims).
    Each filter's kind of clause comes from :data:`~pipeline.index.sqlite.clauses.CLAIM_CLAUSES`.
    """

    def __init__(self, conn: sqlite3.Connection, q: ClaimQuery, expression: str, rows_only: bool = False,
                 plan: Plan | None = None) -> None:
        self.fts: list[str] = [f"{tags.TEXT_COLUMNS} : ({expression})"] if expression else []
        self.rows = Where()  # conditions on the claim row
        self.fts_rows = Where()  # conditions on the FTS row id alone
        self.empty = False
        # The index a walk over the claim rows reads (see plan.drive_of); None: SQLite's planner decides.
        self.drive = plan.drive if plan and not rows_only else None
        chosen = clauses.claim_clauses(q)
        since, until = clauses.date_range(q)
        self.max_tokens = tags.MAX_TOKENS if not expression and len(chosen) == 1 else tags.MAX_TOKENS_BESIDE
        for clause, value in chosen:  # names first: whether there are tags decides how an exact value is checked
            if isinstance(clause, clauses.Names) and rows_only:
                self._row_filter(clause, str(value))
            elif isinstance(clause, clauses.Names):
                self._name_filter(conn, clause, str(value))
        redundant = plan.redundant if plan else frozenset()
        for clause, value in chosen:
            if isinstance(clause, clauses.Tag) and clause.kind not in redundant:
                self._exact(clause, str(value), dated=bool(since or until))
        if self.fts and (since or until):
            self._fts_dates(conn, q, plan or plan_of(conn, q, expression))
        else:  # a driving index has the date as its range column
            self.rows.dates("+c.published" if self.rows.clauses and self.drive is None else "c.published",
                            since, until)

    def _fts_dates(self, conn: sqlite3.Connection, q: ClaimQuery, plan: Plan) -> None:
        """FTS5 walks only the ids the range can hold; each match's date is read from its row, or (ids spread
        far wider than the range) looked up in the set of the range's claim ids from the date index."""
        dates = Where()
        dates.dates("published", *clauses.date_range(q))
        low, high = plan.counted.low, plan.counted.high
        self.fts_rows.add("claims_fts.rowid BETWEEN ? AND ?", *((low, high) if low is not None else (1, 0)))
        if plan.dated_rows:
            self.rows.add(dates.sql().replace("published", "+c.published"), *dates.params)
        else:  # no claim row read: '+' keeps FTS5 from being run once per id
            self.fts_rows.add(f"+claims_fts.rowid IN (SELECT rid FROM claims WHERE {dates.sql()})", *dates.params)

    def _exact(self, clause: clauses.Tag, value: str, dated: bool) -> None:
        """A tag beside other FTS5 terms; else the column ('+' keeps the planner on a better index)."""
        if self.fts:
            self.fts.append(f'tags : "{tags.token(clause.kind, value)}"')
        elif self.drive is not None:  # the plan chose the index: only its filter may use one
            driving = COUNTED.get(clause.kind) == self.drive
            self.rows.add(f"{'' if driving else '+'}{clause.column} = ?", value)
        else:
            column = f"+{clause.column}" if self.rows.clauses or dated else clause.column
            self.rows.add(f"{column} = ?", value)

    def _name_filter(self, conn: sqlite3.Connection, clause: clauses.Names, value: str) -> None:
        names = tags.names_like(conn, clause.kinds, like(value))
        if not names:
            self.empty = True
        elif len({tags.token(*name) for name in names}) <= self.max_tokens:
            self.fts.append(tags.any_of(names))
        else:
            self._row_filter(clause, value)

    def _row_filter(self, clause: clauses.Names, value: str) -> None:
        """Substrings of the distinct names, then indexed lookups of the claims with them."""
        first, second = (f"{_named(kind)} ESCAPE '\\'" for kind in clause.kinds)
        self.rows.add(clause.rows.format(first, second), *[like(value)] * 2)

    def expression(self) -> str:
        return " AND ".join(self.fts)


def claim_where(conn: sqlite3.Connection, q: ClaimQuery, expression: str | None = None,
                scan: bool = False, plan: Plan | None = None) -> tuple[str, str, list[Any]]:
    """``(FROM ... , WHERE ..., params)`` for the claims matching ``q`` (alias ``c``; see :class:`Match`).

    ``expression`` replaces the FTS5 expression of ``q.text`` (see :func:`text_expression`).
    ``scan``: no words; the claim rows drive (see :func:`newest_first_scan`) and every filter is checked
    on them (walking the newest claims until enough match beats collecting every match from FTS5).
    ``plan``: the search's plan (see :mod:`pipeline.index.sqlite.plan`; made here when needed and not given).
    """
    match = Match(conn, q, fts_expression(q.text) if expression is None else expression, rows_only=scan, plan=plan)
    if match.empty:
        return NOTHING
    where = Where()
    if match.fts:
        where.add("claims_fts MATCH ?", match.expression())
    for part in (match.fts_rows, match.rows):
        if part.clauses:
            where.add(part.sql(), *part.params)
    if not q.all_copies and copies.any_marked(conn, "copy_claims"):  # collapsed: a copy's claims stay out
        where.add(f"+{'claims_fts.rowid' if match.fts else 'c.rid'} NOT IN (SELECT rid FROM copy_claims)")
    if not match.fts and match.drive is not None and not scan:
        return f"FROM claims c INDEXED BY {match.drive}", where.sql(), where.params
    if not match.fts:
        return "FROM claims c", where.sql(), where.params
    return (TEXT_SOURCE if match.rows.clauses else FTS_SOURCE), where.sql(), where.params


def article_filters(where: Where, q: ArticleQuery) -> None:
    """The conditions of the filters set on an article query, on ``articles a`` (see ``ARTICLE_CLAUSES``)."""
    since, until = clauses.date_range(q)
    for clause, value in clauses.article_clauses(q):
        if isinstance(clause, clauses.Contains):
            where.add("(" + " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in clause.columns) + ")",
                      *[like(str(value))] * len(clause.columns))
        elif isinstance(clause, clauses.Equals):
            where.add(f"{clause.column} = ?", value)
    where.dates("a.published", since, until)
    if not q.all_copies:
        where.add("a.rid NOT IN (SELECT rid FROM copy_articles)")


class WordStats:
    """Claims per search word, from FTS5 itself, cached until the next write.

    Safe to share between threads (a server's per-thread connections share one, so a word
    is counted once per process rather than once per connection): the counts of one index
    version are swapped in as a whole, and a count made against an older version is dropped.
    """

    def __init__(self) -> None:
        self._seen: tuple[int | None, int, dict[str, int]] = (None, 0, {})  # version, claims, counts

    @property
    def claims(self) -> int:
        return self._seen[1]

    def refresh(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("SELECT writes FROM meta").fetchone()[0]
        if version != self._seen[0]:
            claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
            self._seen = (version, claims, {})

    def claims_with(self, conn: sqlite3.Connection, word: str) -> int:
        counts = self._seen[2]
        found = counts.get(word)
        if found is None:
            if len(counts) > 10_000:
                counts.clear()
            found = conn.execute("SELECT COUNT(*) FROM claims_fts WHERE claims_fts MATCH ?",
                                 (f'{tags.TEXT_COLUMNS} : "{word}"',)).fetchone()[0]
            counts[word] = found
        return found


def text_expression(conn: sqlite3.Connection, stats: WordStats, text: str) -> str:
    """The FTS5 expression of ``text`` without the words too common to rank (large indexes only)."""
    phrases, words = query_parts(text)
    if words:
        stats.refresh(conn)
    words = ranking_words(phrases, words, stats.claims, lambda w: stats.claims_with(conn, w), COMMON_WORD_MIN_CLAIMS)
    required = " AND ".join(f'"{p}"' for p in phrases)
    optional = " OR ".join(f'"{w}"' for w in words)
    return f"{required} AND ({optional})" if required and optional else required or optional


def newest_matches(conn: sqlite3.Connection, q: ClaimQuery, expression: str, plan: Plan | None = None,
                   limit: int = -1) -> list[int]:
    """Every match's claim id (``limit``: the first so many), newest first (highest id first), without
    scoring: one pass gives both the total (see :func:`pipeline.index.sqlite.totals.total_and_window`) and the rank window (the first
    RANK_WINDOW ids)."""
    source, where, params = claim_where(conn, q, expression, plan=plan)
    if (source, where) == NOTHING[:2]:
        return []
    rows = conn.execute(f"SELECT claims_fts.rowid {source} WHERE {where} ORDER BY claims_fts.rowid DESC LIMIT ?",
                        (*params, limit)).fetchall()
    return [rid for (rid,) in rows]


def window_start(conn: sqlite3.Connection, q: ClaimQuery, expression: str, plan: Plan | None = None) -> int | None:
    """The lowest claim id among the newest RANK_WINDOW matches (None when there are fewer).

    Walks the matches newest first without scoring them and stops there: cheap while FTS5 alone
    decides the matches (no dates); with dates, :func:`newest_matches` reads the date set once instead.
    """
    source, where, params = claim_where(conn, q, expression, plan=plan)
    if (source, where) == NOTHING[:2]:
        return None
    row = conn.execute(f"SELECT claims_fts.rowid {source} WHERE {where} ORDER BY claims_fts.rowid DESC"
                       " LIMIT 1 OFFSET ?", (*params, RANK_WINDOW - 1)).fetchone()
    return row[0] if row else None


def newest_bound(conn: sqlite3.Connection, q: ClaimQuery, plan: Plan | None = None) -> int | None:
    """A claim id below which none of the newest ``CANDIDATES`` matches of ``q`` (no words) lies, or None.

    Guarantee: every claim among the first CANDIDATES in result order (published newest first, then id)
    has an id at least the bound, so a walk from it gives exactly the first pages and facets a walk over
    every match gives. The CANDIDATES matches of highest id (FTS5 walks them newest first and stops) are
    CANDIDATES matches dated on or after the earliest day among them, so the first CANDIDATES in result
    order are all dated on or after that day; the day counts' ``low`` ids bound where those days' claims
    start. None when fewer than CANDIDATES matches are dated among them (they are all there is to sort).
    Claims are indexed roughly in publication order, so the walk from the bound reads about CANDIDATES
    matches plus those of the days a late article spans, whatever the index size.
    """
    source, where, params = claim_where(conn, q, "", plan=plan)
    if (source, where) == NOTHING[:2]:
        return None
    rid = "c.rid" if source.startswith("FROM claims c") else "claims_fts.rowid"
    dated, earliest = conn.execute(
        f"SELECT COUNT(p), MIN(p) FROM (SELECT c.published AS p {with_rows(source)} WHERE {where}"
        f" ORDER BY {rid} DESC LIMIT ?)", (*params, CANDIDATES)).fetchone()
    if dated < CANDIDATES:
        return None
    low = conn.execute("SELECT MIN(low) FROM claim_days WHERE day >= ? AND claims > 0",
                       (f"d{earliest[:10]}",)).fetchone()[0]
    return int(low) if low is not None else None


def order_of(ranked: bool) -> tuple[str, str]:
    """``(score expression, ORDER BY)``: best rank first, else newest first (undated last)."""
    return (f"-{BM25}", f"{BM25}, c.rid") if ranked else ("0.0", "c.published DESC, c.rid")


def ranked_rows(conn: sqlite3.Connection, q: ClaimQuery, expression: str, limit: int, offset: int = 0,
                scan: bool = False, within: list[int] | None = None, start: int | None = None,
                plan: Plan | None = None) -> list[Row]:
    """The matches ``offset`` … ``offset + limit`` in result order, with their facet values.

    Interactive searches rank a window of the newest matches (bm25 reads every match it scores):
    ``within`` names them (from :func:`newest_matches`; the filters are not checked again), or
    ``start`` bounds them (from :func:`window_start`); without words, ``start`` is the
    :func:`newest_bound` of the matches (the first CANDIDATES rows are the same with it and without).
    ``scan``: see :func:`pipeline.index.sqlite.totals.newest_first_scan`.
    """
    if within is not None and expression:
        # The ids bound FTS5's walk (a rowid range it seeks to), and each match in it is looked up
        # in their set; '+' keeps the planner from running the MATCH once per id.
        source, where = TEXT_SOURCE, ("claims_fts MATCH ? AND claims_fts.rowid >= ?"
                                      " AND +claims_fts.rowid IN (SELECT value FROM json_each(?))")
        params = [f"{tags.TEXT_COLUMNS} : ({expression})", min(within, default=0), json.dumps(within)]
    else:
        source, where, params = claim_where(conn, q, expression, scan=scan, plan=plan)
    if start is not None and within is None:
        rid = "claims_fts.rowid" if expression or not source.startswith("FROM claims c") else "c.rid"
        where, params = f"{where} AND {rid} >= ?", [*params, start]
    if scan:
        source = "FROM claims c INDEXED BY claims_by_published"
    score, order = order_of(bool(expression))
    columns = ", ".join(FACET_COLUMNS.values())
    sql = (f"SELECT c.rid, {score}, {columns} {with_rows(source)}"
           f" WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?")
    return conn.execute(sql, (*params, limit, offset)).fetchall()


def with_rows(source: str) -> str:
    """``source`` joined to the claim rows (alias ``c``) if it is the FTS table alone."""
    return TEXT_SOURCE if source == FTS_SOURCE else source


def docs(conn: sqlite3.Connection, rids: list[int]) -> dict[int, tuple[str, str]]:
    """``rid -> (claim JSON, article id)``."""
    rows = conn.execute("SELECT c.rid, d.doc, c.article_id FROM claims c JOIN claim_docs d ON d.rid = c.rid"
                        " WHERE c.rid IN (SELECT value FROM json_each(?))", (json.dumps(rids),))
    return {rid: (unpack(doc), article_id) for rid, doc, article_id in rows}


def highlights(conn: sqlite3.Connection, expression: str, rids: list[int], lowest: int | None = None) -> dict[int, str]:
    """The content of each claim with matched words marked ``[[ ]]``.

    FTS5 walks every match of ``expression`` to find the ids; ``lowest`` (no id below it) lets it
    start at the rank window instead of the oldest match.
    """
    bound, params = ("AND rowid >= ? AND +rowid", [lowest]) if lowest is not None else ("AND rowid", [])
    rows = conn.execute("SELECT rowid, highlight(claims_fts, 0, '[[', ']]') FROM claims_fts"
                        f" WHERE claims_fts MATCH ? {bound} IN (SELECT value FROM json_each(?))",
                        (expression, *params, json.dumps(rids)))
    return dict(rows.fetchall())


def article_refs(conn: sqlite3.Connection, article_ids: set[str]) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute("SELECT id, title, url, published, source_name FROM articles"
                        " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(article_ids)),))
    return {row[0]: row[1:] for row in rows}
