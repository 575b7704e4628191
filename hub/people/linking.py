"""Linking creators to researchers, incrementally after each harvest chunk (the people stage).

:func:`relink` takes the records a harvest (or a decision) changed:

1. their authorships and blocks are rebuilt from ``Record.meta`` (:func:`hub.people.store.refresh_authorships`;
   a deleted record loses its authorships);
2. the neighbourhood is gathered: the authorships sharing a block of at most ``cap`` authorships with the new
   ones (:mod:`hub.people.features`: the name key with the member and a discipline or subject, or with a
   co-author; or the ORCID iD) are compared with them (:func:`hub.people.evidence.compare`). Every
   authorship of the researchers they had, of the researchers they link to, and of the authorships a
   stored decision ties them to, is re-clustered with them;
3. inside that neighbourhood the pairs sharing a small block are compared and clustered
   (:func:`hub.people.cluster.cluster`: decisions first, then the strongest links, at most one ORCID,
   Han form and full given name per person, then people whose records together share co-authors);
4. each person keeps the researcher id most of its authorships had (like works, ids are stable for the
   portal's links); the others get new researchers; researchers left with no authorship are deleted;
   the researcher rows of the neighbourhood are rewritten (:mod:`hub.people.researchers`).

:func:`link_all` re-links the whole hub at once with the same rules (the backfill of an upgraded
deployment): every block is read once, in key order, instead of each chunk's neighbourhood.

Researchers outside the neighbourhood are never read. The cost of a chunk grows with its authorships and
the sizes of their (capped) blocks and researchers, never with the square of a common name's bucket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from hub.models import Authorship, AuthorshipKey, DecisionKind, Record, Researcher, utcnow
from hub.people.cluster import candidate_pairs, cluster, drop_ambiguous_initials, link_edges
from hub.people.evidence import Edge, compare
from hub.people.features import AuthorFeatures, block_keys
from hub.people.researchers import write_researchers
from hub.people.store import (
    Loaded,
    Slot,
    block_members,
    block_sizes,
    chunks,
    decision_pairs,
    load_authors,
    load_refs,
    refresh_authorships,
    researcher_members,
)

DEFAULT_CAP = 400
MAX_EVIDENCE = 5  # links kept per authorship for display


@dataclass
class RelinkResult:
    """What a re-linking did."""

    records: int = 0  # records given
    authorships: int = 0  # authorships re-clustered (the given records' and their neighbourhood's)
    edges: int = 0  # links used
    created: int = 0  # new researchers
    changed_researchers: int = 0  # existing researchers rewritten
    deleted: int = 0  # researchers left with no authorship
    changed: set[int] = field(default_factory=set, repr=False)  # records whose authorships' researcher changed

    def line(self) -> str:
        """One line for the harvest summary and the CLI."""
        return (f"people: {self.records} records, {self.authorships} authorships linked, {self.edges} links, "
                f"{self.created} researchers new, {self.changed_researchers} changed, {self.deleted} gone")

    def merge(self, other: RelinkResult) -> None:
        """Add another run's counts (the CLI's chunks)."""
        for name in ("records", "authorships", "edges", "created", "changed_researchers", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.changed |= other.changed


def _candidates(session: Session, seeds: dict[Slot, AuthorFeatures], cap: int,
                sizes: dict[str, int]) -> set[Slot]:
    """Authorships sharing a block of at most ``cap`` with one of ``seeds`` (not seeds themselves);
    ``sizes`` receives the sizes of the blocks looked up."""
    keys = {key for author in seeds.values() for key in block_keys(author)}
    sizes.update(block_sizes(session, keys))
    small = [key for key in keys if 2 <= sizes.get(key, 0) <= cap]
    found: set[Slot] = set()
    for slots in block_members(session, small).values():
        found.update(slots)
    return found - seeds.keys()


def _ref_partners(decisions: dict[tuple[str, str], DecisionKind]) -> dict[str, set[str]]:
    partners: dict[str, set[str]] = defaultdict(set)
    for a, b in decisions:
        partners[a].add(b)
        partners[b].add(a)
    return partners


def gather(session: Session, fresh: Loaded, old_researchers: set[int], cap: int,
           decisions: dict[tuple[str, str], DecisionKind], sizes: dict[str, int]) -> Loaded:
    """The neighbourhood to re-cluster around the fresh authorships (see the module docstring); ``sizes``
    receives the sizes of the blocks looked up."""
    hood = Loaded()
    hood.update(fresh)
    candidates = load_authors(session, _candidates(session, fresh.authors, cap, sizes))
    reached = set(old_researchers)
    seed_blocks = {slot: set(block_keys(a)) for slot, a in fresh.authors.items()}
    cand_blocks = {slot: set(block_keys(a)) for slot, a in candidates.authors.items()}
    index: dict[str, list[Slot]] = defaultdict(list)
    for slot, keys in cand_blocks.items():
        for key in keys:
            index[key].append(slot)
    for slot, author in fresh.authors.items():
        tried: set[Slot] = set()
        for key in seed_blocks[slot]:
            for other in index.get(key, ()):
                if other in tried:
                    continue
                tried.add(other)
                if compare(author, candidates.authors[other]) is not None:
                    researcher = candidates.researcher.get(other)
                    if researcher is not None:
                        reached.add(researcher)
                    else:
                        hood.authors[other] = candidates.authors[other]
                        hood.researcher[other] = None
    hood.update(researcher_members(session, reached))
    partners = _ref_partners(decisions)
    if partners:
        tied = {p for author in hood.authors.values() for p in partners.get(author.ref, ())}
        tied_loaded = load_refs(session, tied - {a.ref for a in hood.authors.values()})
        more = {r for r in tied_loaded.researcher.values() if r is not None} - reached
        hood.update(tied_loaded)
        hood.update(researcher_members(session, more))
    return hood


def _constraints(authors: list[AuthorFeatures], decisions: dict[tuple[str, str], DecisionKind]
                 ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    by_ref: dict[str, list[int]] = defaultdict(list)
    for index, author in enumerate(authors):
        by_ref[author.ref].append(index)
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for (a, b), kind in decisions.items():
        if a in by_ref and b in by_ref:
            pairs = [(i, j) for i in by_ref[a] for j in by_ref[b]]
            (must if kind is DecisionKind.JOIN else cannot).extend(pairs)
    return must, cannot


def _evidence(authors: list[AuthorFeatures], used: list[Edge]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for edge in sorted(used, reverse=True):
        for here, there in ((edge.a, edge.b), (edge.b, edge.a)):
            if len(found[here]) < MAX_EVIDENCE:
                found[here].append({"with": authors[there].ref, "evidence": list(edge.evidence), "score": edge.score})
    return found


def _store_links(session: Session, slots: list[Slot], authors: list[AuthorFeatures], assigned: list[int],
                 used: list[Edge]) -> None:
    """Write each authorship's researcher, evidence and score."""
    evidence = _evidence(authors, used)
    now = utcnow()
    rows = []
    for index, slot in enumerate(slots):
        links = evidence.get(index, [])
        rows.append({"b_record": slot[0], "b_position": slot[1], "researcher_id": assigned[index], "evidence": links,
                     "score": max((e["score"] for e in links), default=0.0), "linked_at": now})
    table = cast(Table, Authorship.__table__)
    statement = (update(table).where(table.c.record_id == bindparam("b_record"),
                                     table.c.position == bindparam("b_position")))
    for part in chunks(rows, 2000):
        session.execute(statement, part)


