"""The Elasticsearch client of an index, and the translation of the driver's errors into the project's.

Guarantees: no ``elasticsearch``/``elastic_transport`` exception leaves :func:`translated`; outages
(connection errors, timeouts, 429, 5xx) become :class:`~pipeline.errors.BackendUnavailable`; the client's
error messages never carry the URL (which may hold a password).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from elastic_transport import ApiError, TransportError
from elasticsearch import Elasticsearch

from pipeline.config import IndexSettings
from pipeline.errors import BackendUnavailable, ConfigError, InputError, PermanentError, PipelineError
from pipeline.index.elastic import mappings as m

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


@contextmanager
def translated(what: str, bad_request: type[PipelineError] = InputError) -> Iterator[None]:
    """Driver exceptions → project errors, at this edge only (HTTP 400 → ``bad_request``)."""
    try:
        yield
    except ApiError as exc:
        raise status_error(what, exc.meta.status, m.error_reason(exc.body) or exc.message, bad_request) from exc
    except TransportError as exc:  # connection refused, timeouts, TLS failures
        raise BackendUnavailable(f"elasticsearch {what}: {type(exc).__name__}: {exc.message}") from exc


def status_error(what: str, status: int, reason: str,
                  bad_request: type[PipelineError] = InputError) -> PipelineError:
    """The project error for an HTTP error status (of a request, or of one item of a multi-search)."""
    if status in RETRYABLE_STATUS or status >= 500:
        return BackendUnavailable(f"elasticsearch {what}: HTTP {status} {reason}")
    if status == 400:
        return bad_request(f"elasticsearch {what}: {reason}")
    return PermanentError(f"elasticsearch {what}: HTTP {status} {reason}")


def make_client(url: str, settings: IndexSettings, timeout_s: float) -> Elasticsearch:
    """One client per index object (connection pooling), with the configured credentials."""
    sec = settings.elastic
    if sec.api_key and sec.username:
        raise ConfigError("index.elastic: set either api_key or username/password, not both")
    kwargs: dict[str, Any] = {}
    if sec.api_key:
        kwargs["api_key"] = sec.api_key.get_secret_value()
    if sec.username:
        kwargs["basic_auth"] = (sec.username, sec.password.get_secret_value())
    if urlsplit(url).scheme == "https":
        kwargs["verify_certs"] = sec.verify_certs
        if sec.ca_certs:
            kwargs["ca_certs"] = sec.ca_certs
    try:
        return Elasticsearch(
            url, request_timeout=timeout_s, max_retries=2, retry_on_timeout=True,
            retry_on_status=tuple(RETRYABLE_STATUS), **kwargs)
    except ValueError as exc:  # the client's messages name the problem, never the URL (which may hold a password)
        raise ConfigError(f"index: invalid Elasticsearch client settings: {exc}") from None
