"""The indexer stage: articles.enriched → the search index (bulk upserts by id)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.bus.base import Message
from pipeline.errors import PermanentError
from pipeline.index.base import Index
from pipeline.records import EnrichedArticle, decode
from pipeline.runtime.deadletter import Failure
from pipeline.runtime.worker import Outcome
from pipeline.threads.assign import ThreadAssigner

_DEFAULT: Any = object()


class IndexHandler:
    """Worker handler: one bulk upsert per batch.

    An index outage raises BackendUnavailable from ``upsert`` and the worker
    retries the whole batch (upserts are idempotent); documents the index
    refuses for good become dead-letter records. After the upsert, the
    articles' claims are linked into claim threads (``threads``; None: off);
    an article whose thread assignment fails stays indexed (the failure is
    logged), while an index outage during assignment retries the batch.
    """

    stage = "index"

    def __init__(self, index: Index, threads: ThreadAssigner | None = _DEFAULT) -> None:
        self.index = index
        self.threads = ThreadAssigner(index) if threads is _DEFAULT else threads

    def handle(self, batch: Sequence[Message]) -> Outcome:
        outcome = Outcome()
        by_id: dict[str, tuple[Message, EnrichedArticle]] = {}
        for message in batch:
            try:
                enriched = decode(message.value, expect=EnrichedArticle)
            except PermanentError as exc:
                outcome.failures.append(Failure(message, str(exc)))
                continue
            by_id[enriched.article.id] = (message, enriched)  # a later version of an id wins
        refused = set()
        for failure in self.index.upsert([e for _, e in by_id.values()]):
            message = by_id[failure.article_id][0]
            outcome.failures.append(Failure(message, f"index refused: {failure.reason}"))
            refused.add(failure.article_id)
        if self.threads is not None:
            self.threads.assign([e for i, (_, e) in by_id.items() if i not in refused])
        return outcome
