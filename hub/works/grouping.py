"""Grouping records into works: incrementally after a harvest, or the whole hub at once.

:func:`regroup` (incremental) recomputes the features of the records a harvest changed, then
walks outwards: from those records, the records they were grouped with before, and the records a
decision ties them to, it follows matches through the blocking keys until no new record is
reached. Only that neighbourhood is compared and re-clustered; the rest of the hub is untouched.

:func:`group_all` recomputes every record's features, compares every pair of records sharing a
bucket (streamed from the key table, buckets above the cap skipped) and clusters the whole hub.

Both end in :func:`assign`: each new group keeps the work id most of its members had (ids of works
are stable for the portal's links), other groups get new works, emptied works are deleted.

The other records of a record's work are visible to harvesters (OAI-PMH relations, see
:func:`hub.works.api.relations_for`), so both runs compare, for the records they may move, the set
of records each shares its work with before and after, and give a new ``Record.hub_datestamp``
to the live records whose set changed (:func:`_touch_changed`), and to no other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from hub.models import Record, Work, WorkKey, WorkMember, utcnow
from hub.works.cluster import DEFAULT_BUCKET_CAP, cluster, match_edges
from hub.works.features import Features
from hub.works.match import Edge
from hub.works.store import (
    chunks,
    current_works,
    decision_pairs,
    load_features,
    neighbour_pairs,
    partners,
    refresh_features,
    workmates,
)

MAX_EVIDENCE = 5  # edges kept per record for display


@dataclass
class GroupReport:
    """What a grouping run did."""

    records: int = 0  # records compared
    removed: int = 0  # deleted records taken out of their works
    edges: int = 0
    works_changed: int = 0
    works_created: int = 0
    works_deleted: int = 0
    groups: dict[int, int] = field(default_factory=dict, repr=False)  # record -> work id

    def line(self) -> str:
        """One line for the harvest summary and the CLI."""
        return (f"works: {self.records} records regrouped, {self.edges} matches, {self.works_created} works new, "
                f"{self.works_changed} changed, {self.works_deleted} gone")


def regroup(session: Session, record_ids: Iterable[int], cap: int = DEFAULT_BUCKET_CAP) -> GroupReport:
    """Regroup these records and their neighbourhood (see the module docstring)."""
    ids = set(record_ids)
    old = current_works(session, ids)
    before = _shared_with(session, ids)  # before refresh_features drops the deleted records
    features, removed = refresh_features(session, ids)
    must, cannot = decision_pairs(session)
    tied = partners(must | cannot)
    report = GroupReport(removed=len(removed))
    frontier = (ids - removed) | workmates(session, old.values())
    visited: set[int] = set()
    edges: dict[tuple[int, int], Edge] = {}
    while frontier:
        features.update(load_features(session, frontier - features.keys()))
        frontier = {r for r in frontier if r in features}  # records never harvested into works are left out
        visited |= frontier
        pairs = neighbour_pairs(session, frontier, cap)
        features.update(load_features(session, {b for _, b in pairs} - features.keys()))
        reached: set[int] = set()
        for a, b in pairs:
            key = (min(a, b), max(a, b))
            if key in edges:
                continue
            for edge in match_edges(features, [key]):
                edges[key] = edge
                reached.add(b)
        reached |= workmates(session, current_works(session, frontier).values())
        for record_id in frontier:
            reached |= tied.get(record_id, set())
        frontier = reached - visited - removed
    visited -= removed
    inside = [(a, b) for a, b in must if a in visited and b in visited]
    apart = [(a, b) for a, b in cannot if a in visited and b in visited]
    groups, used = cluster(visited, list(edges.values()), inside, apart)
    report.records, report.edges = len(visited), len(used)
    for record_id, others in _shared_with(session, visited).items():
        before.setdefault(record_id, others)  # untouched so far: no work of theirs held one of ``ids``
    assign(session, groups, used, features, report)
    _drop_empty_works(session, set(old.values()), report)
    _touch_changed(session, before, _shared_with(session, visited | before.keys()), visited | before.keys())
    return report


def _multi_bucket_rows(session: Session, cap: int):
    """(key, record id) of every bucket holding 2..cap records, ordered by key (streamed)."""
    multi = (select(WorkKey.key).group_by(WorkKey.key)
             .having(func.count().between(2, cap)).subquery())
    query = (select(WorkKey.key, WorkKey.record_id).join(multi, multi.c.key == WorkKey.key)
             .order_by(WorkKey.key))
    return session.execute(query.execution_options(yield_per=10000))


def group_all(session: Session, cap: int = DEFAULT_BUCKET_CAP, repository_id: int | None = None,
              batch: int = 5000) -> GroupReport:
    """Recompute features of every record (or one repository's) and regroup the whole hub."""
    query = select(Record.id).order_by(Record.id)
    if repository_id is not None:
        query = query.where(Record.repository_id == repository_id)
    ids = list(session.scalars(query))
    if repository_id is not None:
        return regroup(session, ids, cap)
    report = GroupReport()
    before = _shared_with(session, None)
    for part in chunks(ids, batch):
        _, removed = refresh_features(session, part)
        report.removed += len(removed)
    session.execute(delete(WorkMember).where(WorkMember.record_id.not_in(select(Record.id).where(
        Record.deleted.is_(False)))))
    buckets: dict[str, list[int]] = defaultdict(list)
    for key, record_id in _multi_bucket_rows(session, cap):
        buckets[key].append(record_id)
    involved = {r for members in buckets.values() for r in members}
    features = load_features(session, involved)
    pairs = {(min(a, b), max(a, b)) for members in buckets.values()
             for i, a in enumerate(members) for b in members[i + 1:] if a != b}
    del buckets
    edges = match_edges(features, sorted(pairs))
    must, cannot = decision_pairs(session)
    linked = {r for e in edges for r in (e.a, e.b)} | {r for p in must for r in p}
    groups, used = cluster(linked, edges, must, [p for p in cannot if p[0] in linked and p[1] in linked])
    report.records, report.edges = session.scalar(select(func.count()).select_from(WorkMember)), len(used)
    assign(session, groups, used, features, report, everyone=True)
    _drop_empty_works(session, None, report)
    after = _shared_with(session, None)
    _touch_changed(session, before, after, before.keys() | after.keys())
    return report


def _shared_with(session: Session, record_ids: Iterable[int] | None) -> dict[int, frozenset[int]]:
    """Record -> the other records of its work, for every member of a work of two records or more
    that holds one of ``record_ids`` (of every such work when None). Records alone are left out."""
    if record_ids is None:
        shared = (select(WorkMember.work_id).where(WorkMember.work_id.is_not(None))
                  .group_by(WorkMember.work_id).having(func.count() > 1))
        rows = list(session.execute(select(WorkMember.work_id, WorkMember.record_id)
                                    .where(WorkMember.work_id.in_(shared))))
    else:
        rows = []
        for part in chunks(set(current_works(session, record_ids).values())):
            rows += session.execute(select(WorkMember.work_id, WorkMember.record_id)
                                    .where(WorkMember.work_id.in_(part))).all()
    members: dict[int, set[int]] = defaultdict(set)
    for work_id, record_id in rows:
        members[work_id].add(record_id)
    return {record_id: frozenset(group - {record_id})
            for group in members.values() if len(group) > 1 for record_id in group}


def _touch_changed(session: Session, before: dict[int, frozenset[int]], after: dict[int, frozenset[int]],
                   candidates: Iterable[int]) -> set[int]:
    """Give a new hub datestamp to the live records among ``candidates`` whose workmates changed
    (``before``/``after`` as :func:`_shared_with` returns them); returns their ids."""
    empty: frozenset[int] = frozenset()
    changed = {r for r in candidates if before.get(r, empty) != after.get(r, empty)}
    now = utcnow()
    for part in chunks(sorted(changed)):
        session.execute(update(Record).where(Record.id.in_(part), Record.deleted.is_(False))
                        .values(hub_datestamp=now))
    return changed


def _work_summary(members: list[int], features: dict[int, Features]) -> dict[str, Any]:
    known = [features[m] for m in sorted(members) if m in features]
    title = next((f.title for f in known if f.title), "")
    doi = next((f.doi for f in known if f.doi), "")
    return {"size": len(members), "title": title[:512], "doi": doi[:255]}


def assign(session: Session, groups: dict[int, int], used: list[Edge], features: dict[int, Features],
           report: GroupReport, everyone: bool = False) -> None:
    """Store the groups: reuse work ids, create works, record evidence. ``everyone``: a full run,
    where records not in ``groups`` are singletons (those already alone in a work keep it)."""
    now = utcnow()
    components: dict[int, list[int]] = defaultdict(list)
    for record_id, root in groups.items():
        components[root].append(record_id)
    if everyone:
        _assign_singletons(session, set(groups), report)
    old = current_works(session, groups)
    evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for edge in sorted(used, reverse=True):
        for here, there in ((edge.a, edge.b), (edge.b, edge.a)):
            if len(evidence[here]) < MAX_EVIDENCE:
                evidence[here].append({"record": there, "evidence": list(edge.evidence), "score": edge.score})
    taken: set[int] = set()
    member_updates: list[dict[str, Any]] = []
    for members in sorted(components.values(), key=len, reverse=True):
        votes = Counter(old[m] for m in members if m in old and old[m] not in taken)
        summary = _work_summary(members, features)
        if votes:
            work_id = votes.most_common(1)[0][0]
            session.execute(update(Work).where(Work.id == work_id).values(**summary, updated_at=now))
            report.works_changed += 1
        else:
            work_id = session.scalar(insert(Work).values(**summary, created_at=now, updated_at=now)
                                     .returning(Work.id))
            report.works_created += 1
        taken.add(work_id)
        for m in members:
            links = evidence.get(m, [])
            member_updates.append({"record_id": m, "work_id": work_id, "evidence": links,
                                   "score": max((e["score"] for e in links), default=0.0), "grouped_at": now})
            report.groups[m] = work_id
    for part in chunks(member_updates, 2000):
        session.execute(update(WorkMember), part)


def _new_work_ids(session: Session, count: int) -> list[int]:
    """``count`` unused work ids, for inserting many works at once."""
    first = (session.scalar(select(func.max(Work.id))) or 0) + 1
    return list(range(first, first + count))


def _sync_sequence(session: Session) -> None:
    """After inserting explicit ids, move PostgreSQL's sequence past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('work', 'id'), "
                             "(SELECT COALESCE(MAX(id), 1) FROM work))"))


def _assign_singletons(session: Session, grouped: set[int], report: GroupReport) -> None:
    """Full run: every record outside ``grouped`` alone in a work (its own if it is alone already)."""
    now = utcnow()
    shared = [w for w, n in session.execute(
        select(WorkMember.work_id, func.count()).where(WorkMember.work_id.is_not(None))
        .group_by(WorkMember.work_id).having(func.count() > 1)).all()]
    kept: set[int] = set()
    needing: list[int] = []
    for part in [None, *chunks(shared)]:
        condition = WorkMember.work_id.is_(None) if part is None else WorkMember.work_id.in_(part)
        for record_id, work_id in session.execute(select(WorkMember.record_id, WorkMember.work_id)
                                                  .where(condition).order_by(WorkMember.record_id)):
            if record_id in grouped:
                continue
            if work_id is not None and work_id not in kept:
                kept.add(work_id)  # the first member of a broken-up work keeps its id
                session.execute(update(WorkMember).where(WorkMember.record_id == record_id)
                                .values(evidence=[], score=0.0, grouped_at=now))
                report.works_changed += 1
            else:
                needing.append(record_id)
    for part in chunks(needing, 5000):
        rows = session.execute(select(WorkMember.record_id, WorkMember.features)
                               .where(WorkMember.record_id.in_(part))).all()
        ids = _new_work_ids(session, len(rows))
        session.execute(insert(Work), [
            {"id": work_id, "size": 1, "title": (row.features or {}).get("n", "")[:512],
             "doi": (row.features or {}).get("d", "")[:255], "created_at": now, "updated_at": now}
            for work_id, row in zip(ids, rows, strict=True)])
        session.execute(update(WorkMember), [
            {"record_id": row.record_id, "work_id": work_id, "evidence": [], "score": 0.0, "grouped_at": now}
            for work_id, row in zip(ids, rows, strict=True)])
        report.works_created += len(rows)
    _sync_sequence(session)
    for part in chunks(kept):
        session.execute(update(Work).where(Work.id.in_(part)).values(size=1, updated_at=now))
    # A grouped record's old work may be one kept above: its group then needs another id.
    for record_id, work_id in current_works(session, grouped).items():
        if work_id in kept:
            session.execute(update(WorkMember).where(WorkMember.record_id == record_id).values(work_id=None))


def _drop_empty_works(session: Session, candidates: set[int] | None, report: GroupReport) -> None:
    """Delete works no record belongs to any more (among ``candidates``, or all when None)."""
    empty = select(Work.id).where(~select(WorkMember.record_id).where(WorkMember.work_id == Work.id).exists())
    if candidates is not None:
        if not candidates:
            return
        empty = empty.where(Work.id.in_(list(candidates)))
    ids = list(session.scalars(empty))
    for part in chunks(ids):
        session.execute(delete(Work).where(Work.id.in_(part)))
    report.works_deleted += len(ids)


def analyse(session: Session) -> None:
    """Refresh the planner's statistics after a large grouping run (SQLite and PostgreSQL)."""
    session.execute(text("ANALYZE"))