def relink(session: Session, record_ids: Iterable[int], cap: int = DEFAULT_CAP) -> RelinkResult:
    """Re-link the creators of these records and their neighbourhood (see the module docstring)."""
    ids = set(record_ids)
    result = RelinkResult(records=len(ids))
    refreshed = refresh_authorships(session, ids)
    decisions = decision_pairs(session)
    sizes: dict[str, int] = {}
    hood = gather(session, refreshed.loaded, refreshed.old_researchers, cap, decisions, sizes)
    slots = sorted(hood.authors)
    authors = [hood.authors[s] for s in slots]
    blocks = [block_keys(a) for a in authors]
    sizes.update(block_sizes(session, {k for keys in blocks for k in keys} - sizes.keys()))
    blocks = [[k for k in keys if sizes.get(k, 0) <= cap] for keys in blocks]
    edges = drop_ambiguous_initials(authors, link_edges(authors, sorted(candidate_pairs(authors, cap, blocks))))
    must, cannot = _constraints(authors, decisions)
    groups, used = cluster(authors, edges, must, cannot)
    result.authorships, result.edges = len(authors), len(used)
    components: dict[int, list[int]] = defaultdict(list)
    for index, root in enumerate(groups):
        components[root].append(index)
    old_ids = {r for r in hood.researcher.values() if r is not None} | refreshed.old_researchers
    assigned = write_researchers(session, authors, [hood.researcher[s] for s in slots],
                                 list(components.values()), old_ids, result)
    _store_links(session, slots, authors, assigned, used)
    names_now: dict[int, set[str]] = defaultdict(set)
    for index, slot in enumerate(slots):
        names_now[slot[0]].add(authors[index].name)
        if hood.researcher[slot] != assigned[index]:  # a fresh authorship's is its reference's old one
            result.changed.add(slot[0])
    for record_id, names in refreshed.old_links.items():
        if set(names) - names_now.get(record_id, set()):
            result.changed.add(record_id)  # lost authorships (a deleted record, a creator gone)
    return result


