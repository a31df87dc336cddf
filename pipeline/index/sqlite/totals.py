"""Totals of the embedded index's searches: counted up to a bound, and the walk-or-sort choice they decide.

A total is counted up to ``TOTAL_BOUND`` matches (:func:`count`: exact up to
it, the bound and ``exact=False`` beyond, the contract of
:class:`~pipeline.index.base.SearchResult`) unless it is known without counting
(the day counts, a candidate set holding every match). A name filter alone
counts on to :func:`scan_threshold`, so :func:`newest_first_scan` decides as a
full count would.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from pipeline.index import base
from pipeline.index.base import ClaimQuery
from pipeline.index.sqlite import clauses
from pipeline.index.sqlite import queries as read
from pipeline.index.sqlite.plan import Plan


def total_and_window(conn: sqlite3.Connection, q: ClaimQuery, expression: str,
                     plan: Plan | None = None) -> tuple[tuple[int, bool], list[int]]:
    """``((total, exact), window)``: the matches counted up to ``TOTAL_BOUND + 1`` (see :func:`bounded`)
    and the newest RANK_WINDOW of them, from one unscored pass (with dates it reads the date set once)."""
    limit = max(base.TOTAL_BOUND + 1, read.RANK_WINDOW)
    matches = read.newest_matches(conn, q, expression, plan, limit=limit)
    total = (len(matches), True) if len(matches) < limit else bounded(len(matches))  # fewer: every match seen
    return total, matches[:read.RANK_WINDOW]


def newest_first_scan(q: ClaimQuery, expression: str, matches: int, claims: int | None = None) -> bool:
    """Whether walking all ``claims`` newest first beats sorting the ``matches``: many matches, no words or dates.

    The walk stops after ``CANDIDATES`` matches, so it visits about CANDIDATES × claims / matches rows,
    where sorting collects every match: the walk wins once matches² > CANDIDATES × claims (a row checked
    costs about what a match sorted does). ``claims`` unknown: the walk when there are many matches.
    ``matches`` need only be exact up to :func:`scan_threshold` (a count may stop one past it).
    """
    if expression or clauses.has_dates(q) or matches <= 4 * read.CANDIDATES:
        return False
    return claims is None or matches * matches > read.CANDIDATES * claims


def scan_threshold(claims: int) -> int:
    """The most matches for which :func:`newest_first_scan` sorts rather than walks (isqrt(CANDIDATES × claims)):
    counting to one past it decides as a full count would, at a cost growing as the square root of the index."""
    return math.isqrt(read.CANDIDATES * claims)


def count(conn: sqlite3.Connection, q: ClaimQuery, expression: str, plan: Plan | None = None,
          decide: int = 0) -> tuple[tuple[int, bool], int]:
    """``((total, exact), counted)``: the matches counted up to ``max(TOTAL_BOUND, decide) + 1``, so a filter
    or word in most claims costs a bounded read, not a pass over its whole posting list; ``total`` as
    :func:`bounded` gives it, ``counted`` the matches seen (exact up to ``decide``: what a plan compares)."""
    source, where, params = read.claim_where(conn, q, expression, plan=plan)
    counted = count_upto(conn, f"{source} WHERE {where}", params, decide)
    return bounded(counted), counted


def count_upto(conn: sqlite3.Connection, source: str, params: list[Any], decide: int = 0) -> int:
    """The rows of ``source`` (``FROM … WHERE …``), counted up to ``max(TOTAL_BOUND, decide) + 1`` (the
    bound read at each call)."""
    sql = f"SELECT COUNT(*) FROM (SELECT 1 {source} LIMIT ?)"
    return int(conn.execute(sql, (*params, max(base.TOTAL_BOUND, decide) + 1)).fetchone()[0])


def bounded(found: int) -> tuple[int, bool]:
    """``(total, exact)`` of ``found`` matches counted up to at least ``TOTAL_BOUND + 1``: exact up to the
    bound; beyond it, the bound itself as a lower bound (the contract of :class:`~pipeline.index.base.SearchResult`)."""
    return (found, True) if found <= base.TOTAL_BOUND else (base.TOTAL_BOUND, False)
