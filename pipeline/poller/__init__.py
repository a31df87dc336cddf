"""The feed poller: feeds in, ``Article`` records out on ``articles.raw``.

One job per module: ``fetch`` (HTTP, the only httpx importer), ``deadline``
(one clock deadline per exchange, an httpcore backend), ``decode`` (content
encodings undone under a cap), ``parse``
(feedparser), ``entries`` (entry → Article), ``textify`` (HTML → text),
``schedule`` (when next), ``hosts`` (per-host politeness), ``fulltext``
(article pages), ``extract`` (page text and metadata, the only trafilatura importer), ``store`` (SQLite state),
``outcome`` (poll result → state), ``health`` (feed health rows), ``opml``,
and ``service`` (the Poller loop).
"""
