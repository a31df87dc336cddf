"""The indexer stage: articles.enriched → the search index (bulk upserts by id)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.bus.base import Message
from pipeline.copies.detect import CopyDetector
from pipeline.errors import PermanentError
from pipeline.index.base import Index
from pipeline.records import EnrichedArticle, decode
from pipeline.runtime.deadletter import Failure, redriven_for_another
from pipeline.runtime.worker import Outcome


class IndexHandler:
    """Worker handler: one bulk upsert per batch, then the batch's wire copies marked.

    An index outage raises BackendUnavailable from ``upsert`` and the worker
    retries the whole batch (upserts are idempotent); documents the index
    refuses for good become dead-letter records. Claim threads are the thread
    stage's job (:mod:`pipeline.stages.threader`, its own consumer group on the
    same topic), so claims are searchable as soon as this upsert returns. A
    re-driven dead letter of the thread stage is skipped: that article was
    indexed, and indexing an old record again could undo a newer version.

    Copies are marked after the upsert, for the articles it wrote (see
    :mod:`pipeline.copies.detect`; its state is in the index, so workers of
    other partitions see it): until then a new copy shows as an article of its own.
    """

    stage = "index"

    def __init__(self, index: Index, copies: CopyDetector | None = None) -> None:
        self.index = index
        self.copies = copies or CopyDetector(index)

    def handle(self, batch: Sequence[Message]) -> Outcome:
        outcome = Outcome()
        by_id: dict[str, tuple[Message, EnrichedArticle]] = {}
        for message in batch:
            if redriven_for_another(message, self.stage):
                continue
            try:
                enriched = decode(message.value, expect=EnrichedArticle)
            except PermanentError as exc:
                outcome.failures.append(Failure(message, str(exc)))
                continue
            by_id[enriched.article.id] = (message, enriched)  # a later version of an id wins
        refused = set()
        for failure in self.index.upsert([e for _, e in by_id.values()]):
            refused.add(failure.article_id)
            outcome.failures.append(Failure(by_id[failure.article_id][0], f"index refused: {failure.reason}"))
        self.copies.mark([e.article for aid, (_, e) in by_id.items() if aid not in refused])
        return outcome
