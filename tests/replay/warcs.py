"""WARC files for the tests, written with warcio's own writer (plain, per-record gzip, whole-file gzip)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATE = "2024-03-01T10:00:00Z"
PARAGRAPH = ("The minister said on Friday that the new bridge would open next spring, "
             "after two years of delays and a budget that doubled. ")


def page(title: str, repeat: int = 4) -> bytes:
    """An article page whose words name its title (so no two test pages share a paragraph)."""
    words = f"{title}: {PARAGRAPH}" * repeat
    return (f"<html><head><title>{title}</title></head><body><nav>Home | World</nav>"
            f"<article><h1>{title}</h1><p>{words}</p><p>More on {words}</p></article></body></html>").encode()


class Archive:
    """Records in order; ``write`` lays them out as one of the three kinds of WARC file."""

    def __init__(self) -> None:
        self.records: list[tuple] = []

    def response(self, url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
                 status: str = "200 OK", date: str = DATE, extra: list | None = None,
                 headers: dict | None = None) -> Archive:
        http = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
        self.records.append(("response", url, body, http, {"WARC-Date": date, **(headers or {})}))
        return self

    def other(self, kind: str, url: str = "https://news.test/", body: bytes = b"x") -> Archive:
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.test")], is_http_request=True) \
            if kind == "request" else None
        self.records.append((kind, url, body, http, {"WARC-Date": DATE}))
        return self

    def raw_response(self, url: str | None, block: bytes, date: str = DATE) -> Archive:
        """A response record whose block is ``block`` as given (no HTTP headers written for it)."""
        headers = {"WARC-Date": date, "Content-Type": "application/http; msgtype=response"}
        self.records.append(("raw", url, block, None, headers))
        return self

    def write(self, path: Path, layout: str = "gzip-per-record") -> Path:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=layout == "gzip-per-record")
        writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "tests"}))
        for kind, url, body, http, headers in self.records:
            record = _record(writer, kind, url, body, http, headers)
            writer.write_record(record)
            record.raw_stream.close()  # warcio may have spooled it to a temporary file
        data = buffer.getvalue()
        path.write_bytes(gzip.compress(data) if layout == "gzip-whole-file" else data)
        return path


def _record(writer: WARCWriter, kind: str, url, body: bytes, http, headers: dict):
    if kind == "raw":
        record = writer.create_warc_record(url or "", "response", payload=io.BytesIO(body),
                                           warc_headers_dict=headers, length=len(body))
        if url is None:
            record.rec_headers.remove_header("WARC-Target-URI")
        return record
    return writer.create_warc_record(url, kind, payload=io.BytesIO(body), http_headers=http,
                                     warc_headers_dict=headers)
