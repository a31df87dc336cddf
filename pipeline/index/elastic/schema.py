"""Versioned Elasticsearch indices behind aliases: templates, creation, migration, the text analyzer.

Each kind (claims, articles, threads, copies) is an alias ``<prefix><kind>`` over a
concrete ``<prefix><kind>-vN`` index made from an index template of version N
(the template also matches the later backing indices ``<prefix><kind>-vN-000002``…
that rollover adds behind the claims and articles aliases: see
:mod:`pipeline.index.elastic.rollover`). A newer schema version gets a new
index, filled from every older backing index (server-side ``_reindex``, or a
client-side copy on distributions without it) and swapped in with one atomic
alias update. Driver errors are left to the caller (:mod:`pipeline.index.elastic`
translates them).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from elastic_transport import ApiError
from elasticsearch import Elasticsearch, helpers

from pipeline.config import IndexSettings
from pipeline.errors import ConfigError, PermanentError
from pipeline.index.elastic import mappings as m
from pipeline.index.elastic.rollover import ROLLED

log = logging.getLogger(__name__)
_ANALYZERS: dict[str, str] = {}  # server URL → the text analyzer it offers (probed once per process)
_ANALYZERS_LOCK = threading.Lock()
_COPY_CHUNK = 500


class ElasticSchemas:
    """The versioned indices and aliases of one index prefix on one server."""

    def __init__(self, es: Elasticsearch, url: str, prefix: str, settings: IndexSettings,
                 schemas: Sequence[m.IndexSchema]) -> None:
        self.es = es
        self.prefix = prefix
        self.settings = settings
        self.schemas = {s.kind: s for s in schemas}
        self._url = url

    def alias(self, kind: str) -> str:
        return f"{self.prefix}{kind}"

    def concrete(self, kind: str, version: int | None = None) -> str:
        return f"{self.alias(kind)}-v{self.schemas[kind].version if version is None else version}"

    def ensure(self, schema: m.IndexSchema, analyzer: str) -> None:
        """Template, index and alias of ``schema``. Idempotent; migrates an older version (see module doc)."""
        self.put_template(schema, analyzer)
        self.ensure_alias(schema)

    def targets(self) -> dict[str, list[str]]:
        """The concrete indices behind each alias: ``{"claims": ["claims-v1"], ...}``."""
        return {kind: self.alias_targets(self.alias(kind)) for kind in self.schemas}

    def put_template(self, schema: m.IndexSchema, analyzer: str) -> None:
        name = self.alias(schema.kind)
        existing = self.es.options(ignore_status=404).indices.get_index_template(name=name)
        stored = [t["index_template"].get("version", 0) for t in existing.get("index_templates", [])]
        if stored and max(stored) > schema.version:
            log.warning("index template %s is at version %s, newer than ours (%s); left as is",
                        name, max(stored), schema.version)
            return
        self.es.indices.put_index_template(
            name=name, index_patterns=[f"{name}-v*"], priority=500, version=schema.version,
            template={"settings": schema.settings(self.settings.shards, self.settings.replicas),
                      "mappings": m.with_analyzer(schema.mappings, analyzer)},
            meta={"managed_by": "news-claims-pipeline", "analyzer": analyzer})

    def ensure_alias(self, schema: m.IndexSchema) -> None:
        """The alias over an index of ``schema``'s version (created, or migrated from older versions).

        Claims and articles (rolled over): the alias' write index is marked ``is_write_index``, which is
        the whole migration from the single-index layout (its ``-vN`` index becomes the first backing
        index, and stays readable through the alias after a rollover, which would otherwise move a
        single unmarked alias to the new index).
        """
        alias, target = self.alias(schema.kind), self.concrete(schema.kind)
        current = self.alias_targets(alias)
        if any(m.version_of(i, alias) == schema.version for i in current):
            if schema.kind in ROLLED:
                self._mark_write_index(alias)
            return
        if self.es.indices.exists(index=alias) and not current:
            raise ConfigError(f"{alias} is a concrete index, not an alias; cannot version it")
        older = [i for i in current if m.version_of(i, alias) < schema.version]
        if current and not older:
            log.warning("alias %s points to %s, newer than version %s; left as is", alias, current, schema.version)
            return
        self._create_index(target)
        if older:
            self._reindex(older, target)
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in current]
        add = {"index": target, "alias": alias, **({"is_write_index": True} if schema.kind in ROLLED else {})}
        self.es.indices.update_aliases(actions=[*actions, {"add": add}])
        log.info("alias %s now points to %s", alias, target)

    def _mark_write_index(self, alias: str) -> None:
        """Mark the newest backing index the write index, unless one is marked already (idempotent)."""
        found = self.es.indices.get_alias(name=alias).body
        if any(meta["aliases"][alias].get("is_write_index") for meta in found.values()):
            return
        newest = max(found, key=lambda i: (m.version_of(i, alias), i))  # -vN sorts before -vN-000002
        self.es.indices.update_aliases(actions=[{"add": {"index": newest, "alias": alias, "is_write_index": True}}])
        log.info("alias %s: %s marked its write index (rollover layout)", alias, newest)

    def alias_targets(self, alias: str) -> list[str]:
        if not self.es.indices.exists_alias(name=alias):
            return []
        return sorted(self.es.indices.get_alias(name=alias).body)

    def _create_index(self, index: str) -> None:
        if self.es.indices.exists(index=index):
            return
        try:
            self.es.indices.create(index=index, wait_for_active_shards="1")
        except ApiError as exc:  # a concurrent ensure_schema won the race: fine
            if m.error_reason(exc.body).split(":")[0] != "resource_already_exists_exception":
                raise

    def _reindex(self, sources: list[str], target: str) -> None:
        """Server-side _reindex; a client-side scan + bulk where the reindex module is absent."""
        try:
            result = self.es.options(request_timeout=3600).reindex(
                source={"index": sources}, dest={"index": target}, wait_for_completion=True, refresh=True)
        except ApiError as exc:
            if exc.meta.status not in (404, 405):  # 405: no _reindex handler (minimal distributions)
                raise
            self._copy(sources, target)
            return
        if result.get("failures"):
            raise PermanentError(f"reindex into {target} failed: {m.error_reason(result['failures'][0].get('cause'))}")
        log.info("reindexed %s documents from %s into %s", result.get("total"), sources, target)

    def _copy(self, sources: list[str], target: str) -> None:
        # Not helpers.reindex: it probes the data stream API, which such servers lack too.
        docs = ({"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": hit["_source"]}
                for hit in helpers.scan(self.es, index=sources, size=_COPY_CHUNK))
        copied = 0
        try:
            for ok, item in helpers.streaming_bulk(self.es, docs, chunk_size=_COPY_CHUNK, raise_on_error=False):
                if not ok:
                    raise PermanentError(f"reindex into {target} failed: {m.error_reason(item.get('index', {}).get('error'))}")
                copied += 1
        except helpers.ScanError as exc:
            raise PermanentError(f"reindex into {target} failed: {exc}") from exc
        self.es.indices.refresh(index=target)
        log.info("copied %s documents from %s into %s (client-side reindex)", copied, sources, target)

    def text_analyzer(self) -> str:
        """``english`` where the server has it; ``standard`` on minimal distributions without analysis-common.

        Probed once per server and process, so the warning about a missing analyzer appears once.
        """
        with _ANALYZERS_LOCK:
            known = _ANALYZERS.get(self._url)
        if known:
            return known
        probe = self.es.options(ignore_status=400).indices.analyze(analyzer="english", text="claims")
        analyzer = "english" if "tokens" in probe else "standard"
        with _ANALYZERS_LOCK:
            first = self._url not in _ANALYZERS
            _ANALYZERS[self._url] = analyzer
        if first and analyzer == "standard":
            log.warning("elasticsearch has no english analyzer (analysis-common module missing); "
                        "text fields use the standard analyzer, without stemming")
        return analyzer
