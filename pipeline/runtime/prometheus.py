"""Prometheus metrics and a health endpoint for a service (the only importer of prometheus_client).

``GET /metrics`` serves the Prometheus text format; ``GET /health`` serves
the sensor's health as JSON with status 200 when ok and 503 otherwise.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from pipeline.runtime.metrics import Sensor

log = logging.getLogger(__name__)


class PrometheusSensor(Sensor):
    """A Sensor that also exports counters, batch latency and lag to Prometheus."""

    def __init__(self) -> None:
        super().__init__()
        self.registry = CollectorRegistry()
        r = self.registry
        self._in = Counter("pipeline_records_in", "Records consumed", ["stage"], registry=r)
        self._out = Counter("pipeline_records_out", "Records published", ["stage"], registry=r)
        self._dead = Counter("pipeline_records_dead_lettered", "Records sent to a dead-letter topic",
                             ["stage"], registry=r)
        self._not_modified = Counter("pipeline_polls_not_modified", "Polls that found the source unchanged",
                                     ["stage"], registry=r)
        self._errors = Counter("pipeline_poll_errors", "Polls that failed (fetch or parse)", ["stage"], registry=r)
        self._refused = Counter("pipeline_fetches_refused", "Outbound fetches refused by the fetch policy "
                                "(non-public destinations named by a feed)", ["stage"], registry=r)
        self._retries = Counter("pipeline_retries", "Batch retries after transient failures", ["stage"],
                                registry=r)
        self._latency = Histogram("pipeline_batch_seconds", "Time from poll to commit per batch", ["stage"],
                                  registry=r, buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60))
        self._lag = Gauge("pipeline_consumer_lag", "Records waiting for the stage's consumer group",
                          ["stage"], registry=r)
        self._requests = Counter("pipeline_http_requests", "HTTP requests by route and status",
                                 ["route", "status"], registry=r)
        self._request_latency = Histogram(
            "pipeline_http_request_seconds", "HTTP request latency by route", ["route"], registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10))

    def request(self, route: str, status: int, seconds: float) -> None:
        super().request(route, status, seconds)
        self._requests.labels(route, str(status)).inc()
        self._request_latency.labels(route).observe(seconds)

    def export(self) -> tuple[str, bytes]:
        return CONTENT_TYPE_LATEST, generate_latest(self.registry)

    def records_in(self, stage: str, n: int) -> None:
        super().records_in(stage, n)
        self._in.labels(stage).inc(n)

    def records_out(self, stage: str, n: int) -> None:
        super().records_out(stage, n)
        self._out.labels(stage).inc(n)

    def failures(self, stage: str, n: int) -> None:
        super().failures(stage, n)
        self._dead.labels(stage).inc(n)

    def not_modified(self, stage: str, n: int) -> None:
        super().not_modified(stage, n)
        self._not_modified.labels(stage).inc(n)

    def errors(self, stage: str, n: int) -> None:
        super().errors(stage, n)
        self._errors.labels(stage).inc(n)

    def refused(self, stage: str, n: int) -> None:
        super().refused(stage, n)
        self._refused.labels(stage).inc(n)

    def retry(self, stage: str, reason: str) -> None:
        super().retry(stage, reason)
        self._retries.labels(stage).inc()

    def batch_done(self, stage: str, seconds: float) -> None:
        super().batch_done(stage, seconds)
        self._latency.labels(stage).observe(seconds)

    def lag(self, stage: str, records: int) -> None:
        super().lag(stage, records)
        self._lag.labels(stage).set(records)


def serve_metrics(sensor: PrometheusSensor, host: str, port: int) -> ThreadingHTTPServer:
    """Serve /metrics and /health on a daemon thread; returns the server (``.server_port``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path.startswith("/metrics"):
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(sensor.registry))
            elif self.path.startswith("/health"):
                health = sensor.health()
                code = 200 if health["status"] == "ok" else 503
                self._send(code, "application/json", json.dumps(health).encode())
            else:
                self._send(404, "text/plain", b"try /metrics or /health\n")

        def _send(self, code: int, content_type: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt: str, *args: object) -> None:
            log.debug("metrics: " + fmt, *args)

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics and health on http://%s:%d/metrics and /health", host, server.server_port)
    return server
