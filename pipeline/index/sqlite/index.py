"""The embedded index: SQLite tables plus FTS5 (porter stemming) for text and filter tags.

Upserts replace an article and all its claims in one transaction, so a
reader sees either the old or the new version, and a retried batch leaves
exactly one row per article and per current claim. The layout and the
search strategy (filters as FTS5 tags or indexed lookups, one unscored pass
for totals and rank windows, capped candidate sets for facets) live in
``schema``, ``tags`` and ``queries``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.index.base import (
    ArticleHit,
    ArticleQuery,
    ArticleRef,
    ClaimHit,
    ClaimQuery,
    CopyEntry,
    IndexFailure,
    SearchResult,
    ThreadLink,
)
from pipeline.index.query import Slot, decode_cursor, encode_cursor, fts_expression
from pipeline.index.result_cache import ResultCache
from pipeline.index.retention import Progress, PruneCounts, PrunePlan
from pipeline.index.sqlite import clauses, copies, prune, threads, totals
from pipeline.index.sqlite import queries as read
from pipeline.index.sqlite.compact import compact
from pipeline.index.sqlite.documents import replace_article
from pipeline.index.sqlite.facets import facets as count_facets
from pipeline.index.sqlite.packing import unpack
from pipeline.index.sqlite.plan import plan_of
from pipeline.index.sqlite.schema import ensure_schema
from pipeline.records import Claim, EnrichedArticle, entity_from_dict, from_dict
from pipeline.sqlitedb import Transaction, connect

CURSOR: tuple[Slot, ...] = ("offset",)  # a page cursor holds the next page's row offset


class SqliteIndex:
    """The :class:`~pipeline.index.base.Index` over one SQLite file."""

    def __init__(self, path: str | Path, cache: ResultCache | None = None, words: read.WordStats | None = None,
                 mmap_bytes: int = 0) -> None:
        """``cache``: remember claim search results until the index changes; ``words``: the claims per
        search word, likewise (both may be shared by a server's threads). ``mmap_bytes``: read the file
        through a memory map of up to that size (connections then share the OS page cache instead of
        each copying pages into its own; a server's readers when ``[index] sqlite_mmap_mb`` is set)."""
        self.path = Path(path)
        self._conn = connect(self.path)
        if mmap_bytes:
            self._conn.execute(f"PRAGMA mmap_size={int(mmap_bytes)}")
        self._words = words or read.WordStats()
        self._cache = cache
        self.ensure_schema()

    def ensure_schema(self) -> None:
        ensure_schema(self._conn)
        self._conn.executescript(threads.SCHEMA)

    def exists(self) -> bool:
        """Whether the index tables are there: always, once open (opening creates the file and its schema)."""
        return self._conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='claims'").fetchone() \
            is not None

    def upsert(self, batch: Sequence[EnrichedArticle]) -> list[IndexFailure]:
        with Transaction(self._conn) as c:
            for enriched in batch:
                replace_article(c, enriched)
            c.execute("UPDATE meta SET writes = writes + 1")
        return []

    # --- wire copies (see pipeline.index.sqlite.copies) ---------------------------------

    def copy_candidates(self, bands: Sequence[str]) -> list[CopyEntry]:
        return copies.candidates(self._conn, bands)

    def copy_entries(self, article_ids: Sequence[str]) -> dict[str, CopyEntry]:
        return copies.entries(self._conn, article_ids)

    def copies_pointing_to(self, original_ids: Sequence[str]) -> list[CopyEntry]:
        return copies.pointing_to(self._conn, original_ids)

    def put_copies(self, entries: Sequence[CopyEntry]) -> None:
        with Transaction(self._conn) as c:
            copies.put(c, entries)
            c.execute("UPDATE meta SET writes = writes + 1")

    def copies_of(self, article_ids: Sequence[str]) -> dict[str, list[ArticleRef]]:
        return copies.copies_of(self._conn, article_ids)

    def _with_copies(self, result: SearchResult, collapse: bool) -> SearchResult:
        """Each hit with its article's copies (collapsed searches only: with every copy shown, none)."""
        if not collapse or not result.hits:
            return result
        found = self.copies_of([h.article.id for h in result.hits])
        return replace(result, hits=[replace(h, copies=tuple(found.get(h.article.id, ()))) for h in result.hits])

    # --- threads -----------------------------------------------------------------------

    def put_thread_links(self, links: Sequence[ThreadLink]) -> None:
        threads.put_links(self._conn, links)

    def thread_links(self, claim_ids: Sequence[str]) -> dict[str, ThreadLink]:
        return threads.links_of(self._conn, claim_ids)

    def thread_members(self, thread_ids: Sequence[str]) -> list[ThreadLink]:
        return threads.members(self._conn, thread_ids)

    def similar_claims(self, text: str, limit: int) -> list[Claim]:
        expression = read.text_expression(self._conn, self._words, text)
        if not expression:
            return []
        rows = read.ranked_rows(self._conn, ClaimQuery(text=text, facets=False), expression, limit)
        docs = read.docs(self._conn, [row[0] for row in rows])
        return [from_dict(json.loads(docs[row[0]][0])) for row in rows if row[0] in docs]

    def similar_claims_many(self, texts: Sequence[str], limit: int) -> list[list[Claim]]:
        return [self.similar_claims(text, limit) for text in texts]

    def counts(self) -> dict[str, int]:
        articles = self._conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        claims = self._conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        return {"articles": articles, "claims": claims}

    def language_counts(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT COALESCE(language, 'und'), COUNT(*) AS n FROM articles"
                                  " GROUP BY 1 ORDER BY n DESC, 1").fetchall()
        return {language: n for language, n in rows}

    # --- retention (pipeline prune; see pipeline.index.retention) -------------------

    def prune_plan(self, before: date) -> PrunePlan:
        return prune.plan(self._conn, before)

    def drop_expired_indices(self, before: date) -> list[str]:
        """One file, no per-period units: old documents go row by row (:meth:`prune_batch`)."""
        return []

    def prune_batch(self, before: date, limit: int) -> PruneCounts:
        return prune.prune_batch(self._conn, before, limit)

    def compact(self, progress: Progress | None = None, vacuum: bool = False) -> str:
        return compact(self._conn, progress, vacuum)

    def refresh(self) -> None:
        """Nothing to do: a committed transaction is visible at once."""

    def close(self) -> None:
        self._conn.close()

    # --- claims ----------------------------------------------------------------

    def search_claims(self, query: ClaimQuery) -> SearchResult:
        if self._cache is None:
            return self._search_claims(query)
        return self._cache.get(query, self._version(), lambda: self._search_claims(query))

    def _version(self) -> int:
        """Grows with every write transaction, whichever process wrote."""
        return int(self._conn.execute("SELECT writes FROM meta").fetchone()[0])

    def _search_claims(self, query: ClaimQuery) -> SearchResult:
        offset = _offset(query.after)
        end = offset + query.limit
        expression = read.text_expression(self._conn, self._words, query.text)
        # Interactive searches (facets wanted) rank at most a window of the newest text matches;
        # exports (no facets) rank every match. Either way every page comes from the same order.
        windowed = query.facets and bool(expression)
        plan = plan_of(self._conn, query, expression)  # counted filters alone: the total is known
        names_only = _names_only(query, expression)
        total, scan = _known(plan.total), False
        if names_only:  # name filters alone: count first; when they match many claims, walking the newest is cheaper
            decide = totals.scan_threshold(plan.counted.claims)  # counted that far, the choice is a full count's
            total, matches = totals.count(self._conn, query, expression, plan, decide=decide)
            scan = totals.newest_first_scan(query, expression, matches, plan.counted.claims)
        within, start = None, None
        if windowed and clauses.has_dates(query):  # one pass reads the date set once: total and window
            total, within = totals.total_and_window(self._conn, query, expression, plan)
        elif windowed and _filtered(query):
            # The window's ids, so bm25 scores them on the words alone: FTS5's bm25 reads the whole posting
            # list of every phrase of its expression once (for the idf), and a filter's tag may be in most claims.
            within = read.newest_matches(self._conn, query, expression, plan, limit=read.RANK_WINDOW)
            total = _known(len(within) if len(within) < read.RANK_WINDOW else None)  # every match is in the window
        elif windowed:
            start = read.window_start(self._conn, query, expression, plan)
        elif not expression and not scan and clauses.has_names(query) and end < read.CANDIDATES:
            # Names as FTS5 tags, newest first: walk from where the first CANDIDATES can be, not every match
            # (the row after the page too: it tells whether there is a next page).
            start = read.newest_bound(self._conn, query, plan)
        window: dict[str, Any] = {"scan": scan, "within": within, "start": start, "plan": plan}
        candidates = read.ranked_rows(self._conn, query, expression, read.CANDIDATES, **window) if query.facets else []
        # Fewer candidates than asked for: they are every row of the listing (of the window, if one is set).
        complete = query.facets and len(candidates) < read.CANDIDATES
        if query.facets and (end < len(candidates) or complete):  # the page (and the row after it) are candidates
            rows = candidates[offset:end + 1]
        else:
            rows = read.ranked_rows(self._conn, query, expression, query.limit + 1, offset, **window)
        page = [row[:2] for row in rows[:query.limit]]
        if complete and start is None and within is None and not (total and total[1]):
            total = (len(candidates), True)  # every match is a candidate: exact for free
        elif total is None:
            total = totals.count(self._conn, query, expression, plan)[0]
        facets = count_facets(candidates) if query.facets else {}
        # Without filters the window holds the newest RANK_WINDOW matches of the words alone, so a highlight
        # walk from its start is short; with filters it may reach back over most of the words' matches,
        # and FTS5 walks a bounded range more slowly than an open one (measured).
        hits = self._claim_hits(expression, page, lowest=None if _filtered(query) else start)
        # The row after the page decides, not the total (a bound, past which paging goes on); a short
        # page ends the listing even when a window left matches out of the ranking.
        more = len(rows) > query.limit
        result = SearchResult(total[0], hits, facets, encode_cursor([offset + len(hits)]) if more else None,
                              total_exact=total[1])
        return self._with_copies(result, not query.all_copies)

    def _claim_hits(self, expression: str, page: list[tuple[int, float]], lowest: int | None = None) -> list[ClaimHit]:
        """The hits of ``page`` (claim ids and scores); ``lowest``: no claim id on it is lower (a rank window's start)."""
        rids = [rid for rid, _ in page]
        docs = read.docs(self._conn, rids)
        marks = read.highlights(self._conn, expression, rids, lowest) if expression else {}
        refs = self._article_refs({article_id for _, article_id in docs.values()})
        return [ClaimHit(from_dict(json.loads(docs[rid][0])), refs[docs[rid][1]], float(score or 0.0), marks.get(rid))
                for rid, score in page]

    def _article_refs(self, article_ids: set[str]) -> dict[str, ArticleRef]:
        found = read.article_refs(self._conn, article_ids)
        return {i: ArticleRef(i, *_ref_fields(found.get(i))) for i in article_ids}

    def get_claim(self, claim_id: str) -> ClaimHit | None:
        row = self._conn.execute("SELECT rid FROM claims WHERE id=?", (claim_id,)).fetchone()
        return self._claim_hits("", [(row[0], 0.0)])[0] if row else None

    def get_article(self, article_id: str) -> EnrichedArticle | None:
        row = self._conn.execute("SELECT doc, entities FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            return None
        claims = self._conn.execute("SELECT d.doc FROM claims c JOIN claim_docs d ON d.rid = c.rid"
                                    " WHERE c.article_id=? ORDER BY c.rid", (article_id,))
        return EnrichedArticle(
            from_dict(json.loads(row[0])),
            entities=tuple(entity_from_dict(e) for e in json.loads(row[1] or "[]")),
            claims=tuple(from_dict(json.loads(unpack(doc))) for (doc,) in claims))

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, EnrichedArticle]:
        return {i: a for i in dict.fromkeys(article_ids) if (a := self.get_article(i)) is not None}

    def claim_histogram(self, query: ClaimQuery, interval: str) -> list[tuple[str, int]]:
        expression = read.text_expression(self._conn, self._words, query.text)
        source, where, params = read.claim_where(self._conn, replace(query, after=None), expression)
        source = read.with_rows(source)
        sql = (f"SELECT {read.PERIODS[interval]} AS period, COUNT(*) {source} WHERE {where}"
               " AND c.published IS NOT NULL GROUP BY period ORDER BY period")
        return [(p, n) for p, n in self._conn.execute(sql, params)]

    # --- articles ----------------------------------------------------------------

    def search_articles(self, query: ArticleQuery) -> SearchResult:
        where = read.Where()
        join = ""
        if expression := fts_expression(query.text):
            join = "JOIN articles_fts f ON f.rowid = a.rid"
            where.add("articles_fts MATCH ?", expression)
        read.article_filters(where, query)
        base, params = f"FROM articles a {join} WHERE {where.sql()}", where.params
        total, exact = totals.bounded(totals.count_upto(self._conn, base, params))
        offset = _offset(query.after)
        if expression:
            select = "a.id, a.title, a.url, a.published, a.source_name, -bm25(articles_fts, 3.0, 1.0, 1.0), " \
                     "snippet(articles_fts, 1, '[[', ']]', ' … ', 24)"
            order = "bm25(articles_fts, 3.0, 1.0, 1.0), a.rid"
        else:
            select, order = "a.id, a.title, a.url, a.published, a.source_name, 0.0, ''", "a.published DESC, a.rid"
        rows = self._conn.execute(f"SELECT {select} {base} ORDER BY {order} LIMIT ? OFFSET ?",
                                  (*params, query.limit + 1, offset)).fetchall()  # one more: is there a next page
        hits = [ArticleHit(ArticleRef(i, t or "", u or "", p, s or ""), float(sc), sn or "")
                for i, t, u, p, s, sc, sn in rows[:query.limit]]
        more = len(rows) > query.limit
        result = SearchResult(total, hits, {}, encode_cursor([offset + len(hits)]) if more else None,
                              total_exact=exact)
        return self._with_copies(result, not query.all_copies)


def _ref_fields(row: tuple[Any, ...] | None) -> tuple[str, str, str | None, str]:
    if row is None:
        return "", "", None, ""
    title, url, published, source = row
    return title or "", url or "", published, source or ""


def _filtered(query: ClaimQuery) -> bool:
    return bool(query.filter_values())


def _names_only(query: ClaimQuery, expression: str) -> bool:
    """Name filters (and perhaps exact values) without words or dates: FTS5 counts those matches cheaply."""
    return not expression and clauses.has_names(query) and not clauses.has_dates(query)


def _known(total: int | None) -> tuple[int, bool] | None:
    """A total known without counting (exact at any size: exact is better when it is free), or None."""
    return None if total is None else (total, True)


def _offset(cursor: str | None) -> int:
    """The row offset a page cursor of this backend holds (0 without one)."""
    position = decode_cursor(cursor, CURSOR)
    return 0 if position is None else position[0]
