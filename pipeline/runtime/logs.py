"""Logging set-up for services and commands: one line per event, to stderr."""

from __future__ import annotations

import logging
import sys


def setup_logging(verbosity: int = 0) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv; driver chatter kept at WARNING."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    for noisy in ("kafka", "elastic_transport", "elasticsearch", "urllib3", "httpx", "httpcore", "trafilatura"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
