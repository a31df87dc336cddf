"""Logging set-up for services and commands: one line per event, to stderr."""

from __future__ import annotations

import logging
import sys


def setup_logging(verbosity: int = 0) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv.

    Driver loggers (kafka, elasticsearch, httpx …) are silenced below -vv: their
    connection errors come with tracebacks and repeat on every retry, and the
    adapters already report each outage once in the project's own words.
    """
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    for noisy in ("kafka", "elastic_transport", "elasticsearch", "urllib3", "httpx", "httpcore", "trafilatura"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity >= 2 else logging.CRITICAL)
