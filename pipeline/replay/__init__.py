"""Local files as articles: the second source of articles, beside the poller.

:mod:`~pipeline.replay.files` reads ``.txt``, ``.json`` and ``.jsonl`` files
into :class:`pipeline.records.Article` records with the same ids on every
replay.
"""

from pipeline.replay.files import (
    ReplayError,
    find_files,
    json_article,
    jsonl_articles,
    read_articles,
    title_from_text,
)

__all__ = ["ReplayError", "find_files", "json_article", "jsonl_articles", "read_articles", "title_from_text"]
