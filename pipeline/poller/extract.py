"""Article text and metadata from an HTML page: the only module that imports trafilatura.

Pure functions of the page's bytes (no fetching, no httpx), shared by the poller's
article pages (:mod:`pipeline.poller.fulltext`) and replayed web archives
(:mod:`pipeline.replay.archive`), so both read a page the same way. Neither
function raises: a hostile page gives None or empty metadata.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)
MIN_TEXT_CHARS = 200  # shorter extractions are menus or paywalls, not the article


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the page says about itself; '' where it says nothing."""

    title: str = ""
    author: str = ""
    date: str = ""  # YYYY-MM-DD, from the page's own markup (never guessed from its text)


def extract(html: bytes, url: str, *, deduplicate: bool = True) -> str | None:
    """Main text of an HTML page (trafilatura), or None when there is too little of it.

    ``deduplicate`` also drops paragraphs seen on earlier pages of this process (trafilatura's
    cache: boilerplate the poller keeps meeting); replay turns it off, so that a page's text does
    not depend on what was replayed before it.
    """
    import trafilatura  # imported on first use: polling with full_text off never pays for it

    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                                   favor_precision=True, deduplicate=deduplicate)
    except Exception as exc:  # noqa: BLE001 - hostile pages must not stop the poller
        log.info("full text of %s: extraction failed: %s", url, exc)
        return None
    return text if text and len(text.strip()) >= MIN_TEXT_CHARS else None


def page_meta(html: bytes, url: str) -> PageMeta:
    """The page's title, author and date from its markup (meta tags, JSON-LD, <title>)."""
    import trafilatura

    try:
        meta = trafilatura.extract_metadata(html, default_url=url, extensive=False)
    except Exception as exc:  # noqa: BLE001 - as above
        log.info("metadata of %s: extraction failed: %s", url, exc)
        return PageMeta()
    return PageMeta(meta.title or "", meta.author or "", meta.date or "")
