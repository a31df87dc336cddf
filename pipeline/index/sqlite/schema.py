"""The embedded index's tables, and the upgrade of files written by an older version.

Claims are narrow rows (filters, sort keys, facet values: the distinct entity
names joined by ``\x1f``) with indexes for
every filter; the records themselves live in ``claim_docs``. ``names`` holds
each distinct speaker, entity and outlet once, so a substring filter scans a
few thousand names instead of every claim. ``claims_fts.tags`` holds the
filter values as tokens (layout 3; see ``pipeline.index.sqlite.tags``). ``meta.writes``
counts write transactions: caches compare it to know whether they are stale.
Layout 4 adds the article's language (a column of articles and claims, and a tag) and the
wire-copy tables (``pipeline.index.sqlite.copies``); a file of
layout 3 gains its articles' languages from their stored records and the copy tables empty
(articles indexed before are signed when next indexed).
``claim_days`` (layout 5) counts the claims of each publication day, stance and
language, kept by triggers in the same transaction as every write: exact totals
and rowid bounds for the query planner (see ``pipeline.index.sqlite.plan``).
Layout 6 stores claim records packed (``pipeline.index.sqlite.packing``): an
older file's records are packed once when it is opened.
"""

from __future__ import annotations

import json
import logging
import sqlite3

from pipeline.index.sqlite import copies
from pipeline.index.sqlite.documents import replace_article
from pipeline.index.sqlite.packing import pack
from pipeline.index.sqlite.tags import claim_tags, token
from pipeline.records import EnrichedArticle, Entity, from_dict
from pipeline.sqlitedb import Transaction

log = logging.getLogger(__name__)
VERSION = 6

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles(
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT, url TEXT, source_name TEXT,
    source_domain TEXT, published TEXT, doc TEXT NOT NULL, entities TEXT, language TEXT);
CREATE INDEX IF NOT EXISTS articles_by_published ON articles(published DESC);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, source, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS claims(
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL, speaker TEXT,
    speaker_text TEXT, stance TEXT NOT NULL, source TEXT, domain TEXT, published TEXT, entity_names TEXT,
    language TEXT);
