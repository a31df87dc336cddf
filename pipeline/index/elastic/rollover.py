"""Time-based backing indices behind the claims and articles aliases: rollover, and each document's owner.

Layout. ``<prefix>claims`` (likewise ``<prefix>articles``) is one alias that
is both the read alias, over every backing index, and the write alias: one
backing index carries ``is_write_index: true`` and takes every write
addressed to the alias. The first backing index of schema version N is
``<alias>-vN`` — the name the single-index layout always had, so an existing
deployment's index already is the first backing index and migrating only
marks it the write index (:meth:`~pipeline.index.elastic.schema.ElasticSchemas.ensure_alias`);
each rollover adds ``<alias>-vN-000002``, ``-000003``, … made from the same
index template. Threads and copies stay one index each (a link or an entry is
a few hundred bytes).

Rollover. :class:`Rollover` calls the rollover API on each rolled alias with
the configured conditions (``[index.rollover]``), at most once every
``check_s`` seconds, from the indexer's write path. The rollover API is in
every distribution (no ILM needed). After a rollover the old write index is
refreshed, so that a search finds every document it holds, and force-merged
to one segment in the background (``merge_rolled``): it takes few writes
from then on, and a one-segment index answers filtered searches in about
half the time (1M claims; ranked ones gain less).

Owners. A write addressed to the alias lands in the write index, so a record
re-indexed after a rollover would get a second document there. Every write
of an id that may exist (an upsert, a stale claim's delete, a copy mark) goes
instead to the index that holds it, found by :meth:`Owners.locate`:

- a real-time multi-get on the two newest backing indices: an unrefreshed
  document can only be there (new documents go to the write index, and the
  previous write index was refreshed when it rolled, bar bulks in flight
  across the rollover, which the multi-get covers);
- one ``ids`` search on the aliases, for the older indices (refreshed, so a
  search sees their documents, and it also covers indices this process has
  not seen yet); the owners it finds in older indices are read again in real
  time, as their search source may be stale (and a document deleted since is
  then not found).

A new id (the common case) costs one multi-get and one search per batch,
whatever the number of backing indices. An id found nowhere is written
through the alias. Every process writing to the index must run this code
before the first rollover (an older writer would write re-sent records into
the write index). Driver errors are left to the caller
(:mod:`pipeline.index.elastic` translates them).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.config import RolloverSettings
from pipeline.errors import BackendUnavailable, PermanentError
from pipeline.index.elastic import mappings as m

log = logging.getLogger(__name__)

ROLLED = ("claims", "articles")  # the high-volume kinds; threads and copies stay one index each
_NAME = re.compile(r"-v(\d+)(?:-(\d+))?$")
_CHUNK = 2000  # ids per locate round trip (a search returns at most 10,000 hits)


def order(index: str) -> tuple[int, int]:
    """(schema version, rollover sequence) of a backing index name: ``claims-v2`` → (2, 1),
    ``claims-v2-000003`` → (2, 3); (0, 0) when the name carries neither."""
    found = _NAME.search(index)
    if not found:
        return 0, 0
    return int(found.group(1)), int(found.group(2) or 1)


def next_name(alias: str, write_index: str) -> str:
    """The backing index after ``write_index``: ``claims-v2`` → ``claims-v2-000002``."""
    version, sequence = order(write_index)
    return f"{alias}-v{version}-{sequence + 1:06d}"


def conditions(settings: RolloverSettings) -> dict[str, Any]:
    """The rollover API's conditions; ``min_docs: 1`` so a quiet index is never rolled into an empty one."""
    out: dict[str, Any] = {}
    if settings.max_age:
        out["max_age"] = settings.max_age
    if settings.max_docs > 0:
        out["max_docs"] = settings.max_docs
    if settings.max_primary_shard_size:
        out["max_primary_shard_size"] = settings.max_primary_shard_size
    return {**out, "min_docs": 1} if out else {}


