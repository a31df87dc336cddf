"""The composition root: settings in, concrete backends out, opened once and closed once."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from pipeline.backends import open_bus, open_index
from pipeline.bus.base import Bus
from pipeline.config import Settings
from pipeline.index.base import Index
from pipeline.runtime.shutdown import StopFlag


class Context:
    """What a command needs; backends open lazily so ``--help`` and ``extract`` need no servers."""

    def __init__(self, settings: Settings, verbosity: int = 0) -> None:
        self.settings = settings
        self.verbosity = verbosity
        self.stop = StopFlag()
        self._stack = ExitStack()
        self._bus: Bus | None = None
        self._index: Index | None = None

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

    def closing(self, resource: Any) -> Any:
        """Close ``resource`` when the command ends (last opened, first closed)."""
        self._stack.callback(resource.close)
        return resource

    def on_close(self, callback: Any) -> None:
        """Call ``callback()`` when the command ends."""
        self._stack.callback(callback)

    def close(self) -> None:
        self._stack.close()
