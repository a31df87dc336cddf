"""Kafka client configuration and error translation: what every Kafka client of the bus shares.

:func:`translate` is the edge: callers see only :class:`BackendUnavailable` (retry later),
:class:`ConfigError` (fix the settings) or :class:`RecordTooLarge` (this record can never be
sent: dead-letter it). Every call is bounded by the timeouts below (a missing
broker is an error, never a hang), and clients reconnect by themselves once the broker is back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

import kafka.errors as kerr

from pipeline.bus.base import Message
from pipeline.config import KafkaSecurity
from pipeline.errors import BackendUnavailable, ConfigError, RecordTooLarge

CLIENT_ID = "news-claims-pipeline"
BOOTSTRAP_TIMEOUT_MS = 10_000  # kafka-python 3.x: replaces api_version_auto_timeout_ms
REQUEST_TIMEOUT_MS = 10_000
RECONNECT_BACKOFF_MAX_MS = 2_000  # default 30 s would make recovery after a broker restart slow
MAX_BLOCK_MS = 10_000  # send() waiting for topic metadata
DELIVERY_TIMEOUT_MS = 30_000  # a record not acknowledged by then fails its future
SESSION_TIMEOUT_MS = 10_000  # a crashed member's partitions move after this
TOPIC_READY_TIMEOUT_MS = 10_000
READ_TIMEOUT_S = 10.0

# Settings the broker will refuse for good: retrying cannot help.
_CONFIG_ERRORS = (
    kerr.KafkaConfigurationError, kerr.AuthorizationError, kerr.SaslAuthenticationFailedError,
    kerr.UnsupportedSaslMechanismError, kerr.IllegalSaslStateError, kerr.InvalidReplicationFactorError,
    kerr.InvalidPartitionsError, kerr.InvalidTopicError, kerr.PolicyViolationError,
)
# The record is larger than the producer or the broker accepts: sending it again cannot help.
SIZE_ERRORS = (kerr.MessageSizeTooLargeError, kerr.RecordListTooLargeError)
# The group moved on while we were working: the partition's new owner gets the records again.
REBALANCE_ERRORS = (kerr.CommitFailedError, kerr.RebalanceInProgressError, kerr.IllegalGenerationError,
                    kerr.UnknownMemberIdError)


@contextmanager
def translate(action: str) -> Iterator[None]:
    """Map ``kafka.errors.*`` (and socket errors) to the project's error types."""
    try:
        yield
    except _CONFIG_ERRORS as exc:
        raise ConfigError(f"kafka: cannot {action}: {exc}") from exc
    except SIZE_ERRORS as exc:
        raise RecordTooLarge(f"kafka: cannot {action}: record too large: {exc}") from exc
    except (kerr.KafkaError, OSError) as exc:
        raise BackendUnavailable(f"kafka: cannot {action}: {type(exc).__name__}: {exc}") from exc


class _RedactPassword(logging.Filter):
    """kafka-python's admin client logs its whole configuration at DEBUG, SASL password included."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, Mapping) and args.get("sasl_plain_password"):
            record.args = {**args, "sasl_plain_password": "***"}
        return True


logging.getLogger("kafka.admin.client").addFilter(_RedactPassword())


def client_config(bootstrap: str, security: KafkaSecurity) -> dict[str, Any]:
    """Connection settings shared by every client: servers, timeouts, TLS and SASL."""
    servers = [s.strip() for s in bootstrap.split(",") if s.strip()]
    if not servers:
        raise ConfigError("bus.url: kafka:// needs host:port[,host:port...]")
    config: dict[str, Any] = {
        "bootstrap_servers": servers, "client_id": CLIENT_ID, "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
        "request_timeout_ms": REQUEST_TIMEOUT_MS, "reconnect_backoff_max_ms": RECONNECT_BACKOFF_MAX_MS,
        "security_protocol": security.security_protocol,
    }
    if security.sasl_mechanism:
        config.update(sasl_mechanism=security.sasl_mechanism, sasl_plain_username=security.sasl_username,
                      sasl_plain_password=security.sasl_password.get_secret_value())
    for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
        if getattr(security, name):
            config[name] = getattr(security, name)
    return config


def build(cls: Any, action: str, **config: Any) -> Any:
    """Construct a kafka-python client; on failure, close the network client it left running.

    (KafkaConsumer and KafkaAdminClient start an IO thread, and leave it running when
    bootstrapping fails: a retry loop would leak threads.)
    """
    made: list[Any] = []
    default_factory = cls.DEFAULT_CONFIG["kafka_client"]

    def factory(**kwargs: Any) -> Any:
        made.append(default_factory(**kwargs))
        return made[-1]

    try:
        with translate(action):
            return cls(kafka_client=factory, **config)
    except Exception:
        for client in made:
            with suppress(Exception):
                client.close()
        raise


def to_message(record: Any) -> Message:
    headers = {k: (v or b"").decode("utf-8", "replace") for k, v in (record.headers or [])}
    key = record.key.decode("utf-8", "replace") if record.key is not None else None
    return Message(record.topic, record.partition, record.offset, key, record.value or b"", headers,
                   record.timestamp)