def link_all(session: Session, cap: int = DEFAULT_CAP, batch: int = 2000) -> RelinkResult:
    """Re-link every record of the hub at once (the backfill of ``chair people relink --all``, and the
    benchmark): authorships rebuilt in batches, then every pair sharing a block of at most ``cap``
    (streamed from ``authorship_key`` in key order) compared and the whole hub clustered, ids kept as
    :func:`relink` keeps them. Much faster than :func:`relink` over every chunk, which re-reads each
    chunk's neighbourhood; the same rules, so the same people."""
    ids = list(session.scalars(select(Record.id).order_by(Record.id)))
    result = RelinkResult(records=len(ids))
    loaded = Loaded()
    old_researchers: set[int] = set()
    for part in chunks(ids, batch):
        refreshed = refresh_authorships(session, part)
        loaded.update(refreshed.loaded)
        old_researchers |= refreshed.old_researchers
    slots = sorted(loaded.authors)
    position = {slot: index for index, slot in enumerate(slots)}
    authors = [loaded.authors[s] for s in slots]
    multi = (select(AuthorshipKey.key).group_by(AuthorshipKey.key)
             .having(func.count().between(2, cap)).subquery())
    rows = session.execute(select(AuthorshipKey.key, AuthorshipKey.record_id, AuthorshipKey.position)
                           .join(multi, multi.c.key == AuthorshipKey.key).order_by(AuthorshipKey.key)
                           .execution_options(yield_per=20000))
    pairs: set[tuple[int, int]] = set()
    current: str | None = None
    members: list[int] = []
    for key, record_id, pos in rows:
        if key != current:
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    pairs.add((a, b) if a < b else (b, a))
            current, members = key, []
        index = position.get((record_id, pos))
        if index is not None:
            members.append(index)
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            pairs.add((a, b) if a < b else (b, a))
    edges = drop_ambiguous_initials(authors, link_edges(authors, sorted(pairs)))
    del pairs
    decisions = decision_pairs(session)
    must, cannot = _constraints(authors, decisions)
    groups, used = cluster(authors, edges, must, cannot)
    result.authorships, result.edges = len(authors), len(used)
    components: dict[int, list[int]] = defaultdict(list)
    for index, root in enumerate(groups):
        components[root].append(index)
    old_ids = set(session.scalars(select(Researcher.id))) | old_researchers
    previous = [loaded.researcher[s] for s in slots]
    assigned = write_researchers(session, authors, previous, list(components.values()), old_ids, result)
    _store_links(session, slots, authors, assigned, used)
    result.changed = {slot[0] for index, slot in enumerate(slots) if previous[index] != assigned[index]}
    return result
