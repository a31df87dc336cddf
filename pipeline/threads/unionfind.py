"""Disjoint sets whose representative is the smallest member: the same groups in any order of unions."""

from __future__ import annotations


class MinUnionFind:
    """Union-find over string keys; ``find`` returns each group's smallest key (order-independent)."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        """The smallest key of ``key``'s group (``key`` joins as a group of one if new)."""
        self._parent.setdefault(key, key)
        while self._parent[key] != key:
            self._parent[key] = self._parent[self._parent[key]]
            key = self._parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        """Merge the groups of ``a`` and ``b``."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[str, set[str]]:
        """Every group, keyed by its smallest key."""
        out: dict[str, set[str]] = {}
        for key in list(self._parent):
            out.setdefault(self.find(key), set()).add(key)
        return out
