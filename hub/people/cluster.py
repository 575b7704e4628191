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
  (cannot-link). A person's join overrides the first three. Then :func:`profile_links` joins people
  whose records together share co-authors (a person seen at two members).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from hub.people.evidence import Edge, Evidence, NameRelation, compare, name_relation
from hub.people.features import AuthorFeatures, block_keys

PROFILE_COAUTHORS = 2  # co-author keys two people's records must share to be one person
PROFILE_SHARE = 0.3  # ... and this share of the smaller one's co-authors
PROFILE_BUCKET = 50  # people under one (name, co-author) pair compared with each other at most


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
    used += profile_links(authors, uf)
    groups = [uf.find(i) for i in range(len(authors))]
    return groups, [e for e in used if groups[e.a] == groups[e.b]]


def profile_links(authors: Sequence[AuthorFeatures], uf: PeopleUnionFind) -> list[Edge]:
    """Join people whose records, taken together, share co-authors: two groups with a common full name
    (or Han form and its pinyin) whose co-authors, over all their records, share at least
    :data:`PROFILE_COAUTHORS` keys and :data:`PROFILE_SHARE` of the smaller group's. A person at two
    members (or an outside co-author of a member's records) rarely repeats two co-authors in one record,
    but does over several; two namesakes rarely share a third of their co-authors."""
    roots: dict[int, list[int]] = defaultdict(list)
    for position in range(len(authors)):
        roots[uf.find(position)].append(position)
    coauthors: dict[int, set[str]] = {}
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for root, members in roots.items():
        if "full" not in uf.attrs[root]:
            continue
        found = set().union(*(authors[i].coauthors for i in members))
        if len(found) < PROFILE_COAUTHORS:
            continue
        coauthors[root] = found
        for name in {k for i in members for k in authors[i].keys}:
            for other in found:
                index[(name, other)].append(root)
    shared: dict[tuple[int, int], set[str]] = defaultdict(set)
    for (_name, other), group in index.items():
        if len(group) < 2 or len(group) > PROFILE_BUCKET:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a != b:
                    shared[(a, b) if a < b else (b, a)].add(other)
    candidates = []
    for (a, b), common in shared.items():
        smaller = min(len(coauthors[a]), len(coauthors[b]))
        if len(common) >= PROFILE_COAUTHORS and len(common) >= PROFILE_SHARE * smaller:
            candidates.append((len(common) / smaller, len(common), a, b))
    used: list[Edge] = []
    for _share, count, a, b in sorted(candidates, reverse=True):
        if uf.find(a) == uf.find(b) or not uf.allowed(a, b):
            continue
        left, right = roots[a], roots[b]
        x = max(left, key=lambda i: len(authors[i].coauthors & coauthors[b]))
        y = max(right, key=lambda i: len(authors[i].coauthors & coauthors[a]))
        uf.union(a, b)
        relation = name_relation(authors[x], authors[y])
        label = relation.value if relation is not None else NameRelation.NAME.value
        used.append(Edge(round(min(0.4 + 0.1 * min(count, 5), 0.95), 3), x, y,
                         (label, Evidence.PROFILE.value, f"coauthors:{count}")))
    return used


def link_authors(authors: Sequence[AuthorFeatures], cap: int, must: Iterable[tuple[int, int]] = (),
                 cannot: Iterable[tuple[int, int]] = ()) -> tuple[list[int], list[Edge]]:
    """Link a list of authorships entirely in memory: blocks, comparison, clustering."""
    edges = drop_ambiguous_initials(authors, link_edges(authors, sorted(candidate_pairs(authors, cap))))
    return cluster(authors, edges, must, cannot)
