"""Replay local files as articles, exactly as the poller would publish them.

``.txt`` files are one article each (no headline line; the first paragraph
may open with a dateline such as "Tehran, Iran –"). ``.jsonl`` files hold
one article per line: ``{"text", "title"?, "url"?, "id"?, "published"?,
"source"?, "authors"?}``. Ids depend only on the content (or the URL), so a
second replay publishes the same ids and the index stays free of duplicates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import InputError
from pipeline.records import MAX_TEXT_CHARS, Article, Source, content_hash, stable_id, url_article_id
from pipeline.urls import canonical_url, domain_of

SUFFIXES = (".txt", ".jsonl")
MAX_FILE_BYTES = 50_000_000  # a .jsonl dump may be large; a .txt article is not
REPLAY_SOURCE = Source(name="replay", domain="", feed_url=None)
_DATELINE = re.compile(r"^\s*[A-Z][\w.' -]{1,60}(?:,\s*[\w.' -]{2,40})?\s*[–—-]{1,2}\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True, slots=True)
class ReplayError:
    """A file (or a line of one) that could not be replayed, and why."""

    path: Path
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.reason}"


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Replayable files under ``paths`` (files as given; folders searched recursively), sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES))
        else:
            found.append(path)
    return found


def read_articles(path: Path) -> Iterator[Article | ReplayError]:
    """Articles of one file; problems are yielded as ReplayError, never raised."""
    try:
        raw = _read_bytes(path)
        if path.suffix == ".jsonl":
            yield from _jsonl_articles(path, _decode_text(raw))
        else:
            yield text_article(_decode_text(raw), path)
    except InputError as exc:
        yield ReplayError(path, str(exc))
    except OSError as exc:
        yield ReplayError(path, f"cannot read: {exc.strerror or exc}")


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    limit = MAX_FILE_BYTES if path.suffix == ".jsonl" else MAX_TEXT_CHARS * 4
    if size > limit:
        raise InputError(f"too large ({size:,} bytes; the limit is {limit:,})")
    if size == 0:
        raise InputError("empty file")
    return path.read_bytes()


def _decode_text(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise InputError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r})") from exc


def text_article(text: str, path: Path) -> Article:
    """An article from a plain-text file: title from its first sentence, id from its content."""
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise InputError("no text (only white space)")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text too long ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,})")
    digest = content_hash(text)
    fetched = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    return Article(
        id=stable_id("replay", REPLAY_SOURCE.name, digest), url=path.resolve().as_uri(),
        canonical_url=f"replay:{path.name}", source=REPLAY_SOURCE, title=title_from_text(text),
        text=text, fetched=fetched, content_hash=digest,
    )


def title_from_text(text: str, limit: int = 140) -> str:
    """The first sentence without its dateline, cut at a word boundary."""
    first = text.strip().split("\n", 1)[0]
    first = _DATELINE.sub("", first, count=1)
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + "…"


def _jsonl_articles(path: Path, text: str) -> Iterator[Article | ReplayError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json_article(json.loads(line))
        except json.JSONDecodeError as exc:
            yield ReplayError(path, f"not JSON: {exc.msg}", number)
        except (InputError, TypeError, ValueError) as exc:
            yield ReplayError(path, str(exc), number)


def json_article(data: object) -> Article:
    """An article from one ``.jsonl`` object (see the module docstring for the fields)."""
    if not isinstance(data, dict):
        raise InputError("expected a JSON object")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError('missing "text"')
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text too long ({len(text):,} characters)")
    url = data.get("url") or ""
    source = _source(data.get("source"), url)
    digest = content_hash(text)
    if url:
        canonical = canonical_url(url)
        article_id = url_article_id(canonical)
    else:
        canonical = f"replay:{data.get('id') or digest}"
        article_id = stable_id("replay", source.name, digest)
    return Article(
        id=article_id, url=url or canonical, canonical_url=canonical, source=source,
        title=str(data.get("title") or title_from_text(text)), text=text,
        summary=str(data.get("summary") or ""), language=str(data.get("language") or "en"),
        published=_iso_date(data.get("published")), authors=tuple(map(str, data.get("authors") or ())),
        content_hash=digest,
    )


def _source(value: object, url: str) -> Source:
    if isinstance(value, dict):
        return Source(str(value.get("name") or "replay"), str(value.get("domain") or domain_of(url)),
                      value.get("feed_url"))
    if isinstance(value, str) and value:
        return Source(value, domain_of(url))
    return Source(domain_of(url) or REPLAY_SOURCE.name, domain_of(url))


def _iso_date(value: object) -> str | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"published: not an ISO 8601 date: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds")
