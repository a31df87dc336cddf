"""One batch's bulk writes: which action goes to which index, and sending them with per-article failures.

Guarantees: every document already indexed is written (or deleted) in the backing index that holds it,
a new one through its alias (the write index), so a rollover never duplicates one; an action the cluster
may accept later (429, 5xx, a failed request) is never dropped: :func:`send` raises
:class:`~pipeline.errors.BackendUnavailable` and the caller retries the whole, idempotent batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elastic_transport import ApiError, TransportError
from elasticsearch import Elasticsearch, helpers

from pipeline.errors import BackendUnavailable, PermanentError
from pipeline.index.elastic import documents as docs
from pipeline.index.elastic import mappings as m
from pipeline.index.elastic import rollover as ro
from pipeline.index.elastic.client import RETRYABLE_STATUS
from pipeline.records import EnrichedArticle

BULK_CHUNK = 500
Pending = tuple[dict[str, Any], str]  # a bulk action and the id of the article it belongs to


def actions(batch: Sequence[EnrichedArticle], owned: dict[str, dict[str, ro.Found]], marks: dict[str, str],
            claims: str, articles: str) -> tuple[list[Pending], list[Pending]]:
    """(claim writes and deletes, article writes), each action paired with its article's id; ``claims`` and
    ``articles`` are the aliases a new document is written through, ``owned`` the documents already indexed
    (:meth:`pipeline.index.elastic.rollover.Owners.locate`), written where they are."""
    claim_ops: list[Pending] = []
    article_ops: list[Pending] = []
    for enriched in batch:
        a = enriched.article
        current = {c.id for c in enriched.claims}
        mark = marks.get(a.id)
        before = owned["articles"].get(a.id)
        previous = set(before.source.get("state", {}).get("claim_ids", [])) if before else set()
        claim_ops += [({"_op_type": "index", **ro.target(claims, owned["claims"].get(c.id)), "_id": c.id,
                        "_source": docs.claim_doc(c, a, mark)}, a.id) for c in enriched.claims]
        claim_ops += [({"_op_type": "delete", **ro.target(claims, owned["claims"][cid]), "_id": cid}, a.id)
                      for cid in sorted(previous - current) if cid in owned["claims"]]  # else gone already
        # The article goes last: its stored claim ids then describe claims already written.
        article_ops.append(({"_op_type": "index", **ro.target(articles, before), "_id": a.id,
                             "_source": docs.article_doc(enriched, mark)}, a.id))
    return claim_ops, article_ops


def send(es: Elasticsearch, pending: list[Pending]) -> dict[str, str]:
    """Per-article permanent failures of (action, article id) pairs; raises BackendUnavailable when any
    action is left to retry.

    No waiting here: the caller's retry loop (the worker's, which a SIGTERM interrupts) backs off and
    calls ``upsert`` again, which is idempotent.
    """
    if not pending:
        return {}
    pending, refused, problem = _send_once(es, pending)
    if pending:
        raise BackendUnavailable(f"elasticsearch bulk: {len(pending)} actions not written: {problem}")
    failures: dict[str, str] = {}
    for owner, reason in refused:
        failures.setdefault(owner, reason)
    return failures

def _send_once(es: Elasticsearch, pending: list[Pending]) -> tuple[list[Pending], list[tuple[str, str]], str]:
    """One pass: (actions to retry, (article id, reason) refused for good, last problem)."""
    retry: list[Pending] = []
    refused: list[tuple[str, str]] = []
    results = helpers.streaming_bulk(es, [a for a, _ in pending], chunk_size=BULK_CHUNK,
                                     raise_on_error=False, raise_on_exception=True, max_retries=0,
                                     expand_action_callback=ro.expand)  # require_alias per action
    done, problem = 0, ""
    try:
        for (ok, item), (action, owner) in zip(results, pending, strict=True):
            done += 1
            op_type, info = next(iter(item.items()))
            status = info.get("status", 500)
            if ok or (op_type == "delete" and status == 404):
                continue
            if status in RETRYABLE_STATUS or status >= 500:
                retry.append((action, owner))
                problem = f"HTTP {status} {m.error_reason(info.get('error'))}"
            else:
                refused.append((owner, f"{op_type} {info.get('_id')}: {m.error_reason(info.get('error'))}"))
    except (ApiError, TransportError) as exc:  # the whole request failed: retry all not yet acknowledged
        status = getattr(getattr(exc, "meta", None), "status", None)
        if isinstance(exc, ApiError) and status not in RETRYABLE_STATUS and (status or 0) < 500:
            raise PermanentError(f"elasticsearch bulk: HTTP {status} {m.error_reason(exc.body)}") from exc
        retry += pending[done:]
        problem = f"{type(exc).__name__}: {exc}"
    return retry, refused, problem
