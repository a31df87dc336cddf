"""Web archive (WARC) records as HTML pages: the only module that imports warcio.

Guarantees of :func:`warc_pages` (it never raises):

- the file is streamed: memory stays within ``max_body_bytes`` plus warcio's
  buffers however large the file, and a record over the cap is refused from
  its header before its body is read (then skipped over, not held);
- each ``response`` record holding an HTML page with status 200 is a
  :class:`WebPage`; every other record (request, metadata, warcinfo, revisit,
  an image, a redirect) is a :class:`ReplaySkip` naming its kind;
- a broken record (no target URI, unreadable HTTP headers, a body over the
  cap, truncated) is that record's :class:`ReplayError`, and the next record
  goes on;
- a file that is not a WARC, or is corrupt past some record, gives one
  ReplayError and ends there; the pages before it are kept.

Plain, whole-file gzip and per-record gzip files are all read: a gzip'd file
is decompressed as one stream (Python's gzip reads member after member), since
warcio itself refuses a whole-file gzip holding more than one record. Offsets
are byte offsets into the decompressed archive.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import WARCIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from pipeline.replay.outcome import ReplayError, ReplaySkip, unexpected

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
HEADER_ALLOWANCE = 1 << 16  # a record may exceed the body cap by its HTTP headers, no more
_CHUNK = 1 << 16
_HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)


@dataclass(frozen=True, slots=True)
class WebPage:
    """An archived HTML page: its target URI, WARC-Date as written, and its decoded body."""

    url: str
    date: str
    html: bytes
    offset: int


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def warc_pages(path: Path, max_body_bytes: int) -> Iterator[WebPage | ReplaySkip | ReplayError]:
    """The records of one WARC file; see the module docstring."""
    records: Any = None
    try:
        with ExitStack() as stack:
            records = WARCIterator(_open(path, stack), no_record_parse=True)  # HTTP headers: parsed here
            for record in records:
                offset = records.offset
                outcome = _outcome(path, record, offset, max_body_bytes)
                missing = _skip_rest(record)
                yield ReplayError(path, f"truncated: the record ends {missing:,} bytes short", offset=offset) \
                    if missing else outcome
    except ArchiveLoadFailed as exc:
        yield ReplayError(path, f"not a WARC file, or corrupt from here on: {_first_line(exc)}", offset=_at(records))
    except (_Truncated, zlib.error, gzip.BadGzipFile) as exc:
        yield ReplayError(path, f"truncated or corrupt compression: {exc or type(exc).__name__}", offset=_at(records))
    except OSError as exc:
        yield ReplayError(path, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - the file boundary: the next file goes on
        yield ReplayError(path, unexpected(exc), offset=_at(records))


class _Truncated(Exception):
    """The compressed stream ended early (warcio would take an EOFError for the archive's end)."""


class _Gunzip:
    """A gzip'd archive's bytes as they decompress: ``read`` returns what one step gives, so the
    records before a truncation are read before it is noticed, and it is noticed, not taken as the end."""

    def __init__(self, file: gzip.GzipFile) -> None:
        self._file = file

    def read(self, size: int = -1) -> bytes:
        try:
            return self._file.read1(size if size and size > 0 else _CHUNK)
        except EOFError as exc:
            raise _Truncated(str(exc)) from exc

    def tell(self) -> int:
        return self._file.tell()


def _open(path: Path, stack: ExitStack) -> Any:
    """The archive's plain bytes: gzip'd files (by their magic number, not their name) decompressed."""
    raw = stack.enter_context(path.open("rb"))
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return _Gunzip(stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb")))
    return raw


def _outcome(path: Path, record: Any, offset: int, cap: int) -> WebPage | ReplaySkip | ReplayError:
    if record.rec_type != "response":
        return ReplaySkip(path, str(record.rec_type or "untyped record"))
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not url:
        return ReplayError(path, "response record without a WARC-Target-URI", offset=offset)
    if not url.lower().startswith(("http://", "https://")):
        return ReplaySkip(path, "not an HTTP response")  # dns:, whois: … records
    if record.length is None or record.length > cap + HEADER_ALLOWANCE:
        size = "no Content-Length" if record.length is None else f"{record.length:,} bytes"
        return ReplayError(path, f"record too large ({size}; the limit is {cap:,})", offset=offset)
    return _page(path, record, url, offset, cap)


def _page(path: Path, record: Any, url: str, offset: int, cap: int) -> WebPage | ReplaySkip | ReplayError:
    try:
        record.http_headers = _HTTP.parse(record.raw_stream)
    except (StatusAndHeadersParserException, EOFError, ValueError) as exc:
        return ReplayError(path, f"unreadable HTTP headers: {_first_line(exc)}", offset=offset)
    status = record.http_headers.get_statuscode()
    if status != "200":
        return ReplaySkip(path, f"HTTP {status}")
    content_type = (record.http_headers.get_header("content-type") or "").split(";", 1)[0].strip().lower()
    if content_type not in HTML_TYPES:
        return ReplaySkip(path, "not HTML")
    body = record.content_stream().read(cap + 1)  # decoded (chunked, gzip): bounded here, not after
    if len(body) > cap:
        return ReplayError(path, f"page too large (over {cap:,} bytes decoded)", offset=offset)
    return WebPage(url, record.rec_headers.get_header("WARC-Date") or "", body, offset)


def _skip_rest(record: Any) -> int:
    """Read past what is left of the record; the bytes its header promised but the file lacks."""
    raw = record.raw_stream
    while raw.read(_CHUNK):
        pass
    return max(getattr(raw, "limit", 0), 0)


def _at(records: Any) -> int | None:
    return getattr(records, "offset", None)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
