"""The query plan of a claim search: which filter drives it, and what the day counts answer without a pass.

``claim_days`` (see :mod:`pipeline.index.sqlite.schema`) holds the exact number
of claims of each publication day, stance and language, and bounds on their
claim ids. From it, before any pass over the claims, a plan knows:

- the exact total of a search whose only filters are stance, language and
  dates (no words, no names): no count at all;
- the claim ids a date range can hold: FTS5 then walks only that rowid range
  and each match's date is read from its row, instead of collecting every
  claim of the range into a set (:attr:`Plan.dated_rows`);
- which exact-value filter (or the dates) selects the fewest claims: a search
  without words walks that index newest first (:attr:`Plan.drive`);
- which exact-value filters every claim in range meets (one language): they
  are not checked at all (:attr:`Plan.redundant`).

A plan changes how matches are found, never which: every plan of a query
yields the same hits, order, facets and total (tests/index/test_sqlite_plan.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pipeline.index.base import ClaimQuery
from pipeline.index.query import date_bounds
from pipeline.index.sqlite import clauses, copies

# Exact-value filters the day counts know, with the index that serves each newest first.
COUNTED = {"stance": "claims_by_stance", "language": "claims_by_language"}
# Reading a match's row to check its date costs about as much as adding a claim to the date set: the
# rowid range is walked instead of the set built while it holds at most this many claims per claim dated in range.
SPAN_PER_DATED = 4


@dataclass(frozen=True, slots=True)
class Counted:
    """What the day counts say of the stance, language and date filters of a query (the others apart)."""

    claims: int  # exactly the claims these filters alone match
    low: int | None  # every such claim id is within [low, high] (None: no such claim)
    high: int | None


@dataclass(frozen=True, slots=True)
class Plan:
    """How one claim search runs (see the module docstring)."""

    counted: Counted  # the counted filters' matches (all claims when none is set)
    total: int | None  # the exact total when the counted filters are the query's only conditions
    # The index a search of counted filters alone walks newest first (None: words or names, FTS5 or
    # SQLite's planner decides); claims_by_published when the dates (or nothing) select fewest.
    drive: str | None
    dated_rows: bool  # dates checked on each FTS5 match's row within the range's ids (else: a set of ids)
    redundant: frozenset[str] = frozenset()  # counted filters every claim in the date range meets: not checked


def counted(conn: sqlite3.Connection, q: ClaimQuery, only: str | None = None) -> Counted:
    """The day counts of ``q``'s stance, language and dates (``only``: of the dates and that filter alone)."""
    where, params = ["claims > 0"], []
    low, high = date_bounds(*clauses.date_range(q))
    if low or high:
        where.append("day >= ?")
        params.append(f"d{low or ''}")  # 'd' leads every dated day; '' (undated) stays out
    if high:
        where.append("day < ?")
        params.append(f"d{high}")
    for name, value in q.filter_values().items():
        if name in COUNTED and (only is None or name == only):
            where.append(f"{name} = ?")
            params.append(str(value))
    row = conn.execute(f"SELECT COALESCE(SUM(claims), 0), MIN(low), MAX(high) FROM claim_days"
                       f" WHERE {' AND '.join(where)}", params).fetchone()
    return Counted(*row)


def plan_of(conn: sqlite3.Connection, q: ClaimQuery, expression: str) -> Plan:
    """The plan of ``q`` (``expression``: its FTS5 words, "" for none)."""
    whole = counted(conn, q)
    dated = counted(conn, q, only="")
    values = q.filter_values()
    sizes = {name: counted(conn, q, only=name).claims for name in COUNTED if name in values}
    redundant = frozenset(name for name, size in sizes.items() if size == dated.claims)  # e.g. one language
    only_counted = not expression and not clauses.has_names(q)
    drive = choose_drive({COUNTED[name]: size for name, size in sizes.items() if name not in redundant},
                         dated.claims) if only_counted else None
    rows = clauses.has_dates(q) and choose_dated_rows(dated.claims, dated.low, dated.high)
    # The day counts include wire copies: a collapsed search (copies marked) counts its matches itself.
    counts_are_total = only_counted and (q.all_copies or not copies.any_marked(conn, "copy_claims"))
    return Plan(whole, whole.claims if counts_are_total else None, drive, rows, redundant)


def choose_drive(sizes: dict[str, int], dated: int) -> str:
    """The smallest of ``sizes`` (claims per index), unless the dates alone (``dated``) select fewer."""
    best = min(sizes, key=lambda index: (sizes[index], index), default=None)
    return best if best is not None and sizes[best] < dated else "claims_by_published"


def choose_dated_rows(claims: int, low: int | None, high: int | None) -> bool:
    """Rows when the ids of the range's ``claims`` span at most SPAN_PER_DATED times as many ids."""
    return low is None or high is None or high - low + 1 <= SPAN_PER_DATED * max(claims, 1)
