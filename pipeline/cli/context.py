"""The composition root: settings in, concrete backends out, opened once and closed once."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pipeline.backends import open_bus, open_index
from pipeline.bus.base import Bus
from pipeline.config import Settings
from pipeline.index.base import Index
from pipeline.poller.health import merge_config_feeds
from pipeline.poller.store import FeedStore
from pipeline.runtime.metrics import Sensor
from pipeline.runtime.shutdown import StopFlag

FEED_STORE = "{data_dir}/feeds.db"


class _Closeable(Protocol):
    def close(self) -> object: ...


_C = TypeVar("_C", bound=_Closeable)


class Context:
    """What a command needs; backends open lazily so ``--help`` and ``extract`` need no servers."""

    def __init__(self, settings: Settings, verbosity: int = 0) -> None:
        self.settings = settings
        self.verbosity = verbosity
        self.stop = StopFlag()
        self._stack = ExitStack()
        self._bus: Bus | None = None
        self._index: Index | None = None
        self._feeds: FeedStore | None = None

    @property
    def bus(self) -> Bus:
        if self._bus is None:
            self._bus = open_bus(self.settings)
            self._stack.callback(self._bus.close)
        return self._bus

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = open_index(self.settings)
            self._stack.callback(self._index.close)
        return self._index

    @property
    def feeds(self) -> FeedStore:
        """The feed store of this data_dir (created if missing), with the configuration's feeds merged in."""
        if self._feeds is None:
            self._feeds = self.closing(FeedStore(self.settings.resolve(FEED_STORE)))
            merge_config_feeds(self._feeds, self.settings.feeds, time.time())
        return self._feeds

    def has_feeds(self) -> bool:
        """Whether there can be feeds at all (a store file exists, or the configuration names feeds)."""
        return Path(self.settings.resolve(FEED_STORE)).exists() or bool(self.settings.feeds)

    def sensor(self, port: int | None = None) -> Sensor:
        """A Prometheus-exporting sensor serving /metrics and /health when a metrics port is set
        (``port``, else ``[metrics] port``), else the in-memory one. The server stops with the command."""
        port = self.settings.metrics.port if port is None else port
        if not port:
            return Sensor()
        from pipeline.runtime.prometheus import PrometheusSensor, serve_metrics

        sensor = PrometheusSensor()
        server = serve_metrics(sensor, self.settings.metrics.host, port)
        self.on_close(server.server_close)
        self.on_close(server.shutdown)
        return sensor

    def closing(self, resource: _C) -> _C:
        """Close ``resource`` when the command ends (last opened, first closed)."""
        self._stack.callback(resource.close)
        return resource

    def on_close(self, callback: Any) -> None:
        """Call ``callback()`` when the command ends."""
        self._stack.callback(callback)

    def close(self) -> None:
        self._stack.close()
