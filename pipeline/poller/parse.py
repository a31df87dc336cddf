"""Feed documents to entries with feedparser: pure, never raises.

``parse_feed`` hands feedparser the bytes and the response headers (feedparser
uses Content-Type for the encoding and Content-Location for relative links)
and returns plain :class:`FeedEntry` values. A document that is not a feed at
all comes back with ``error`` set; a feed with recoverable defects (feedparser's
``bozo``) still yields its entries, with ``warning`` saying what was wrong.
Every entry is returned (the poller decides how many one poll takes); an entry
that cannot be converted is left out and named in ``skipped``, and a character
reference to a lone surrogate (``&#xD800;``, which makes feedparser drop the
whole document) is read as U+FFFD, so one bad entry never costs the others.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from pipeline.dates import written_year_agrees

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
# A numeric character reference: one to a lone surrogate (or past U+10FFFF) names no character,
# and feedparser fails on the whole document for it.
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry as the feed gave it (HTML still in the html fields)."""

    guid: str = ""
    link: str = ""
    title: str = ""
    summary_html: str = ""
    content_html: str = ""
    published: datetime | None = None  # UTC; None when the feed gave no usable date
    authors: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str = ""
    link: str = ""
    language: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)  # feed-level elements (ttl, sy_* ...)
    entries: tuple[FeedEntry, ...] = ()
    warning: str | None = None
    error: str | None = None
    skipped: tuple[str, ...] = ()  # entries left out, each with why


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a fetched document; see the module docstring for what is guaranteed."""
    if not body.strip():
        return ParsedFeed(error="empty response body")
    if len(_ENTITY_DECL.findall(body[:65536])) > 20:
        # Entity-expansion ("billion laughs") shape: refuse before any parser expands it.
        return ParsedFeed(error="refused: the document declares many XML entities (entity-expansion attack?)")
    try:
        # A stream, never bytes: feedparser would try bytes as a file name (or fetch a URL).
        body = _CHAR_REF.sub(_no_lone_surrogate, body)
        parsed = feedparser.parse(io.BytesIO(body), response_headers=_headers(headers, url),
                                  sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:  # noqa: BLE001 - feedparser is third-party code fed hostile input
        return ParsedFeed(error=f"feed parser failed: {type(exc).__name__}: {exc}")
    return _convert(parsed)


def _no_lone_surrogate(ref: re.Match[bytes]) -> bytes:
    digits = ref.group(1)
    code = int(digits[1:], 16) if digits[:1] in (b"x", b"X") else int(digits)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else ref.group(0)


def _headers(headers: Mapping[str, str] | None, url: str) -> dict[str, str]:
    out = dict(headers or {})
    # feedparser resolves relative links against Content-Location, else this base.
    out.setdefault("content-location", url)
    return out


def _convert(parsed: Any) -> ParsedFeed:
    feed = parsed.get("feed") or {}
    entries, skipped = _entries(parsed.get("entries") or [], feed)
    problem = _problem(parsed)
    if problem and not entries and not feed.get("title"):
        return ParsedFeed(error=f"not a readable feed: {problem}")
    if not parsed.get("version") and not entries and not feed:
        return ParsedFeed(error="not a feed: no RSS, Atom or RDF content found")
    return ParsedFeed(title=str(feed.get("title") or ""), link=str(feed.get("link") or ""),
                      language=str(feed.get("language") or ""), meta=dict(feed), entries=entries,
                      warning=problem, skipped=skipped)


def _entries(raw: list[Any], feed: Any) -> tuple[tuple[FeedEntry, ...], tuple[str, ...]]:
    """Every entry that converts; each one that does not is named (a record boundary)."""
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    for n, item in enumerate(raw):
        try:
            entries.append(_entry(item, feed))
        except Exception as exc:  # noqa: BLE001 - one hostile entry must not cost its feed the others
            skipped.append(f"entry {n + 1}: not readable: {type(exc).__name__}: {exc}")
    return tuple(entries), tuple(skipped)


def _problem(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "malformed document"


def _entry(entry: Any, feed: Any) -> FeedEntry:
    return FeedEntry(
        guid=str(entry.get("id") or ""), link=_link(entry), title=str(entry.get("title") or ""),
        summary_html=str(entry.get("summary") or ""), content_html=_content(entry),
        published=_date(entry), authors=_authors(entry),
        language=str(_first_language(entry) or feed.get("language") or ""))


def _link(entry: Any) -> str:
    link = entry.get("link")
    if link:
        return str(link)
    for item in entry.get("links") or ():
        if item.get("rel", "alternate") == "alternate" and item.get("href"):
            return str(item["href"])
    return ""


def _content(entry: Any) -> str:
    parts = [c.get("value") or "" for c in entry.get("content") or () if isinstance(c, Mapping)]
    return "\n".join(p for p in parts if p)


def _date(entry: Any) -> datetime | None:
    for key in ("published", "updated", "created"):
        value = entry.get(f"{key}_parsed")
        if value and written_year_agrees(entry.get(key), value.tm_year):  # not "-0001" read as 2000
            try:  # feedparser's struct_time is already UTC
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
    return None


def _authors(entry: Any) -> tuple[str, ...]:
    names = [str(a.get("name") or "") for a in entry.get("authors") or () if isinstance(a, Mapping)]
    names = [n for n in names if n] or ([str(entry["author"])] if entry.get("author") else [])
    return tuple(dict.fromkeys(names))


def _first_language(entry: Any) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key)
        if isinstance(detail, Mapping) and detail.get("language"):
            return str(detail["language"])
    return None
