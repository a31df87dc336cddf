"""Choose concrete backends from URLs: the one place that does.

``sqlite:///path`` → embedded; ``kafka://host:port[,host:port]`` → Kafka;
``http(s)://host:port`` → Elasticsearch. Driver-backed adapters are imported
lazily so the embedded default never needs the Kafka or Elasticsearch clients.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pipeline.bus.base import Bus
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.index.base import Index


def sqlite_path(url: str) -> str:
    """``sqlite:///abs/path.db`` → ``/abs/path.db``."""
    parts = urlsplit(url)
    if parts.netloc or not parts.path:
        raise ConfigError(f"{url}: expected sqlite:///path/to/file.db")
    return parts.path


def open_bus(settings: Settings) -> Bus:
    bus = _open_bus(settings)
    if settings.bus.namespace:
        from pipeline.bus.namespace import NamespacedBus

        return NamespacedBus(bus, settings.bus.namespace)
    return bus


def _open_bus(settings: Settings) -> Bus:
    url = settings.bus_url
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        from pipeline.bus.sqlite import SqliteBus

        return SqliteBus(sqlite_path(url), partitions=settings.bus.partitions)
    if scheme == "kafka":
        from pipeline.bus.kafka import KafkaBus

        return KafkaBus(urlsplit(url).netloc, settings.bus)
    raise ConfigError(f"bus.url {url!r}: unknown scheme (use sqlite:// or kafka://)")


def open_index(settings: Settings) -> Index:
    url = settings.index_url
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        from pipeline.index.sqlite import SqliteIndex

        return SqliteIndex(sqlite_path(url))
    if scheme in ("http", "https"):
        from pipeline.index.elastic import ElasticIndex

        return ElasticIndex(url, settings.index, prefix=settings.index.prefix)
    raise ConfigError(f"index.url {url!r}: unknown scheme (use sqlite:// or http(s)://)")


def index_exists(settings: Settings) -> bool:
    """Whether the configured index has been created (by the indexer); creates nothing itself."""
    url = settings.index_url
    if urlsplit(url).scheme == "sqlite":  # opening the embedded index would create it: look for the file
        return Path(sqlite_path(url)).exists()
    index = open_index(settings)
    try:
        return index.exists()
    finally:
        index.close()


def open_shared_index(settings: Settings) -> Index:
    """An index that many threads may search at once (a server's thread pool).

    SQLite gets one connection per thread (reading through a memory map of
    ``[index] sqlite_mmap_mb`` if set), a
    shared cache of recent claim searches and shared search-word counts (both
    valid until the next write); the Elasticsearch client is
    thread-safe and pools its connections, so one is shared.
    """
    url = settings.index_url
    if urlsplit(url).scheme == "sqlite":
        from pipeline.index.result_cache import ResultCache
        from pipeline.index.sqlite import SqliteIndex
        from pipeline.index.sqlite.queries import WordStats
        from pipeline.index.threaded import PerThreadIndex

        # Shared by every thread's connection: a repeated search is answered from memory, a search
        # word's claim count is looked up once per process.
        cache, words = ResultCache(), WordStats()
        return PerThreadIndex(lambda: SqliteIndex(sqlite_path(url), cache=cache, words=words,
                                                  mmap_bytes=settings.index.sqlite_mmap_mb << 20))
    return open_index(settings)
