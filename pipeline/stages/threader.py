"""The thread stage: articles.enriched → claim threads in the index, under its own consumer group.

The indexer only upserts, so claims become searchable without waiting for
thread assignment; this stage reads the same topic (group ``threads``) and
links each batch's claims into threads once the indexer has written them.

Waiting for the indexer. Assignment needs the batch's articles indexed (their
claims are searched and linked; other articles' claims are read back), and
this stage may run ahead of the indexer. Before a batch it checks that every
article is in the index; if one is not, it reads how far the indexer's group
has committed on that article's partition:

* not past the record yet: the indexer is behind, so the batch is held
  (:class:`~pipeline.runtime.worker.NotReady`: the worker offers it again after
  its backoff, commits nothing, never drops it, never spins);
* past the record: the indexer handled it without indexing it, i.e. it
  dead-lettered it (malformed, or refused by the index). That article is left
  out here and logged: the indexer's dead letter stands for both stages, and
  re-driving it publishes the record to ``articles.enriched`` again, where the
  indexer indexes it and this stage threads it. It never blocks the batch.

The indexer's progress is read before looking again for the missing articles,
so an article indexed meanwhile is never taken for a dead-lettered one.

Failures of this stage are its own dead letters (stage ``threads``): an
article whose assignment fails stays indexed and is dead-lettered with the
reason, the others of the batch are threaded; an index outage raises
BackendUnavailable and the worker retries the whole batch. Re-driving a
``threads`` dead letter reaches this stage only (the indexer skips it, see
:func:`~pipeline.runtime.deadletter.redriven_for_another`), so nothing is indexed again.

Threads are the same as when the indexer assigned them right after its
upsert: assignment is order-independent and idempotent (see
:mod:`pipeline.threads.assign`), and it only ever links to claims that already
have threads, so articles indexed but not yet threaded change nothing.
Run one thread service per index: a batch's links are written at its end
(:class:`~pipeline.threads.pending.BatchLinks`), which assumes no other writer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from pipeline.bus.base import Message
from pipeline.errors import PermanentError
from pipeline.index.base import Index
from pipeline.records import EnrichedArticle, decode
from pipeline.runtime.deadletter import Failure, redriven_for_another
from pipeline.runtime.worker import NotReady, Outcome
from pipeline.stages.indexer import IndexHandler
from pipeline.threads.assign import ThreadAssigner

log = logging.getLogger(__name__)
INDEX_STAGE = IndexHandler.stage  # the indexer's dead letters, re-driven, are threaded here too

# The indexer group's committed offset (next record to read) per partition of the topic this stage reads.
IndexerProgress = Callable[[], Mapping[int, int]]


class ThreadHandler:
    """Worker handler: claim-thread assignment for each batch of enriched articles (see the module doc)."""

    stage = "threads"  # the name its dead letters carry

    def __init__(self, index: Index, indexer_progress: IndexerProgress,
                 assigner: ThreadAssigner | None = None) -> None:
        self.index = index
        self.indexer_progress = indexer_progress
        self.assigner = assigner or ThreadAssigner(index)

    def handle(self, batch: Sequence[Message]) -> Outcome:
        """Thread the batch's articles once they are indexed. Raises NotReady while the indexer is behind."""
        by_id: dict[str, tuple[Message, EnrichedArticle]] = {}
        for message in batch:
            if redriven_for_another(message, self.stage, also=(INDEX_STAGE,)):
                continue
            try:
                enriched = decode(message.value, expect=EnrichedArticle)
            except PermanentError as exc:  # the indexer dead-letters the same record with this reason
                log.warning("threads: %s/%s/%s left to the indexer's dead letter: %s",
                            message.topic, message.partition, message.offset, exc)
                continue
            by_id[enriched.article.id] = (message, enriched)  # a later version of an id wins, as in the indexer
        ready = self._indexed(by_id)
        failures = self.assigner.assign([by_id[i][1] for i in sorted(ready)])
        return Outcome(failures=[Failure(by_id[aid][0], f"thread assignment failed: {reason}")
                                 for aid, reason in failures])

    def _indexed(self, by_id: Mapping[str, tuple[Message, EnrichedArticle]]) -> set[str]:
        """The ids of ``by_id`` to thread now: all indexed ones; NotReady while the indexer has some to do."""
        wanted = sorted(by_id)
        missing = set(wanted) - set(self.index.get_articles(wanted)) if wanted else set()
        if not missing:
            return set(wanted)
        progress = self.indexer_progress()  # first the progress, then look again (see the module doc)
        missing -= set(self.index.get_articles(sorted(missing)))
        behind = sorted(i for i in missing if progress.get(by_id[i][0].partition, 0) <= by_id[i][0].offset)
        if behind:
            raise NotReady(f"{len(behind)} article(s) not indexed yet, e.g. {behind[0]} (waiting for the indexer)")
        for article_id in sorted(missing):
            message = by_id[article_id][0]
            log.warning("threads: article %s (%s/%s/%s) was not indexed (the indexer dead-lettered it); it is "
                        "threaded when that dead letter is re-driven", article_id, message.topic,
                        message.partition, message.offset)
        return set(wanted) - missing
