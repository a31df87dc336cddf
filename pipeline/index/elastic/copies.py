"""Wire-copy entries in Elasticsearch and the ``copy_of`` marks on article and claim documents (a part of
the adapter: :class:`~pipeline.index.elastic.ElasticIndex` translates driver errors).

Entries are found by a ``terms`` query on their band keys; a copy's mark goes
onto documents already indexed as partial updates, each sent to the backing
index that holds the document (the claim ids come from the article document's
stored state, read in real time, so nothing waits for a refresh: see
:class:`~pipeline.index.elastic.rollover.Owners`); an article indexed later
takes its mark from its entry (:func:`marks`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.errors import PermanentError
from pipeline.index.base import ArticleRef, CopyEntry
from pipeline.index.elastic import mappings as m
from pipeline.index.elastic import rollover as ro
from pipeline.index.elastic.documents import ref_of
from pipeline.index.elastic.threads import _PAGE, _all

_FIELDS = ["article_id", "copy_of", "published", "seen", "size", "signature", "bands"]


def put(es: Elasticsearch, alias: str, owners: ro.Owners, entries: Sequence[CopyEntry]) -> None:
    """Index the entries (in ``alias``), then mark the documents of those already indexed, where they live."""
    if not entries:
        return
    actions: list[dict[str, Any]] = [{"_op_type": "index", "_index": alias, "_id": e.article_id,
                                      "_source": _doc(e), "require_alias": True} for e in entries]
    articles = owners.locate({"articles": sorted({e.article_id for e in entries})}, {"articles": ["state"]})["articles"]
    claim_ids = {aid: f.source.get("state", {}).get("claim_ids", []) for aid, f in articles.items()}
    claims = owners.locate({"claims": [cid for ids in claim_ids.values() for cid in ids]}, {})["claims"]
    for e in entries:
        if e.article_id in articles:
            mark = {"copy_of": e.copy_of}
            actions.append({"_op_type": "update", "_index": articles[e.article_id].index, "_id": e.article_id,
                            "doc": mark, "require_alias": False})
            actions += [{"_op_type": "update", "_index": claims[cid].index, "_id": cid, "doc": mark,
                         "require_alias": False} for cid in claim_ids[e.article_id] if cid in claims]
    _, errors = helpers.bulk(es, actions, raise_on_error=False, expand_action_callback=ro.expand)
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


_BY_ID = [{"article_id": "asc"}]
# Whether any entry marks a copy: a search sends this beside its own request, and looks its hits' copies up
# only when there is one (an index without copies, e.g. detection off, then costs no second round trip).
ANY_COPY = {"query": {"exists": {"field": "copy_of"}}, "size": 0, "track_total_hits": 1}


def pointing_body(original_ids: Sequence[str]) -> dict[str, Any]:
    """The first page of :func:`pointing_to`'s search, to send in a multi-search beside other requests."""
    return {"query": {"terms": {"copy_of": sorted(set(original_ids))}}, "sort": _BY_ID, "size": _PAGE}


def pointing_to(es: Elasticsearch, alias: str, original_ids: Sequence[str],
                first: list[dict[str, Any]] | None = None) -> list[CopyEntry]:
    """The entries of the copies of ``original_ids``; ``first``: the first page's hits, already fetched."""
    ids = sorted(set(original_ids))
    if not ids:
        return []
    return [_entry(h["_source"]) for h in _all(es, alias, {"terms": {"copy_of": ids}}, sort=_BY_ID, first=first)]


def copies_of(es: Elasticsearch, alias: str, owners: ro.Owners, article_ids: Sequence[str],
              first: list[dict[str, Any]] | None = None) -> dict[str, list[ArticleRef]]:
    """The article refs of the copies of ``article_ids`` (oldest first), by original; ``first``: the first
    page of their entries' search (:func:`pointing_body`), already fetched."""
    found = pointing_to(es, alias, article_ids, first)
    if not found:
        return {}
    docs = owners.locate({"articles": sorted({e.article_id for e in found})},
                         {"articles": ["id", "title", "url", "published", "source"]})["articles"]
    refs = {i: ref_of(f.source) for i, f in docs.items()}
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
