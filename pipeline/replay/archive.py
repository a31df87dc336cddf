"""Archived web pages as articles, read exactly as the poller reads an article page.

Guarantees: the id is ``url_article_id(canonical_url(WARC-Target-URI))``,
the poller's rule, so every replay of an archive (and a poll of the same page)
gives the same id; the text is what the poller's full-text extractor
(:mod:`pipeline.poller.extract`) finds, with its cross-page memory off (so a
page's text never depends on the pages replayed before it), and a page where it finds none is a
skip ("no article text"); ``fetched`` is the WARC-Date; ``published`` is the
page's own date when its markup gives one, else the WARC-Date marked
estimated. A record that fails in any way is that record's ReplayError.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from pipeline.dates import iso_utc, parse_iso
from pipeline.errors import InputError
from pipeline.poller.extract import extract, page_meta
from pipeline.records import MAX_TEXT_CHARS, Article, Source, clean_text, content_hash, url_article_id
from pipeline.replay.outcome import ReplayError, ReplaySkip, unexpected
from pipeline.replay.titles import title_from_text
from pipeline.replay.warc import WebPage, warc_pages
from pipeline.urls import canonical_url, domain_of

NO_TEXT = "no article text"
FUTURE_SLACK = timedelta(days=1)  # as the poller: a page dated past its capture is wrong, not early


def warc_articles(path: Path, max_body_bytes: int) -> Iterator[Article | ReplayError | ReplaySkip]:
    """One article, skip or error per record of the WARC file at ``path``; never raises."""
    for item in warc_pages(path, max_body_bytes):
        yield _article_or_error(path, item) if isinstance(item, WebPage) else item


def _article_or_error(path: Path, page: WebPage) -> Article | ReplayError | ReplaySkip:
    try:
        article = page_article(page)
    except (InputError, ValueError) as exc:
        return ReplayError(path, str(exc), offset=page.offset)
    except Exception as exc:  # noqa: BLE001 - the record boundary: the next record goes on
        return ReplayError(path, unexpected(exc), offset=page.offset)
    return article if article is not None else ReplaySkip(path, NO_TEXT)


def page_article(page: WebPage) -> Article | None:
    """The article on an archived page; None when the extractor finds no article text."""
    fetched = _warc_date(page.date)
    text = extract(page.html, page.url, deduplicate=False)  # the same text whatever came before
    if text is None:
        return None
    text = clean_text(text)[:MAX_TEXT_CHARS]
    meta = page_meta(page.html, page.url)
    canonical, domain = canonical_url(page.url), domain_of(page.url)
    published, estimated = _published(meta.date, fetched)
    return Article(
        id=url_article_id(canonical), url=page.url, canonical_url=canonical,
        source=Source(domain or "replay", domain), title=clean_text(meta.title) or title_from_text(text),
        text=text, language="und", published=published, published_estimated=estimated, fetched=fetched,
        authors=tuple(a.strip() for a in clean_text(meta.author).split(";") if a.strip()),
        content_hash=content_hash(text))


def _warc_date(value: str) -> str:
    if not value:
        raise InputError("response record without a WARC-Date")
    try:
        return iso_utc(parse_iso(value))
    except ValueError as exc:
        raise InputError(f"WARC-Date: {exc}") from exc


def _published(page_date: str, fetched: str) -> tuple[str, bool]:
    """The page's own date when it gives a valid one, else the capture time (estimated)."""
    try:
        published = parse_iso(page_date)
    except ValueError:
        return fetched, True
    if published > parse_iso(fetched) + FUTURE_SLACK:
        return fetched, True
    return iso_utc(published), False
