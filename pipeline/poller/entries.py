"""Feed entries to :class:`Article` records, built exactly as replay builds them.

Guarantees: the id is ``url_article_id(canonical_url)`` (so the poller and a
replayed dump of the same URL agree, and a re-poll republishes the same id);
title, text and summary are plain text (no markup, no scripts); ``published``
is ISO 8601 UTC, and ``published_estimated`` is True whenever the fetch time
stands in for a date the feed did not give (or gave implausibly far in the future).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pipeline.poller.parse import FeedEntry
from pipeline.poller.textify import html_to_text, one_line
from pipeline.records import MAX_TEXT_CHARS, Article, Source, content_hash, stable_id, url_article_id
from pipeline.urls import canonical_url, domain_of

SUMMARY_CHARS = 1000
TITLE_CHARS = 300
FULL_TEXT_BELOW = 1000  # an entry without a content element and a shorter summary is "summary-only"
HASH_DEDUPE_MIN = 200  # shorter texts ("Read more…") collide too easily to dedupe on
FUTURE_SLACK = timedelta(days=1)  # dates further ahead than this are wrong, not early


@dataclass(frozen=True, slots=True)
class FeedRef:
    """The feed an entry came from, as an article's ``source`` needs it."""

    id: int
    url: str
    name: str


@dataclass(frozen=True, slots=True)
class EntryArticle:
    """An entry turned into an article, with the keys that dedupe it."""

    article: Article
    guid_key: str | None
    needs_full_text: bool

    def dedupe_keys(self) -> list[tuple[str, str]]:
        """(kind, key) pairs marking this entry as seen: GUID (per feed), canonical URL, content hash."""
        keys = [("url", self.article.canonical_url)]
        if self.guid_key:
            keys.append(("guid", self.guid_key))
        if len(self.article.text) >= HASH_DEDUPE_MIN:
            keys.append(("hash", self.article.content_hash))
        return keys


def entry_link(entry: FeedEntry) -> str:
    """The article URL: the entry's link, else a GUID that is an http(s) URL, else ''."""
    if entry.link.startswith(("http://", "https://")):
        return entry.link
    if entry.guid.startswith(("http://", "https://")):
        return entry.guid
    return ""


def build(entry: FeedEntry, feed: FeedRef, fetched: datetime) -> EntryArticle | None:
    """The article for ``entry``; None when the entry has neither words nor a link."""
    title = one_line(entry.title)[:TITLE_CHARS]
    summary = html_to_text(entry.summary_html)
    body = html_to_text(entry.content_html) if entry.content_html else summary
    text = (body or title)[:MAX_TEXT_CHARS]
    link = entry_link(entry)
    if not text and not link:
        return None
    canonical = canonical_url(link) if link else _entry_tag(feed, entry, text)
    published, estimated = publication_date(entry.published, fetched)
    article = Article(
        id=url_article_id(canonical), url=link or canonical, canonical_url=canonical,
        source=Source(feed.name or domain_of(feed.url), domain_of(link or feed.url), feed.url),
        title=title, text=text, summary=summary[:SUMMARY_CHARS], language=_language(entry.language),
        published=published, published_estimated=estimated,
        fetched=fetched.isoformat(timespec="seconds"), authors=entry.authors, content_hash=content_hash(text))
    guid_key = f"{feed.id}:{entry.guid}" if entry.guid else None
    summary_only = bool(link) and not entry.content_html and len(summary) < FULL_TEXT_BELOW
    return EntryArticle(article, guid_key, summary_only)


def with_full_text(candidate: EntryArticle, text: str) -> EntryArticle:
    """The candidate with the article page's text as its body (summary kept as the summary)."""
    text = text[:MAX_TEXT_CHARS]
    article = replace(candidate.article, text=text, content_hash=content_hash(text))
    return EntryArticle(article, candidate.guid_key, False)


def publication_date(published: datetime | None, fetched: datetime) -> tuple[str, bool]:
    """(ISO 8601 UTC date, estimated?) — the fetch time stands in for a missing or future date."""
    if published is None or published > fetched + FUTURE_SLACK:
        return fetched.isoformat(timespec="seconds"), True
    return published.isoformat(timespec="seconds"), False


def _entry_tag(feed: FeedRef, entry: FeedEntry, text: str) -> str:
    # No link to canonicalise: the entry is identified within its feed by GUID, else by content.
    return f"feed-entry:{stable_id(canonical_url(feed.url), entry.guid or content_hash(entry.title + text))}"


def _language(tag: str) -> str:
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else "und"  # the text decides (NLP stage)
