"""Claim threads in Elasticsearch: link documents and their requests (a part of the adapter).

Called by :class:`~pipeline.index.elastic.ElasticIndex`, which translates
driver errors; nothing here catches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.errors import PermanentError
from pipeline.index.base import ThreadLink
from pipeline.index.elastic import mappings as m

_PAGE = 1000


def put_links(es: Elasticsearch, alias: str, links: Sequence[ThreadLink]) -> None:
    """Index the links, without a refresh: ``links_of`` reads in real time, and the adapter refreshes
    before its next ``members`` query (a refresh per write cost more than the write)."""
    actions = [{"_op_type": "index", "_index": alias, "_id": lk.claim_id,
                "_source": {"claim_id": lk.claim_id, "article_id": lk.article_id, "thread_id": lk.thread_id,
                            "stance": lk.stance, "denies": list(lk.denies), "source": lk.source,
                            "speaker": lk.speaker}} for lk in links]
    if not actions:
        return
    _, errors = helpers.bulk(es, actions, raise_on_error=False, require_alias=True)
    if isinstance(errors, list) and errors:  # a list of failed items (an int only with stats_only)
        raise PermanentError(f"thread links refused: {m.error_reason(next(iter(errors[0].values())).get('error'))}")


def links_of(es: Elasticsearch, alias: str, claim_ids: Sequence[str]) -> dict[str, ThreadLink]:
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        return {}
    docs = es.mget(index=alias, ids=ids, realtime=True)["docs"]
    return {d["_id"]: _link(d["_source"]) for d in docs if d.get("found")}


def members(es: Elasticsearch, alias: str, thread_ids: Sequence[str]) -> list[ThreadLink]:
    ids = list(dict.fromkeys(thread_ids))
    if not ids:
        return []
    hits = _all(es, alias, {"terms": {"thread_id": ids}}, sort=[{"claim_id": "asc"}])
    return [_link(h["_source"]) for h in hits]


def _all(es: Elasticsearch, index: str, query: dict[str, Any], sort: list[dict[str, Any]],
         source: list[str] | None = None, first: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Every hit of ``query`` (search_after paging on a unique sort key); ``first``: the first page's hits,
    fetched already (in a multi-search), so paging goes on from there when it was full."""
    hits: list[dict[str, Any]] = []
    after = None
    if first is not None:
        if len(first) < _PAGE:
            return first
        hits, after = list(first), first[-1]["sort"]
    while True:
        body: dict[str, Any] = {"query": query, "sort": sort, "size": _PAGE}
        if after:
            body["search_after"] = after
        if source is not None:
            body["source"] = source
        page = es.search(index=index, **body)["hits"]["hits"]
        hits += page
        if len(page) < _PAGE:
            return hits
        after = page[-1]["sort"]


def _link(src: dict[str, Any]) -> ThreadLink:
    return ThreadLink(src["claim_id"], src["article_id"], src["thread_id"], src["stance"],
                      tuple(src.get("denies") or ()), src.get("source") or "", src.get("speaker") or "")
