"""The warning about a server without the english analyzer appears once per process, not per index open.

A stand-in server on loopback answers like a minimal Elasticsearch distribution: no english
analyzer (HTTP 400 from _analyze), and an error for anything after that.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.errors import BackendUnavailable


class _Minimal(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/_analyze"):
            code, body = 400, {"error": {"type": "illegal_argument_exception",
                                         "reason": "failed to find global analyzer [english]"}, "status": 400}
        else:
            code, body = 500, {"error": {"type": "stand_in", "reason": "not a real server"}, "status": 500}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _answer  # noqa: N815 - the stdlib's names

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def minimal_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Minimal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_missing_analyzer_is_reported_once(minimal_server: str, caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.config import IndexSettings
    from pipeline.index.elastic import ElasticIndex

    caplog.set_level(logging.WARNING, logger="pipeline.index.elastic.schema")
    for _ in range(3):  # three opens of the index in one process (each service restart of a connection)
        index = ElasticIndex(minimal_server, IndexSettings(url=minimal_server), prefix="t-", timeout_s=2.0)
        try:
            with pytest.raises(BackendUnavailable):
                index.ensure_schema()  # the analyzer is probed first; the stand-in fails the rest
        finally:
            index.close()
    warnings = [r for r in caplog.records if r.name == "pipeline.index.elastic.schema" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