CREATE INDEX IF NOT EXISTS claims_by_article ON claims(article_id);
CREATE INDEX IF NOT EXISTS claims_by_published ON claims(published DESC);
CREATE INDEX IF NOT EXISTS claims_by_speaker ON claims(speaker, published DESC);
CREATE INDEX IF NOT EXISTS claims_by_speaker_text ON claims(speaker_text, published DESC);
CREATE INDEX IF NOT EXISTS claims_by_source ON claims(source, published DESC);
CREATE INDEX IF NOT EXISTS claims_by_domain ON claims(domain, published DESC);
CREATE INDEX IF NOT EXISTS claims_by_stance ON claims(stance, published DESC);
CREATE INDEX IF NOT EXISTS claims_by_language ON claims(language, published DESC);
CREATE TABLE IF NOT EXISTS claim_docs(rid INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claim_entities(claim_rid INTEGER NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS claim_entities_by_claim ON claim_entities(claim_rid, name);
CREATE INDEX IF NOT EXISTS claim_entities_by_name ON claim_entities(name, claim_rid);
CREATE INDEX IF NOT EXISTS claim_entities_by_text ON claim_entities(text, claim_rid);
CREATE TABLE IF NOT EXISTS names(kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(kind, value)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS claims_fts USING fts5(content, sentence, speaker, tags, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS meta(writes INTEGER NOT NULL);
INSERT INTO meta(writes) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM meta);
"""
# Claims per (publication day, stance, language); language '' for none. ``low``/``high`` bound the claim ids
# of the cell: a delete leaves them as they were (still bounds), ``claims`` stays exact. A day is 'd' and
# the first 10 characters of ``published`` ('' undated): for 10-character bounds, ``published >= b`` holds
# exactly when ``substr(published, 1, 10) >= b`` (likewise ``<``), so day counts answer date ranges exactly.
DAY = "CASE WHEN {0}.published IS NULL THEN '' ELSE 'd' || substr({0}.published, 1, 10) END"
COUNTED = f"""
INSERT INTO claim_days(day, stance, language, claims, low, high)
 VALUES ({DAY.format('new')}, new.stance, coalesce(new.language, ''), 1, new.rid, new.rid)
 ON CONFLICT(day, stance, language) DO UPDATE SET claims = claims + 1, low = min(low, excluded.low),
 high = max(high, excluded.high);"""
UNCOUNTED = f"""
UPDATE claim_days SET claims = claims - 1
 WHERE day = {DAY.format('old')} AND stance = old.stance AND language = coalesce(old.language, '');"""
DAYS = f"""
CREATE TABLE IF NOT EXISTS claim_days(day TEXT NOT NULL, stance TEXT NOT NULL, language TEXT NOT NULL,
    claims INTEGER NOT NULL, low INTEGER NOT NULL, high INTEGER NOT NULL, PRIMARY KEY(day, stance, language))
    WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS claims_counted AFTER INSERT ON claims BEGIN {COUNTED} END;
CREATE TRIGGER IF NOT EXISTS claims_uncounted AFTER DELETE ON claims BEGIN {UNCOUNTED} END;
CREATE TRIGGER IF NOT EXISTS claims_recounted AFTER UPDATE OF published, stance, language ON claims
 BEGIN {UNCOUNTED} {COUNTED} END;
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables; upgrade a file of an older layout in place (once, in one transaction). Idempotent."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
        return
    with Transaction(conn) as c:
        if c.execute("PRAGMA user_version").fetchone()[0] >= VERSION:  # another process was quicker
            return
        columns = _columns(c, "claims")
        version = c.execute("PRAGMA user_version").fetchone()[0]
        _add_copy_tables(c)  # first: rebuilding older layouts writes articles (and their copy marks)
        if columns and "doc" in columns:
            _upgrade_v1(c)
        elif columns:
            if version < 3:
                _upgrade_v2(c)
            if "language" not in columns:
                _add_language(c)
            if version < 5:
                _add_claim_days(c)
            _pack_docs(c)
        else:
            _create(c)
        c.execute(f"PRAGMA user_version={VERSION}")


def _create(c: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            c.execute(statement)
    _create_days(c)


def _create_days(c: sqlite3.Connection) -> None:
    """The day counts and their triggers (one statement per trigger: a trigger body holds ';')."""
    table, triggers = DAYS.split(";", 1)[0], DAYS.split(";", 1)[1]
    c.execute(table)
    for trigger in triggers.split(" END;")[:-1]:
        c.execute(trigger + " END")


def _columns(c: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in c.execute(f"PRAGMA table_info({table})")}


def _upgrade_v1(c: sqlite3.Connection) -> None:
    """The first layout kept records inside wide claim rows: rebuild every table from those records."""
    has_entities = "entities" in _columns(c, "articles")
    for table in ("articles", "claims", "claim_entities"):
        c.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
    for index in ("claims_by_article", "claims_by_speaker", "claim_entities_by_claim", "claim_entities_by_name"):
        c.execute(f"DROP INDEX IF EXISTS {index}")
    c.execute("DROP TABLE IF EXISTS claims_fts")
    c.execute("DROP TABLE IF EXISTS articles_fts")
    _create(c)
    entities = "entities" if has_entities else "NULL"
    rows = c.execute(f"SELECT id, doc, {entities} FROM old_articles ORDER BY rid").fetchall()
    for article_id, doc, ents in rows:
        claims = c.execute("SELECT doc FROM old_claims WHERE article_id=? ORDER BY rid", (article_id,)).fetchall()
        replace_article(c, EnrichedArticle(
            from_dict(json.loads(doc)), entities=tuple(Entity(**e) for e in json.loads(ents or "[]")),
            claims=tuple(from_dict(json.loads(d)) for (d,) in claims)))
    for table in ("old_claim_entities", "old_claims", "old_articles"):
        c.execute(f"DROP TABLE {table}")
    log.info("upgraded the index file to layout %d (%d articles)", VERSION, len(rows))


def _add_copy_tables(c: sqlite3.Connection) -> None:
    """Layout 4: the wire-copy tables (empty: copies are found among articles indexed from now on)."""
    for statement in copies.SCHEMA.split(";"):
        if statement.strip():
            c.execute(statement)


def _upgrade_v2(c: sqlite3.Connection) -> None:
    """Layout 2 lacked the tags column: rebuild the claims' FTS table with it (text copied, not re-parsed)."""
    c.execute("CREATE VIRTUAL TABLE claims_fts_v3 USING fts5(content, sentence, speaker, tags,"
              " tokenize='porter unicode61')")
    entities: dict[int, list[tuple[str, str]]] = {}
    for rid, name, text in c.execute("SELECT claim_rid, name, text FROM claim_entities"):
        entities.setdefault(rid, []).append((name, text))
    rows = c.execute("SELECT c.rid, f.content, f.sentence, f.speaker, c.speaker, c.speaker_text, c.source,"
                     " c.domain, c.stance FROM claims c JOIN claims_fts f ON f.rowid = c.rid").fetchall()
    c.executemany("INSERT INTO claims_fts_v3(rowid, content, sentence, speaker, tags) VALUES (?,?,?,?,?)",
                  [(rid, content, sentence, names, claim_tags(speaker, said, entities.get(rid, ()), source, domain,
                                                             stance))
                   for rid, content, sentence, names, speaker, said, source, domain, stance in rows])
    c.execute("DROP TABLE claims_fts")
    c.execute("ALTER TABLE claims_fts_v3 RENAME TO claims_fts")
    log.info("upgraded the index file to layout %d (%d claims)", VERSION, len(rows))


def _add_language(c: sqlite3.Connection) -> None:
    """Layout 4: the article's language on articles and claims, added from the stored records (layout 3 lacked it)."""
    c.execute("ALTER TABLE articles ADD COLUMN language TEXT")
    c.execute("ALTER TABLE claims ADD COLUMN language TEXT")
    c.execute("CREATE INDEX IF NOT EXISTS claims_by_language ON claims(language, published DESC)")
    rows = c.execute("SELECT rid, id, doc FROM articles").fetchall()
    for rid, article_id, doc in rows:
        language = from_dict(json.loads(doc)).language
        c.execute("UPDATE articles SET language=? WHERE rid=?", (language, rid))
        c.execute("UPDATE claims SET language=? WHERE article_id=?", (language, article_id))
        c.execute("UPDATE claims_fts SET tags = tags || ' ' || ? WHERE rowid IN"
                  " (SELECT rid FROM claims WHERE article_id=?)", (token("language", language), article_id))
    log.info("upgraded the index file to layout %d (%d articles)", VERSION, len(rows))


def _add_claim_days(c: sqlite3.Connection) -> None:
    """Layout 4 lacked the day counts: count the claims once, then the triggers keep the counts."""
    _create_days(c)
    c.execute("DELETE FROM claim_days")
    c.execute(f"INSERT INTO claim_days(day, stance, language, claims, low, high) SELECT {DAY.format('claims')},"
              " stance, coalesce(language, ''), COUNT(*), MIN(rid), MAX(rid) FROM claims GROUP BY 1, 2, 3")
    log.info("upgraded the index file to layout %d (claims counted per day)", VERSION)


def _pack_docs(c: sqlite3.Connection) -> None:
    """Layout 6: pack the claim records an older layout stored as JSON text (about a third of the bytes)."""
    c.create_function("pack_claim_record", 1, pack, deterministic=True)
    # Copied into a new table, not updated in place: shrunken rows would leave the old pages two-thirds empty.
    c.execute("CREATE TABLE claim_docs_packed(rid INTEGER PRIMARY KEY, doc TEXT NOT NULL)")
    packed = c.execute("INSERT INTO claim_docs_packed(rid, doc) SELECT rid, CASE typeof(doc) WHEN 'text'"
                       " THEN pack_claim_record(doc) ELSE doc END FROM claim_docs ORDER BY rid").rowcount
    c.execute("DROP TABLE claim_docs")
    c.execute("ALTER TABLE claim_docs_packed RENAME TO claim_docs")
    log.info("upgraded the index file to layout %d (%d claim records packed)", VERSION, packed)
