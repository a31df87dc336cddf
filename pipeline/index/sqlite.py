"""The embedded index: SQLite tables plus FTS5 (porter stemming) for text.

Upserts replace an article and all its claims in one transaction, so a
reader sees either the old or the new version, and a retried batch leaves
exactly one row per article and per current claim.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.index.base import (
    FACET_SIZE,
    FACETS,
    ArticleHit,
    ArticleQuery,
    ArticleRef,
    ClaimHit,
    ClaimQuery,
    IndexFailure,
    SearchResult,
)
from pipeline.index.query import date_bounds, decode_cursor, encode_cursor, fts_expression
from pipeline.records import EnrichedArticle, Entity, from_dict, to_dict
from pipeline.sqlitedb import Transaction, connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles(
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT, url TEXT, source_name TEXT,
    source_domain TEXT, published TEXT, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, source, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS claims(
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL, speaker_text TEXT,
    speaker_canonical TEXT, stance TEXT NOT NULL, quote INTEGER NOT NULL, source_name TEXT,
    source_domain TEXT, published TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_article ON claims(article_id);
CREATE INDEX IF NOT EXISTS claims_by_speaker ON claims(speaker_canonical COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS claim_entities(claim_rid INTEGER NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS claim_entities_by_claim ON claim_entities(claim_rid);
CREATE INDEX IF NOT EXISTS claim_entities_by_name ON claim_entities(name COLLATE NOCASE);
CREATE VIRTUAL TABLE IF NOT EXISTS claims_fts USING fts5(content, sentence, speaker, tokenize='porter unicode61');
"""

# Each period named by its first day; weeks start on Monday ('weekday 0' is the coming Sunday).
_PERIODS = {
    "day": "substr(c.published, 1, 10)",
    "week": "date(substr(c.published, 1, 10), 'weekday 0', '-6 days')",
    "month": "substr(c.published, 1, 7) || '-01'",
}


