"""Writing the embedded index: one article, its entities and claims, replacing any earlier version."""

from __future__ import annotations

import json
import sqlite3

from pipeline.index.sqlite import copies
from pipeline.index.sqlite.packing import pack
from pipeline.index.sqlite.tags import claim_tags
from pipeline.records import EnrichedArticle, plain, to_dict

NAME_SEPARATOR = "\x1f"  # between the distinct entity names kept on a claim's row (facets)


def replace_article(c: sqlite3.Connection, enriched: EnrichedArticle) -> None:
    """Delete the article's old rows (article, claims, entities, text) and insert the current ones.

    Call inside a transaction: readers then see the old or the new version, never a mix.
    """
    a = enriched.article
    old = c.execute("SELECT rid FROM articles WHERE id=?", (a.id,)).fetchone()
    if old:
        copies.forget_rows(c, [], [old[0]])
        c.execute("DELETE FROM articles_fts WHERE rowid=?", (old[0],))
        c.execute("DELETE FROM articles WHERE rid=?", (old[0],))
    cur = c.execute(
        "INSERT INTO articles(id, title, url, source_name, source_domain, published, doc, entities, language)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        (a.id, a.title, a.url, a.source.name, a.source.domain, a.published,
         json.dumps(to_dict(a), ensure_ascii=False),
         json.dumps(plain(enriched.entities), ensure_ascii=False),  # read by records.entity_from_dict
         a.language))
    c.execute("INSERT INTO articles_fts(rowid, title, text, source) VALUES (?,?,?,?)",
              (cur.lastrowid, a.title, a.text, a.source.name))
    _replace_claims(c, enriched)
    copies.sync_marks(c, a.id)  # the copy state outlives a re-index: the new rows take it


def _replace_claims(c: sqlite3.Connection, enriched: EnrichedArticle) -> None:
    a = enriched.article
    for (rid,) in c.execute("SELECT rid FROM claims WHERE article_id=?", (a.id,)).fetchall():
        c.execute("DELETE FROM claims_fts WHERE rowid=?", (rid,))
        c.execute("DELETE FROM claim_entities WHERE claim_rid=?", (rid,))
        c.execute("DELETE FROM claim_docs WHERE rid=?", (rid,))
        copies.forget_rows(c, [rid], [])
    c.execute("DELETE FROM claims WHERE article_id=?", (a.id,))
    names: set[tuple[str, str]] = {("source", a.source.name), ("domain", a.source.domain)}
    for claim in enriched.claims:
        sp = claim.speaker
        entities = {(e.canonical, e.text) for e in claim.entities}
        cur = c.execute(
            "INSERT INTO claims(id, article_id, speaker, speaker_text, stance, source, domain, published,"
            " entity_names, language) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (claim.id, a.id, sp.canonical if sp else None, sp.text if sp else None, claim.stance,
             a.source.name, a.source.domain, a.published,
             NAME_SEPARATOR.join(sorted({name for name, _ in entities})) or None, a.language))
        rid = cur.lastrowid
        c.execute("INSERT INTO claim_docs(rid, doc) VALUES (?,?)",
                  (rid, pack(json.dumps(to_dict(claim), ensure_ascii=False))))
        c.execute("INSERT INTO claims_fts(rowid, content, sentence, speaker, tags) VALUES (?,?,?,?,?)",
                  (rid, claim.content.text, claim.sentence.text if claim.sentence else "",
                   f"{sp.text} {sp.canonical}" if sp else "",
                   claim_tags(sp.canonical if sp else None, sp.text if sp else None, entities,
                              a.source.name, a.source.domain, claim.stance, a.language)))
        c.executemany("INSERT INTO claim_entities(claim_rid, name, text) VALUES (?,?,?)",
                      [(rid, name, text) for name, text in entities])
        if sp:
            names |= {("speaker", sp.canonical), ("speaker_text", sp.text)}
        names |= {("entity", name) for name, _ in entities} | {("entity_text", t) for _, t in entities}
    c.executemany("INSERT OR IGNORE INTO names(kind, value) VALUES (?,?)", [n for n in names if n[1]])
