"""Replay local files as articles, exactly as the poller would publish them.

``.txt`` files are one article each (no headline line; the first paragraph
may open with a dateline such as "Tehran, Iran –"). ``.jsonl`` files hold
one article per line: ``{"text", "title"?, "url"?, "id"?, "published"?,
"source"?, "authors"?}``. Ids depend only on the content (or the URL), so a
second replay publishes the same ids and the index stays free of duplicates.
Web archives (``.warc``, ``.warc.gz``) are streamed record by record
(:mod:`pipeline.replay.archive`).

Every file and every line is an error boundary: whatever goes wrong with one
(bad JSON, nesting too deep, a date out of range, an unexpected exception)
becomes that line's (or file's) :class:`ReplayError`, and the rest go on.
Texts enter the records as valid Unicode (lone surrogates become U+FFFD).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.dates import iso_utc, parse_iso
from pipeline.errors import InputError
from pipeline.records import (
    MAX_TEXT_CHARS,
    Article,
    Source,
    clean_text,
    content_hash,
    stable_id,
    url_article_id,
)
from pipeline.replay.archive import warc_articles
from pipeline.replay.outcome import ReplayError, ReplaySkip, unexpected
from pipeline.replay.titles import title_from_text
from pipeline.replay.warc import is_warc
from pipeline.urls import canonical_url, domain_of

__all__ = ["ReplayError", "ReplaySkip", "find_files", "json_article", "jsonl_articles", "read_articles",
           "text_article", "title_from_text"]

SUFFIXES = (".txt", ".jsonl")  # and WARC files (.warc, .warc.gz), streamed by pipeline.replay.warc
MAX_FILE_BYTES = 50_000_000  # a .jsonl dump may be large; a .txt article is not
MAX_RECORD_BYTES = 10_000_000  # a WARC record's page: the poller's page cap (poller.max_bytes)
REPLAY_SOURCE = Source(name="replay", domain="", feed_url=None)


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Replayable files under ``paths`` (files as given; folders searched recursively), sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and (p.suffix in SUFFIXES or is_warc(p))))
        else:
            found.append(path)
    return found


def read_articles(path: Path, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Article | ReplayError | ReplaySkip]:
    """Articles of one file; problems are yielded as ReplayError, never raised (any exception).

    WARC files are streamed (their records over ``max_record_bytes`` are errors); the
    records of theirs that are not article pages are yielded as ReplaySkip.
    """
    try:
        if is_warc(path):
            yield from warc_articles(path, max_record_bytes)
            return
        raw = _read_bytes(path)
        if path.suffix == ".jsonl":
            yield from jsonl_articles(path, _decode_text(raw))
        else:
            yield text_article(_decode_text(raw), path)
    except InputError as exc:
        yield ReplayError(path, str(exc))
    except OSError as exc:
        yield ReplayError(path, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - the file boundary: one file's surprise must not end the run
        yield ReplayError(path, unexpected(exc))


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
        text=text, language="und", fetched=fetched, content_hash=digest,  # und: the NLP stage detects it
    )


def jsonl_articles(path: Path, text: str) -> Iterator[Article | ReplayError]:
    """One Article or one ReplayError per non-blank line of ``text``; never raises."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield _line_article(path, line, number)


def _line_article(path: Path, line: str, number: int) -> Article | ReplayError:
    try:
        return json_article(json.loads(line))
    except json.JSONDecodeError as exc:
        return ReplayError(path, f"not JSON: {exc.msg}", number)
    except RecursionError:
        return ReplayError(path, "not JSON we accept: nested too deeply", number)
    except (InputError, TypeError, ValueError) as exc:  # ValueError: also a 5,000-digit number
        return ReplayError(path, str(exc), number)
    except Exception as exc:  # noqa: BLE001 - the line boundary: the next line goes on
        return ReplayError(path, unexpected(exc), number)


def json_article(data: object) -> Article:
    """An article from one ``.jsonl`` object (see the module docstring for the fields)."""
    if not isinstance(data, dict):
        raise InputError("expected a JSON object")
    text = _string(data, "text")
    if not text.strip():
        raise InputError('missing "text"')
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text too long ({len(text):,} characters)")
    url = _string(data, "url")
    source = _source(data.get("source"), url)
    digest = content_hash(text)
    if url:
        canonical = _canonical(url)
        article_id = url_article_id(canonical)
    else:
        canonical = f"replay:{data.get('id') or digest}"
        article_id = stable_id("replay", source.name, digest)
    return Article(
        id=article_id, url=url or canonical, canonical_url=canonical, source=source,
        title=_string(data, "title") or title_from_text(text), text=text,
        summary=_string(data, "summary"), language=_string(data, "language") or "und",
        published=_iso_date(data.get("published")), authors=_authors(data.get("authors")),
        content_hash=digest,
    )


def _canonical(url: str) -> str:
    try:
        return canonical_url(url)
    except ValueError as exc:  # urllib: a malformed port or bracketed host
        raise InputError(f'"url": malformed URL ({exc})') from exc


def _string(data: dict[str, Any], key: str) -> str:
    """``data[key]`` as valid Unicode text ('' when absent or null); any other type is the line's error."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f'"{key}": expected a string, not {type(value).__name__}')
    return clean_text(value)


def _authors(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
        raise InputError('"authors": expected a string or a list of strings')
    return tuple(clean_text(a) for a in items if a)


def _source(value: object, url: str) -> Source:
    if isinstance(value, dict):
        feed_url = value.get("feed_url")
        return Source(_string(value, "name") or "replay", _string(value, "domain") or domain_of(url),
                      clean_text(feed_url) if isinstance(feed_url, str) and feed_url else None)
    if isinstance(value, str) and value:
        return Source(clean_text(value), domain_of(url))
    return Source(domain_of(url) or REPLAY_SOURCE.name, domain_of(url))


def _iso_date(value: object) -> str | None:
    if not value:
        return None
    try:
        return iso_utc(parse_iso(str(value)))
    except ValueError as exc:
        raise InputError(f"published: {exc}") from exc
