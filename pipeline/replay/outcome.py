"""What replay yields beside articles: an error (a record that could not be replayed) or a skip.

An error is worth the user's attention (bad input); a skip is a record that was
never meant to be an article (a WARC request, metadata, an image), only counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ReplayError:
    """A file (or a line or record of one) that could not be replayed, and why."""

    path: Path
    reason: str
    line: int | None = None
    offset: int | None = None  # a WARC record's byte offset in its file (as warcio and CDX indexes give it)

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.reason}"
        if self.offset is not None:
            return f"{self.path} (record at byte {self.offset:,}): {self.reason}"
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ReplaySkip:
    """A record that is not an article page: ``kind`` says what it was ("request", "not HTML", …)."""

    path: Path
    kind: str


def unexpected(exc: BaseException) -> str:
    """A one-line reason for an exception nobody foresaw (no traceback: the input is the problem)."""
    return f"unexpected {type(exc).__name__}: {str(exc)[:200] or 'no message'}"
