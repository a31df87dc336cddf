"""Files named on the command line: ``-`` is stdin/stdout; an unreadable path is an InputError."""

from __future__ import annotations

import sys
from typing import IO

from pipeline.errors import InputError


def open_stream(path: str, mode: str) -> IO[str]:
    """The UTF-8 text file at ``path`` (``-``: stdin for "r", stdout for "w"); the caller closes it."""
    if path == "-":
        return sys.stdin if mode == "r" else sys.stdout
    try:
        return open(path, mode, encoding="utf-8")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from exc
