"""Several server processes on one listening socket (``pipeline serve --workers N``).

One Python process runs the request handling of one core at a time (the
GIL); a search's SQL runs outside it, but routing, validation, facets and
JSON do not. N processes accept from the same socket (the kernel spreads the
connections) and each opens its own index, so uncached searches use every core.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable

log = logging.getLogger(__name__)


def run_workers(count: int, serve_one: Callable[[], None], started: Callable[[], None] = lambda: None) -> None:
    """Run ``serve_one`` in ``count`` processes: this one and ``count - 1`` forked children
    (``started()`` is called once they all exist).

    Call it before opening any index or starting any thread (a SQLite
    connection or a client's pool must not cross a fork): ``serve_one`` opens
    its own. Children inherit the signal handlers, so SIGINT from a terminal
    stops them all; when this process's ``serve_one`` returns (SIGTERM,
    SIGINT), each child gets SIGTERM and is waited for, so the command ends
    only once every worker has finished its requests.
    """
    children: list[int] = []
    try:
        for _ in range(count - 1):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child (tests watch it from outside)
                os._exit(_child(serve_one))
            children.append(pid)
        started()
        serve_one()
    finally:
        for pid in children:
            _stop(pid)
        failed = [pid for pid in children if _wait(pid) != 0]
        if failed:
            log.warning("worker processes %s ended with an error", failed)


def _child(serve_one: Callable[[], None]) -> int:  # pragma: no cover - runs in the child
    try:
        serve_one()
    except BaseException:  # noqa: BLE001 - a worker's failure must not run the parent's cleanups
        log.exception("worker %d failed", os.getpid())
        return 1
    return 0


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.kill(pid, signal.SIGTERM)


def _wait(pid: int) -> int:
    """The child's exit status (0 when it was already reaped)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return 0
    return os.waitstatus_to_exitcode(status)
