"""Grouping in memory: blocking, pairwise comparison and constrained union-find.

- :func:`buckets` puts records under their blocking keys; :func:`candidate_pairs` yields each pair
  of records sharing a bucket once, skipping buckets larger than the cap (a title such as
  "Preface" shared by thousands of records is no evidence, and comparing all its pairs would be
  quadratic). Records are never compared outside a shared bucket.
- :func:`cluster` joins records: first every pair a person joined (must-link), then matches from
  the strongest down, refusing a union that would put together two records a person split
  (cannot-link). The result maps every record to a representative of its group.

The same functions group the whole hub (hub.works.grouping), a changed neighbourhood, the crafted
test set and the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from hub.works.features import Features, blocking_keys
from hub.works.match import Edge, Evidence, compare

DEFAULT_BUCKET_CAP = 100


def buckets(features: Iterable[Features]) -> dict[str, list[int]]:
    """Blocking key -> record ids holding it."""
    found: dict[str, list[int]] = defaultdict(list)
    for item in features:
        for key in blocking_keys(item):
            found[key].append(item.record_id)
    return found


def candidate_pairs(blocks: dict[str, list[int]], cap: int = DEFAULT_BUCKET_CAP) -> Iterator[tuple[int, int]]:
    """Each pair of records sharing a bucket of at most ``cap`` records, once (smaller id first)."""
    seen: set[tuple[int, int]] = set()
    for ids in blocks.values():
        if len(ids) < 2 or len(ids) > cap:
            continue
        ordered = sorted(set(ids))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if (a, b) not in seen:
                    seen.add((a, b))
                    yield a, b


def match_edges(features: dict[int, Features], pairs: Iterable[tuple[int, int]]) -> list[Edge]:
    """The matching pairs among ``pairs`` as edges."""
    edges = []
    for a, b in pairs:
        fa, fb = features.get(a), features.get(b)
        if fa is None or fb is None:
            continue
        match = compare(fa, fb)
        if match is not None:
            edges.append(Edge(match.score, a, b, match.evidence))
    return edges


class UnionFind:
    """Union-find over record ids with cannot-link constraints between records."""

    def __init__(self, cannot: Iterable[tuple[int, int]] = ()) -> None:
        self.parent: dict[int, int] = {}
        self.partners: dict[int, set[int]] = defaultdict(set)  # record -> records it must not be with
        self.constrained: dict[int, set[int]] = {}  # root -> its constrained members
        for a, b in cannot:
            self.partners[a].add(b)
            self.partners[b].add(a)

    def find(self, x: int) -> int:
        parent = self.parent
        root = parent.setdefault(x, x)
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def _members_constrained(self, root: int) -> set[int]:
        return self.constrained.get(root) or ({root} if root in self.partners else set())

    def allowed(self, a: int, b: int) -> bool:
        """Whether joining the groups of ``a`` and ``b`` respects every cannot-link."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        for x in self._members_constrained(ra):
            for y in self.partners[x]:
                if self.find(y) == rb:
                    return False
        return True

    def union(self, a: int, b: int, force: bool = False) -> bool:
        """Join the groups of ``a`` and ``b`` (unless forbidden and not forced); True when joined."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self.allowed(a, b):
            return False
        merged = self._members_constrained(ra) | self._members_constrained(rb)
        for x in (a, b):
            if x in self.partners:
                merged.add(x)
        self.parent[rb] = ra
        self.constrained.pop(rb, None)
        if merged:
            self.constrained[ra] = merged
        return True


def cluster(ids: Iterable[int], edges: list[Edge], must: Iterable[tuple[int, int]] = (),
            cannot: Iterable[tuple[int, int]] = ()) -> tuple[dict[int, int], list[Edge]]:
    """(record -> group representative, the edges used) for ``ids`` (see the module docstring)."""
    uf = UnionFind(cannot)
    for record_id in ids:
        uf.find(record_id)
    used: list[Edge] = []
    for a, b in must:
        uf.union(a, b, force=True)
        used.append(Edge(1.0, a, b, (Evidence.JOINED.value,)))
    for edge in sorted(edges, reverse=True):
        if uf.find(edge.a) == uf.find(edge.b):
            used.append(edge)  # further evidence inside a group, kept for display
        elif uf.union(edge.a, edge.b):
            used.append(edge)
    groups = {record_id: uf.find(record_id) for record_id in list(uf.parent)}
    kept = [e for e in used if groups[e.a] == groups[e.b]]
    return groups, kept


def group_features(features: list[Features], cap: int = DEFAULT_BUCKET_CAP, must: Iterable[tuple[int, int]] = (),
                   cannot: Iterable[tuple[int, int]] = ()) -> tuple[dict[int, int], list[Edge]]:
    """Group a list of records entirely in memory: blocking, comparison, clustering."""
    by_id = {f.record_id: f for f in features}
    edges = match_edges(by_id, candidate_pairs(buckets(features), cap))
    return cluster(by_id, edges, must, cannot)