class SqliteIndex:
    """The :class:`~pipeline.index.base.Index` over one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = connect(self.path)
        self.ensure_schema()

    def ensure_schema(self) -> None:
        self._conn.executescript(SCHEMA)
        _add_column(self._conn, "articles", "entities", "TEXT")  # files written before article views

    def upsert(self, batch: Sequence[EnrichedArticle]) -> list[IndexFailure]:
        with Transaction(self._conn) as c:
            for enriched in batch:
                self._replace_article(c, enriched)
        return []

    def counts(self) -> dict[str, int]:
        articles = self._conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        claims = self._conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        return {"articles": articles, "claims": claims}

    def refresh(self) -> None:
        """Nothing to do: a committed transaction is visible at once."""

    def close(self) -> None:
        self._conn.close()

    # --- writing ---------------------------------------------------------------

    def _replace_article(self, c: sqlite3.Connection, enriched: EnrichedArticle) -> None:
        a = enriched.article
        doc = json.dumps(to_dict(a), ensure_ascii=False)
        old = c.execute("SELECT rid FROM articles WHERE id=?", (a.id,)).fetchone()
        if old:
            c.execute("DELETE FROM articles_fts WHERE rowid=?", (old[0],))
            c.execute("DELETE FROM articles WHERE rid=?", (old[0],))
        entities = json.dumps([asdict(e) for e in enriched.entities], ensure_ascii=False)
        cur = c.execute(
            "INSERT INTO articles(id, title, url, source_name, source_domain, published, doc, entities)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (a.id, a.title, a.url, a.source.name, a.source.domain, a.published, doc, entities))
        c.execute("INSERT INTO articles_fts(rowid, title, text, source) VALUES (?,?,?,?)",
                  (cur.lastrowid, a.title, a.text, a.source.name))
        self._replace_claims(c, enriched)

    def _replace_claims(self, c: sqlite3.Connection, enriched: EnrichedArticle) -> None:
        a = enriched.article
        for (rid,) in c.execute("SELECT rid FROM claims WHERE article_id=?", (a.id,)).fetchall():
            c.execute("DELETE FROM claims_fts WHERE rowid=?", (rid,))
            c.execute("DELETE FROM claim_entities WHERE claim_rid=?", (rid,))
        c.execute("DELETE FROM claims WHERE article_id=?", (a.id,))
        for claim in enriched.claims:
            sp = claim.speaker
            cur = c.execute(
                "INSERT INTO claims(id, article_id, speaker_text, speaker_canonical, stance, quote, source_name,"
                " source_domain, published, doc) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (claim.id, a.id, sp.text if sp else None, sp.canonical if sp else None, claim.stance,
                 int(claim.quote), a.source.name, a.source.domain, a.published,
                 json.dumps(to_dict(claim), ensure_ascii=False)))
            rid = cur.lastrowid
            speaker = f"{sp.text} {sp.canonical}" if sp else ""
            sentence = claim.sentence.text if claim.sentence else ""
            c.execute("INSERT INTO claims_fts(rowid, content, sentence, speaker) VALUES (?,?,?,?)",
                      (rid, claim.content.text, sentence, speaker))
            c.executemany("INSERT INTO claim_entities(claim_rid, name, text) VALUES (?,?,?)",
                          {(rid, e.canonical, e.text) for e in claim.entities})

    # --- claims ----------------------------------------------------------------

    def search_claims(self, query: ClaimQuery) -> SearchResult:
        ranked = bool(fts_expression(query.text))
        base, params = self._claim_filters(query)
        total = self._conn.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0]
        offset = _offset(query.after)
        if ranked:
            bm25 = "bm25(claims_fts, 4.0, 1.0, 2.0)"
            select, order = f"-{bm25}, highlight(claims_fts, 0, '[[', ']]')", f"{bm25}, c.rid"
        else:
            select, order = "0.0, NULL", "c.published DESC, c.rid"
        rows = self._conn.execute(
            f"SELECT c.doc, c.article_id, {select} {base} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, query.limit, offset)).fetchall()
        hits = [self._claim_hit(doc, article_id, score, hl) for doc, article_id, score, hl in rows]
        facets = self._claim_facets(base, params) if query.facets else {}
        more = offset + len(hits) < total
        return SearchResult(total, hits, facets, encode_cursor([offset + len(hits)]) if more else None)

    def _claim_filters(self, q: ClaimQuery) -> tuple[str, list]:
        where = _Where()
        join = ""
        if expression := fts_expression(q.text):
            join = "JOIN claims_fts ON claims_fts.rowid = c.rid"
            where.add("claims_fts MATCH ?", expression)
        if q.speaker:
            where.add("(c.speaker_canonical LIKE ? OR c.speaker_text LIKE ?)", *[f"%{q.speaker}%"] * 2)
        if q.entity:
            where.add("EXISTS (SELECT 1 FROM claim_entities e WHERE e.claim_rid = c.rid"
                      " AND (e.name LIKE ? OR e.text LIKE ?))", *[f"%{q.entity}%"] * 2)
        if q.stance:
            where.add("c.stance = ?", q.stance)
        where.source_and_dates("c", q.source, q.since, q.until)
        return f"FROM claims c {join} WHERE {where.sql()}", where.params

    def _claim_hit(self, doc: str, article_id: str, score: float, highlight: str | None) -> ClaimHit:
        claim = from_dict(json.loads(doc))
        return ClaimHit(claim, self._article_ref(article_id), float(score or 0.0), highlight)

    def _article_ref(self, article_id: str) -> ArticleRef:
        row = self._conn.execute("SELECT title, url, published, source_name FROM articles WHERE id=?",
                                 (article_id,)).fetchone()
        if row is None:
            return ArticleRef(article_id, "", "", None, "")
        return ArticleRef(article_id, row[0] or "", row[1] or "", row[2], row[3] or "")

    def _claim_facets(self, base: str, params: list) -> dict[str, list[tuple[str, int]]]:
        def top(column: str, source: str = base) -> list[tuple[str, int]]:
            # DISTINCT: a claim naming one entity under two spellings counts once, as a claim.
            sql = (f"SELECT {column}, COUNT(DISTINCT c.rid) AS n {source} AND {column} IS NOT NULL "
                   f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT {FACET_SIZE}")
            return [(v, n) for v, n in self._conn.execute(sql, params)]

        with_entities = base.replace("FROM claims c", "FROM claims c JOIN claim_entities ent ON ent.claim_rid = c.rid", 1)
        columns = {"speakers": ("c.speaker_canonical", base), "entities": ("ent.name", with_entities),
                   "stances": ("c.stance", base), "sources": ("c.source_name", base)}
        return {name: top(*columns[name]) for name in FACETS}

    def get_claim(self, claim_id: str) -> ClaimHit | None:
        row = self._conn.execute("SELECT doc, article_id FROM claims WHERE id=?", (claim_id,)).fetchone()
        return self._claim_hit(row[0], row[1], 0.0, None) if row else None

    def get_article(self, article_id: str) -> EnrichedArticle | None:
        row = self._conn.execute("SELECT doc, entities FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            return None
        claims = self._conn.execute("SELECT doc FROM claims WHERE article_id=? ORDER BY rid", (article_id,))
        return EnrichedArticle(
            from_dict(json.loads(row[0])),
            entities=tuple(Entity(**e) for e in json.loads(row[1] or "[]")),
            claims=tuple(from_dict(json.loads(doc)) for (doc,) in claims))

    def claim_histogram(self, query: ClaimQuery, interval: str) -> list[tuple[str, int]]:
        period = _PERIODS[interval]
        base, params = self._claim_filters(query)
        sql = (f"SELECT {period} AS period, COUNT(*) {base} AND c.published IS NOT NULL "
               "GROUP BY period ORDER BY period")
        return [(p, n) for p, n in self._conn.execute(sql, params)]

    # --- articles ----------------------------------------------------------------

    def search_articles(self, query: ArticleQuery) -> SearchResult:
        where = _Where()
        join = ""
        if expression := fts_expression(query.text):
            join = "JOIN articles_fts f ON f.rowid = a.rid"
            where.add("articles_fts MATCH ?", expression)
        where.source_and_dates("a", query.source, query.since, query.until)
        base, params = f"FROM articles a {join} WHERE {where.sql()}", where.params
        total = self._conn.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0]
        offset = _offset(query.after)
        if expression:
            select = "a.id, a.title, a.url, a.published, a.source_name, -bm25(articles_fts, 3.0, 1.0, 1.0), " \
                     "snippet(articles_fts, 1, '[[', ']]', ' … ', 24)"
            order = "bm25(articles_fts, 3.0, 1.0, 1.0), a.rid"
        else:
            select, order = "a.id, a.title, a.url, a.published, a.source_name, 0.0, ''", "a.published DESC, a.rid"
        rows = self._conn.execute(f"SELECT {select} {base} ORDER BY {order} LIMIT ? OFFSET ?",
                                  (*params, query.limit, offset)).fetchall()
        hits = [ArticleHit(ArticleRef(i, t or "", u or "", p, s or ""), float(sc), sn or "")
                for i, t, u, p, s, sc, sn in rows]
        more = offset + len(hits) < total
        return SearchResult(total, hits, {}, encode_cursor([offset + len(hits)]) if more else None)


def _add_column(conn: sqlite3.Connection, table: str, column: str, kind: str) -> None:
    """``ALTER TABLE ... ADD COLUMN`` unless the column is there (an older file)."""
    if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _offset(cursor: str | None) -> int:
    """The row offset a page cursor of this backend holds (0 without one)."""
    position = decode_cursor(cursor, 1)
    if position is None:
        return 0
    if not isinstance(position[0], int) or isinstance(position[0], bool) or position[0] < 0:
        raise InputError(f"invalid page cursor {cursor!r}")
    return position[0]


class _Where:
    """AND-ed SQL conditions with their parameters, in order."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list = []

    def add(self, clause: str, *params: object) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def source_and_dates(self, table: str, source: str | None, since: date | None, until: date | None) -> None:
        """Outlet name or domain contains ``source``; published within [since, until] (inclusive days)."""
        if source:
            self.add(f"({table}.source_name LIKE ? OR {table}.source_domain LIKE ?)", *[f"%{source}%"] * 2)
        low, high = date_bounds(since, until)
        if low:
            self.add(f"{table}.published >= ?", low)
        if high:
            self.add(f"{table}.published < ?", high)

    def sql(self) -> str:
        return " AND ".join(self.clauses or ["1"])
