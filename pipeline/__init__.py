"""News in, searchable claims out: a streaming pipeline of poller, NLP workers and indexer."""

__version__ = "0.1.0"
