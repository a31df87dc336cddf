"""Wire-copy entries in Elasticsearch and the ``copy_of`` marks on article and claim documents (a part of
the adapter: :class:`~pipeline.index.elastic.ElasticIndex` translates driver errors).

Entries are found by a ``terms`` query on their band keys; a copy's mark goes
onto documents already indexed as partial updates (the claim ids come from the
article document's stored state, read in real time, so nothing waits for a
refresh); an article indexed later takes its mark from its entry (:func:`marks`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.errors import PermanentError
from pipeline.index.base import ArticleRef, CopyEntry
from pipeline.index.elastic import mappings as m
from pipeline.index.elastic.threads import _all

_FIELDS = ["article_id", "copy_of", "published", "seen", "size", "signature", "bands"]


def put(es: Elasticsearch, aliases: dict[str, str], entries: Sequence[CopyEntry]) -> None:
    """Index the entries, then mark the documents of those already indexed."""
    if not entries:
        return
    actions: list[dict[str, Any]] = [{"_op_type": "index", "_index": aliases["copies"], "_id": e.article_id,
                                      "_source": _doc(e)} for e in entries]
    states = es.mget(index=aliases["articles"], ids=sorted({e.article_id for e in entries}), source=["state"],
                     realtime=True)["docs"]
    claim_ids = {d["_id"]: d["_source"].get("state", {}).get("claim_ids", []) for d in states if d.get("found")}
    for e in entries:
        if e.article_id in claim_ids:
            mark = {"copy_of": e.copy_of}
            actions.append({"_op_type": "update", "_index": aliases["articles"], "_id": e.article_id, "doc": mark})
            actions += [{"_op_type": "update", "_index": aliases["claims"], "_id": cid, "doc": mark}
                        for cid in claim_ids[e.article_id]]
    _, errors = helpers.bulk(es, actions, raise_on_error=False, require_alias=True)
    assert isinstance(errors, list)  # raise_on_error=False: the failed items, never a count
    refused = [item for item in errors if next(iter(item.values())).get("status") != 404]  # claim deleted since
    if refused:
        raise PermanentError(f"copy entries refused: {m.error_reason(next(iter(refused[0].values())).get('error'))}")


def marks(es: Elasticsearch, alias: str, article_ids: Sequence[str]) -> dict[str, str]:
    """``copy_of`` of those of ``article_ids`` that are copies (real time)."""
    return {i: e.copy_of for i, e in entries(es, alias, article_ids).items() if e.copy_of}


def entries(es: Elasticsearch, alias: str, article_ids: Sequence[str]) -> dict[str, CopyEntry]:
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    docs = es.mget(index=alias, ids=ids, realtime=True)["docs"]
    return {d["_id"]: _entry(d["_source"]) for d in docs if d.get("found")}


def candidates(es: Elasticsearch, alias: str, bands: Sequence[str]) -> list[CopyEntry]:
    keys = sorted(set(bands))
    if not keys:
        return []
    return [_entry(h["_source"]) for h in _all(es, alias, {"terms": {"bands": keys}}, sort=[{"article_id": "asc"}])]


def pointing_to(es: Elasticsearch, alias: str, original_ids: Sequence[str]) -> list[CopyEntry]:
    ids = sorted(set(original_ids))
    if not ids:
        return []
    return [_entry(h["_source"]) for h in _all(es, alias, {"terms": {"copy_of": ids}}, sort=[{"article_id": "asc"}])]


def copies_of(es: Elasticsearch, aliases: dict[str, str], article_ids: Sequence[str]) -> dict[str, list[ArticleRef]]:
    found = pointing_to(es, aliases["copies"], article_ids)
    if not found:
        return {}
    docs = es.mget(index=aliases["articles"], ids=sorted({e.article_id for e in found}),
                   source=["id", "title", "url", "published", "source"], realtime=True)["docs"]
    refs = {d["_id"]: _ref(d["_source"]) for d in docs if d.get("found")}
    out: dict[str, list[ArticleRef]] = {}
    for e in found:
        if e.copy_of and e.article_id in refs:
            out.setdefault(e.copy_of, []).append(refs[e.article_id])
    return {k: sorted(v, key=lambda r: (r.published is None, r.published or "", r.id)) for k, v in out.items()}


def _doc(e: CopyEntry) -> dict[str, Any]:
    return {"article_id": e.article_id, "copy_of": e.copy_of, "published": e.published, "seen": e.seen,
            "size": e.size, "signature": base64.b64encode(e.signature).decode(), "bands": list(e.bands)}


def _entry(src: dict[str, Any]) -> CopyEntry:
    return CopyEntry(src["article_id"], src.get("copy_of"), src.get("published"), src["seen"], int(src["size"]),
                     base64.b64decode(src["signature"]), tuple(src.get("bands") or ()))


def _ref(src: dict[str, Any]) -> ArticleRef:
    source = src.get("source") or {}
    return ArticleRef(src["id"], src.get("title") or "", src.get("url") or "", src.get("published"),
                      source.get("name", "") if isinstance(source, dict) else str(source))
