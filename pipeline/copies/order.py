"""Which of two articles is the original: the earlier published; the first seen when dates tie or are missing."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.index.base import CopyEntry


def _instant(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # a naive time is taken as UTC


def earlier(a: CopyEntry, b: CopyEntry) -> bool:
    """Whether ``a`` is the original of the two: published first; when either date is missing or
    both are the same, seen first (``seen``, then id, so the answer never depends on who asks)."""
    pa, pb = _instant(a.published), _instant(b.published)
    if pa is not None and pb is not None and pa != pb:
        return pa < pb
    return (a.seen, a.article_id) < (b.seen, b.article_id)
