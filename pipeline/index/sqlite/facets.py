"""Facet counts of the embedded index: the top values of each facet among a search's sampled matches.

Exact over the rows given (a search passes its first ``CANDIDATES`` matches, so the counts are exact
whenever there are fewer); count, then value, decide the order.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any, cast

from pipeline.index.base import FACET_SIZE, FACETS
from pipeline.index.sqlite.documents import NAME_SEPARATOR

# The claim column each facet counts (see FACETS), in the order ranked rows carry them;
# a SPLIT one holds a claim's distinct names joined by NAME_SEPARATOR.
FACET_COLUMNS = {"speakers": "c.speaker", "stances": "c.stance", "sources": "c.source", "entities": "c.entity_names",
                 "languages": "c.language"}
SPLIT_FACETS = frozenset({"entities"})
Row = tuple[Any, ...]  # rid, score, then one value per FACET_COLUMNS entry


def facets(rows: list[Row]) -> dict[str, list[tuple[str, int]]]:
    """Top values per facet among ``rows``; count, then value, decide the order.

    Counted a column at a time (Counter over a whole column runs in C; a search counts up to
    CANDIDATES rows on every request it cannot answer from the cache).
    """
    if not rows:
        return {name: [] for name in FACETS}
    columns = list(zip(*rows, strict=True))[2:]
    counted = {name: _count(values, split=name in SPLIT_FACETS)
               for name, values in zip(FACET_COLUMNS, columns, strict=True)}
    return {name: _top(counted[name]) for name in FACETS}


def _count(values: tuple[str | None, ...], split: bool) -> Counter[str]:
    counts: Counter[str | None]
    if split:
        joined = NAME_SEPARATOR.join(filter(None, values))  # distinct per claim: a claim counts once
        counts = Counter(joined.split(NAME_SEPARATOR) if joined else ())
    else:
        counts = Counter(values)
    counts.pop(None, None)
    return cast("Counter[str]", counts)  # None is gone


def _top(counts: Counter[str]) -> list[tuple[str, int]]:
    if len(counts) > FACET_SIZE:  # only values that can make the top are sorted (ties at the cut included)
        cut = heapq.nlargest(FACET_SIZE, counts.values())[-1]
        counts = Counter({value: n for value, n in counts.items() if n >= cut})
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
