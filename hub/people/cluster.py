"""Clustering authorships into people: candidate pairs from blocks, links, constrained union-find.

- :func:`candidate_pairs` pairs the authorships sharing a block (:func:`hub.people.features.block_keys`:
  the name key narrowed by member and discipline, member and subject, or co-author; the ORCID iD). A
  block larger than the cap is skipped, as works skip a title shared by thousands: its pairs are
  compared only when they share another, smaller block (a co-author, a subject). So a common name is
  never compared pair by pair, and the cost grows with the authorships, not with their square.
- :func:`cluster` joins authorships: first the pairs a person joined (must-link, forced), then links
  from the strongest down, refusing a union that would put into one person two different ORCID iDs,
  two different Han forms (王伟 and 王薇) or two different full given names (``Wang Wei`` and
  ``Wang Wen``, which ``Wang, W.`` would otherwise chain), or two authorships a person split
  (cannot-link). A person's join overrides the first three.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from hub.people.evidence import Edge, Evidence, NameRelation, compare
from hub.people.features import AuthorFeatures, block_keys


def candidate_pairs(authors: Sequence[AuthorFeatures], cap: int,
                    blocks: Sequence[Sequence[str]] | None = None) -> set[tuple[int, int]]:
    """Index pairs (i < j) of authorships sharing a block (see the module docstring)."""
    members: dict[str, list[int]] = defaultdict(list)
    for index, author in enumerate(authors):
        for key in (blocks[index] if blocks is not None else block_keys(author)):
            members[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for ids in members.values():
        if 2 <= len(ids) <= cap:
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    if a != b:
                        pairs.add((a, b) if a < b else (b, a))
    return pairs


def link_edges(authors: Sequence[AuthorFeatures], pairs: Iterable[tuple[int, int]]) -> list[Edge]:
    """The linked pairs among ``pairs`` as edges."""
    edges = []
    for a, b in pairs:
        found = compare(authors[a], authors[b])
        if found is not None:
            edges.append(Edge(found.score, a, b, found.evidence))
    return edges


def drop_ambiguous_initials(authors: Sequence[AuthorFeatures], edges: list[Edge]) -> list[Edge]:
    """Without the initials links of an authorship (``Wang, L.``) that links by initials to two different
    people's names (``Wang, Lijuan`` / 王丽娟 and ``Wang, Linjun``): which of them it is stays unknown."""
    names: dict[int, set[str]] = defaultdict(set)
    for edge in edges:
        if edge.evidence and edge.evidence[0] == NameRelation.INITIALS.value:
            for here, there in ((edge.a, edge.b), (edge.b, edge.a)):
                other = authors[there]
                if authors[here].initials and not other.initials:
                    names[here].add(other.full)
    ambiguous = {index for index, found in names.items() if len(found) > 1}
    if not ambiguous:
        return edges
    return [e for e in edges if not (e.evidence and e.evidence[0] == NameRelation.INITIALS.value
                                     and (e.a in ambiguous or e.b in ambiguous))]


class PeopleUnionFind:
    """Union-find over authorship indexes; each group holds at most one ORCID iD, Han form and full given
    name, and never two authorships a person split."""

    def __init__(self, authors: Sequence[AuthorFeatures], cannot: Iterable[tuple[int, int]] = ()) -> None:
        self.parent = list(range(len(authors)))
        # what a group may be: its ORCID iD, Han form, full name (a comma-less Latin name has two readings)
        self.attrs: list[dict[str, frozenset[str]]] = []
        for author in authors:
            attrs = {}
            if author.orcid:
                attrs["orcid"] = frozenset((author.orcid,))
            if author.han:
                attrs["han"] = frozenset((author.han,))
            if author.fulls and not author.initials:
                attrs["full"] = frozenset(author.fulls)
            self.attrs.append(attrs)
        self.partners: dict[int, set[int]] = defaultdict(set)
        for a, b in cannot:
            self.partners[a].add(b)
            self.partners[b].add(a)
        self.constrained: dict[int, set[int]] = {i: {i} for i in self.partners}

    def find(self, x: int) -> int:
        """The representative of ``x``'s group."""
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def allowed(self, a: int, b: int) -> bool:
        """Whether the groups of ``a`` and ``b`` may be one person."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        left, right = self.attrs[ra], self.attrs[rb]
        for name in ("orcid", "han", "full"):
            if name in left and name in right and not left[name] & right[name]:
                return False
        small, other = (ra, rb) if len(self.constrained.get(ra, ())) <= len(self.constrained.get(rb, ())) else (rb, ra)
        for x in self.constrained.get(small, ()):
            for y in self.partners[x]:
                if self.find(y) == other:
                    return False
        return True

    def union(self, a: int, b: int, force: bool = False) -> bool:
        """Join the groups of ``a`` and ``b`` (unless forbidden and not forced); True when joined."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self.allowed(a, b):
            return False
        self.parent[rb] = ra
        merged = dict(self.attrs[rb])
        for name, values in self.attrs[ra].items():
            both = merged.get(name, values) & values
            merged[name] = both or values  # a forced join keeps one side's
        self.attrs[ra] = merged
        if rb in self.constrained:
            self.constrained.setdefault(ra, set()).update(self.constrained.pop(rb))
        return True


def cluster(authors: Sequence[AuthorFeatures], edges: list[Edge], must: Iterable[tuple[int, int]] = (),
            cannot: Iterable[tuple[int, int]] = ()) -> tuple[list[int], list[Edge]]:
    """(group representative of each authorship, the edges used) (see the module docstring)."""
    uf = PeopleUnionFind(authors, cannot)
    used: list[Edge] = []
    for a, b in must:
        uf.union(a, b, force=True)
        used.append(Edge(1.0, a, b, (Evidence.JOINED.value,)))
    for edge in sorted(edges, reverse=True):
        if uf.find(edge.a) == uf.find(edge.b) or uf.union(edge.a, edge.b):
            used.append(edge)
    groups = [uf.find(i) for i in range(len(authors))]
    return groups, [e for e in used if groups[e.a] == groups[e.b]]


def link_authors(authors: Sequence[AuthorFeatures], cap: int, must: Iterable[tuple[int, int]] = (),
                 cannot: Iterable[tuple[int, int]] = ()) -> tuple[list[int], list[Edge]]:
    """Link a list of authorships entirely in memory: blocks, comparison, clustering."""
    edges = drop_ambiguous_initials(authors, link_edges(authors, sorted(candidate_pairs(authors, cap))))
    return cluster(authors, edges, must, cannot)
