"""Local files as articles: the second source of articles, beside the poller.

:mod:`~pipeline.replay.files` reads ``.txt`` and ``.jsonl`` files, and web
archives (``.warc``, ``.warc.gz``) through :mod:`~pipeline.replay.archive`,
into :class:`pipeline.records.Article` records with the same ids on every
replay. :mod:`~pipeline.replay.warc` is the only module that imports warcio.
"""

from pipeline.replay.files import (
    ReplayError,
    ReplaySkip,
    find_files,
    json_article,
    jsonl_articles,
    read_articles,
    title_from_text,
)

__all__ = ["ReplayError", "ReplaySkip", "find_files", "json_article", "jsonl_articles", "read_articles",
           "title_from_text"]
