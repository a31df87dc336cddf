"""Retention on an index: what ``pipeline prune`` removes, and the age rule both backends share.

The age of an article is its publication date. An *estimated* date is the
fetch time already (the poller puts the fetch time in ``published`` when the
feed gives none); an article with no date at all (a replayed file without
one) is aged by its ``fetched`` time; with neither it is kept (its age is
unknown) and counted as such. Claims and their thread links go with their
article. The thread links left in a thread that lost members are repaired
(:func:`repair_threads`), so no link names a removed claim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol, TypeVar, runtime_checkable

from pipeline.index.base import ThreadLink

T = TypeVar("T")

Progress = Callable[[int], object]  # called with units of work just done (what it returns is ignored)


@dataclass(frozen=True, slots=True)
class PruneCounts:
    """What one prune batch removed (or, from :meth:`Prunable.prune_plan`, what a prune would remove)."""

    articles: int = 0
    claims: int = 0
    links: int = 0  # thread links removed with their claims
    relinked: int = 0  # links of remaining claims rewritten (new thread id, denials of removed claims dropped)

    def __add__(self, other: PruneCounts) -> PruneCounts:
        return PruneCounts(self.articles + other.articles, self.claims + other.claims,
                           self.links + other.links, self.relinked + other.relinked)


@dataclass(frozen=True, slots=True)
class PrunePlan:
    """A dry run: the documents a prune would remove, undated articles it keeps, indices it would drop whole."""

    counts: PruneCounts
    undated_kept: int = 0
    whole_indices: tuple[str, ...] = field(default=())


@runtime_checkable
class Prunable(Protocol):
    """An index that can forget what is older than a date. Every method is safe to interrupt and re-run."""

    def prune_plan(self, before: date) -> PrunePlan:
        """What :meth:`prune_batch` calls would remove until done; changes nothing."""

    def drop_expired_indices(self, before: date) -> list[str]:
        """Delete whole storage units (time-period indices) holding only documents older than ``before``;
        the names dropped. Backends without such units return []."""

    def prune_batch(self, before: date, limit: int) -> PruneCounts:
        """Remove up to ``limit`` articles older than ``before`` (see the module doc for the age rule) with
        their claims and thread links, repairing the threads they leave. Durable when it returns; a batch
        cut short is finished by the next call (articles go last, so they are found again). Zero articles
        removed means nothing is left to prune."""

    def compact(self, progress: Progress | None = None, vacuum: bool = False) -> str:
        """Give back what pruning freed (merge text-index segments, reclaim space); a line saying what was done.
        ``vacuum``: also shrink files where that costs a full rewrite (SQLite ``VACUUM``)."""


def is_older(published: str | None, fetched: str | None, before: date) -> bool:
    """The age rule on ISO 8601 UTC strings: the publication date, else the fetch time, else never old."""
    when = published or fetched or ""
    return bool(when) and when < before.isoformat()  # "2024-02-29T23:00Z" < "2024-03-01" < "2024-03-01T00:00Z"


def repair_threads(members: Iterable[ThreadLink], removed: set[str]) -> tuple[list[str], list[ThreadLink]]:
    """(claim ids whose links go, links to rewrite) for the threads ``members`` hold, once ``removed`` are gone.

    A thread keeps the remaining members together and is named by its smallest remaining claim id (the
    rule :mod:`pipeline.threads.assign` keeps); denials of removed claims are dropped from ``denies``.
    Stances stay as decided. ``members`` must be every link of the threads concerned (denials stay within a
    thread, since a denial joins the thread of the claim it denies).
    """
    threads: dict[str, list[ThreadLink]] = {}
    gone: list[str] = []
    for link in members:
        if link.claim_id in removed:
            gone.append(link.claim_id)
        else:
            threads.setdefault(link.thread_id, []).append(link)
    rewrite = []
    for links in threads.values():
        root = min(lk.claim_id for lk in links)
        for lk in links:
            fixed = replace(lk, thread_id=root, denies=tuple(d for d in lk.denies if d not in removed))
            if fixed != lk:
                rewrite.append(fixed)
    return sorted(gone), sorted(rewrite, key=lambda lk: lk.claim_id)


def chunks(values: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