@dataclass(frozen=True, slots=True)
class Found:
    """Where a document lives and (the fields asked for of) its source, read in real time."""

    index: str
    source: dict[str, Any]


class Owners:
    """The backing indices of the rolled aliases (``aliases``: kind → alias) and the owner of each id."""

    def __init__(self, es: Elasticsearch, aliases: dict[str, str], ttl_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.es = es
        self.aliases = aliases
        self._ttl, self._clock = ttl_s, clock
        self._backing: dict[str, list[str]] = {}  # kind → backing indices, oldest first (as last read)
        self._read_at = 0.0

    def backing(self, kind: str) -> list[str]:
        """The backing indices of ``kind``, oldest first, as read at most ``ttl_s`` seconds ago.

        A list a little stale is safe for writes (see the module doc: the search covers every index, and a
        new id goes through the alias); readers of term statistics see a new index up to ``ttl_s`` late.
        """
        if kind not in self._backing or self._clock() - self._read_at >= self._ttl:
            self.reload()
        return self._backing[kind]

    def reload(self) -> None:
        found = self.es.options(ignore_status=404).indices.get_alias(name=list(self.aliases.values()))
        body = found.body if found.meta.status == 200 else {}
        self._backing = {kind: sorted((i for i, meta in body.items() if alias in meta.get("aliases", {})), key=order)
                         for kind, alias in self.aliases.items()}  # one assignment: readers in other threads
        self._read_at = self._clock()

    def kind_of(self, index: str) -> str | None:
        for kind, alias in self.aliases.items():
            if index.startswith(f"{alias}-v"):
                return kind
        return None

    def locate(self, wanted: dict[str, Sequence[str]], fields: dict[str, list[str]]
               ) -> dict[str, dict[str, Found]]:
        """kind → id → its owner, for every id of ``wanted`` (kind → ids) that exists (see the module doc).

        ``fields``: kind → the source fields to return (``[]``: none).
        """
        out: dict[str, dict[str, Found]] = {kind: {} for kind in wanted}
        pairs = [(kind, i) for kind, ids in wanted.items() for i in dict.fromkeys(ids)]
        for start in range(0, len(pairs), _CHUNK):
            self._locate(pairs[start:start + _CHUNK], fields, out)
        return out

    def _locate(self, pairs: list[tuple[str, str]], fields: dict[str, list[str]],
                out: dict[str, dict[str, Found]]) -> None:
        newest = {kind: self.backing(kind)[-2:] for kind in {k for k, _ in pairs}}
        self._realtime([(kind, index, i) for kind, i in pairs for index in newest[kind]], fields, out)
        missing = [(kind, i) for kind, i in pairs if i not in out[kind]]
        if not missing:
            return
        older = [(self.kind_of(h["_index"]), h["_index"], h["_id"]) for h in self._search(missing)]
        wanted = set(missing)
        self._realtime([(k, index, i) for k, index, i in older
                        if k is not None and (k, i) in wanted and index not in newest[k]], fields, out)

    def _realtime(self, triples: Iterable[tuple[str, str, str]], fields: dict[str, list[str]],
                  out: dict[str, dict[str, Found]]) -> None:
        """Real-time multi-get of (kind, index, id); the found ones into ``out`` (the newest index wins)."""
        docs = [{"_index": index, "_id": i, "_source": fields.get(kind) or False} for kind, index, i in triples]
        if not docs:
            return
        stale = False
        for doc in self.es.mget(docs=docs, realtime=True)["docs"]:
            if "error" in doc:
                if m.error_reason(doc["error"]).startswith("index_not_found_exception"):
                    stale = True  # dropped by a prune since we looked
                    continue
                # A shard not answering: an owner unknown could become a duplicate, so the batch waits.
                raise BackendUnavailable(f"elasticsearch mget {doc.get('_index')}: {m.error_reason(doc['error'])}")
            kind = self.kind_of(doc["_index"])
            if doc.get("found") and kind is not None:
                out[kind][doc["_id"]] = Found(doc["_index"], doc.get("_source") or {})
        if stale:
            self.reload()

    def _search(self, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """Hits (``_index``, ``_id``) of an ``ids`` search for ``pairs`` over their aliases (refreshed documents)."""
        aliases = sorted({self.aliases[kind] for kind, _ in pairs})
        ids = sorted({i for _, i in pairs})
        resp = self.es.search(index=aliases, query={"ids": {"values": ids}}, size=min(2 * len(ids), 10_000),
                              source=False, track_total_hits=False,
                              allow_partial_search_results=False)  # a shard missing: an error, not a lost owner
        return list(resp["hits"]["hits"])


class Rollover:
    """Rolls the aliases over when a configured condition is met, at most once every ``check_s`` seconds."""

    def __init__(self, es: Elasticsearch, owners: Owners, settings: RolloverSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.es = es
        self.owners = owners
        self.conditions = conditions(settings)
        self.check_s = settings.check_s
        self.merge_rolled = settings.merge_rolled
        self._clock = clock
        self._last: float | None = None

    def due(self) -> bool:
        now = self._clock()
        return bool(self.conditions) and (self._last is None or now - self._last >= self.check_s)

    def maybe(self) -> list[str]:
        """When due, one rollover request per rolled alias; the new write indices created (usually none).

        A request the server refuses (a malformed condition) is logged and skipped: rollover is upkeep, and
        the batch being indexed must not fail for it. Outages raise, as the batch's own writes would.
        """
        if not self.due():
            return []
        self._last = self._clock()
        self.owners.reload()  # another process may have rolled over since
        rolled = []
        for kind in self.owners.aliases:
            try:
                if new := self.roll(kind):
                    rolled.append(new)
            except PermanentError as exc:
                log.error("%s; %s stays on its write index until this is fixed", exc, self.owners.aliases[kind])
        return rolled

    def roll(self, kind: str, force: bool = False) -> str | None:
        """Roll ``kind``'s alias over if a condition is met (``force``: unconditionally); the new index."""
        alias, backing = self.owners.aliases[kind], self.owners.backing(kind)
        if not backing or not (force or self.conditions):
            return None
        body: dict[str, Any] = {} if force else {"conditions": self.conditions}
        resp = self.es.options(ignore_status=400).indices.rollover(
            alias=alias, new_index=next_name(alias, backing[-1]), **body)
        if resp.meta.status == 400:  # another process rolled to the same name first: fine
            if "resource_already_exists_exception" not in str(resp.body):
                raise PermanentError(f"elasticsearch rollover {alias} refused: {m.error_reason(resp.body)}")
            self.owners.reload()
            return None
        if not resp.get("rolled_over"):
            return None
        # Searches (Owners' older-index lookup) must see every document of the index that stopped taking writes.
        self.es.indices.refresh(index=resp["old_index"])
        if self.merge_rolled:  # read-mostly from now on: one segment searches fastest (a task; not waited for)
            self.es.indices.forcemerge(index=resp["old_index"], max_num_segments=1, wait_for_completion=False)
        self.owners.reload()
        log.info("rolled %s over from %s to %s", alias, resp["old_index"], resp["new_index"])
        return str(resp["new_index"])


def target(alias: str, owner: Found | None) -> dict[str, Any]:
    """Bulk metadata sending a write to ``owner``'s index, or through ``alias`` (to its write index) when new."""
    if owner is None:
        return {"_index": alias, "require_alias": True}  # never auto-create an unmapped index
    return {"_index": owner.index, "require_alias": False}


def expand(data: Any) -> Any:
    """:func:`elasticsearch.helpers.expand_action`, keeping a per-action ``require_alias`` (which it drops).

    For ``expand_action_callback``: writes through an alias require one, writes to a backing index cannot.
    """
    if not isinstance(data, dict) or "require_alias" not in data:
        return helpers.expand_action(data)
    rest = dict(data)
    required = rest.pop("require_alias")
    header, body = helpers.expand_action(rest)
    next(iter(header.values()))["require_alias"] = required
    return header, body
