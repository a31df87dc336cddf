"""News in, searchable claims out: a streaming pipeline of poller, NLP workers and indexer."""

from pipeline.version import VERSION as __version__

__all__ = ["__version__"]
