"""The operator's jobs on the Elasticsearch index: retention (``pipeline prune``) and backup (``pipeline backup``).

A mixin of :class:`~pipeline.index.elastic.index.ElasticIndex`, which supplies the client, the aliases
and the owners of documents across backing indices; the work itself is
:class:`~pipeline.index.elastic.prune.ElasticPruner`'s and :mod:`pipeline.index.elastic.snapshot`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.errors import ConfigError
from pipeline.index.elastic import rollover as ro
from pipeline.index.elastic import snapshot as snap
from pipeline.index.elastic.client import translated
from pipeline.index.elastic.prune import ElasticPruner
from pipeline.index.elastic.schema import ElasticSchemas
from pipeline.index.retention import Progress, PruneCounts, PrunePlan


class ElasticUpkeep:
    """Prune, compact and snapshot; the index class sets these attributes."""

    _es: Elasticsearch
    _owners: ro.Owners
    _schemas: ElasticSchemas

    def alias(self, kind: str) -> str:
        raise NotImplementedError

    def _ensure_ready(self) -> None:
        raise NotImplementedError

    # --- retention (pipeline prune; see pipeline.index.retention) ------------------

    def _pruner(self) -> ElasticPruner:
        self._ensure_ready()
        return ElasticPruner(self._es, {kind: self.alias(kind) for kind in ("claims", "articles", "threads",
                                                                             "copies")}, self._owners)

    def prune_plan(self, before: date) -> PrunePlan:
        with translated("prune plan"):
            return self._pruner().plan(before)

    def drop_expired_indices(self, before: date) -> list[str]:
        with translated("drop expired indices"):
            return self._pruner().drop_expired(before)

    def prune_batch(self, before: date, limit: int) -> PruneCounts:
        with translated("prune"):
            return self._pruner().prune_batch(before, limit)

    def compact(self, progress: Progress | None = None, vacuum: bool = False) -> str:
        """One force merge (no steps to show: the server does the work); ``vacuum`` changes nothing here."""
        with translated("force merge"):
            return self._pruner().compact()

    # --- backup (pipeline backup; see pipeline.index.elastic.snapshot) ---------------

    def snapshot_paths(self) -> list[str]:
        """The node's ``path.repo`` directories; empty when snapshots cannot be taken yet."""
        with translated("node settings"):
            return snap.repo_paths(self._es)

    def snapshot_steps(self, url: str) -> str:
        return snap.steps(url, self._snapshot_indices())

    def snapshot(self, location: str, name: str, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Snapshot this prefix's indices (the aliases' concrete indices) as ``name``; the snapshot's info."""
        with translated("snapshot", bad_request=ConfigError):
            return snap.snapshot(self._es, location, name, self._snapshot_indices(), progress)

    def _snapshot_indices(self) -> list[str]:
        return [f"{self.alias(kind)}-*" for kind in self._schemas.schemas]  # the concrete indices, every version
