"""The index on SQLite FTS5: the embedded default, one file, no server.

Split by job: ``schema`` (tables, FTS5, migrations), ``documents`` (writing an
enriched article and its claims), ``queries`` (search, lookups and facets),
``tags`` (entity-tag statistics), ``threads`` (claim threads) and ``index``
(:class:`SqliteIndex`, the :class:`pipeline.index.base.Index` they make up).
"""

from pipeline.index.sqlite.index import SqliteIndex

__all__ = ["SqliteIndex"]
