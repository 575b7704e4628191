"""What the portal, the API and the OAI-PMH provider read of works.

- :func:`work_ids` — record id -> work id (the search index collapses results on it);
- :func:`works_for` — record ids -> the :class:`WorkView` of each (one result per work, with its copies);
- :func:`work_of` — one record's work with every copy, or None;
- :func:`relations_for` — record ids -> :class:`Relation` list to the other records of the work,
  for the API and OAI-PMH, which keep one record per source record:
  ``IsIdenticalTo`` between copies of one version, ``IsVersionOf`` from a preprint or accepted
  manuscript to the published version, ``HasVersion`` the other way (DataCite / OpenAIRE
  relation types).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import Institution, Record, Repository, Work, WorkMember
from hub.works.features import Version
from hub.works.store import chunks


class RelationType(StrEnum):
    """DataCite relation types between records of one work."""

    IS_IDENTICAL_TO = "IsIdenticalTo"
    IS_VERSION_OF = "IsVersionOf"
    HAS_VERSION = "HasVersion"


@dataclass(frozen=True)
class Relation:
    """A relation from one record to another record of its work."""

    type: RelationType
    record_id: int
    repository_id: int
    doi: str = ""


@dataclass
class Copy:
    """One source record of a work, as the portal lists it."""

    record_id: int
    repository_id: int
    repository_name: str
    institution_slug: str
    institution_name_en: str
    institution_name_zh: str
    title: str
    version: str  # "", "preprint", "accepted", "published"
    doi: str
    landing_page: str
    has_fulltext: bool
    evidence: list[dict] = field(default_factory=list)


@dataclass
class WorkView:
    """A work with its copies (records), the best one first."""

    work_id: int
    title: str
    doi: str
    size: int
    copies: list[Copy]


def work_ids(session: Session, record_ids: Iterable[int]) -> dict[int, int]:
    """Record id -> work id, for the records already grouped."""
    found: dict[int, int] = {}
    for batch in chunks(record_ids):
        found.update(session.execute(select(WorkMember.record_id, WorkMember.work_id)
                                     .where(WorkMember.record_id.in_(batch), WorkMember.work_id.is_not(None))).all())
    return found


def _rank(copy: Copy) -> tuple:
    version_rank = {"published": 0, "accepted": 1, "": 2, "preprint": 3}.get(copy.version, 2)
    return (version_rank, not copy.has_fulltext, not copy.doi, copy.record_id)


def _copies(session: Session, work_id_list: list[int]) -> dict[int, list[Copy]]:
    found: dict[int, list[Copy]] = defaultdict(list)
    for batch in chunks(work_id_list):
        rows = session.execute(
            select(WorkMember.work_id, WorkMember.record_id, WorkMember.features, WorkMember.evidence,
                   Record.repository_id, Record.meta, Record.fulltext_links, Repository.name,
                   Institution.slug, Institution.name_en, Institution.name_zh)
            .join(Record, Record.id == WorkMember.record_id)
            .join(Repository, Repository.id == Record.repository_id)
            .join(Institution, Institution.id == Repository.institution_id)
            .where(WorkMember.work_id.in_(batch), Record.deleted.is_(False))).all()
        for row in rows:
            meta = row.meta or {}
            titles = meta.get("titles") or []
            found[row.work_id].append(Copy(
                row.record_id, row.repository_id, row.name or "", row.slug, row.name_en or "", row.name_zh or "",
                titles[0]["value"] if titles else "", (row.features or {}).get("v", ""), meta.get("doi", ""),
                meta.get("landing_page", ""), bool(row.fulltext_links or meta.get("files")), row.evidence or []))
    for copies in found.values():
        copies.sort(key=_rank)
    return found


def works_for(session: Session, record_ids: Iterable[int]) -> dict[int, WorkView]:
    """Record id -> its work with every copy (records not grouped yet are left out)."""
    by_record = work_ids(session, record_ids)
    wanted = sorted(set(by_record.values()))
    copies = _copies(session, wanted)
    works = {w.id: w for batch in chunks(wanted) for w in session.scalars(select(Work).where(Work.id.in_(batch)))}
    views = {work_id: WorkView(work_id, works[work_id].title, works[work_id].doi, len(copies.get(work_id, [])),
                               copies.get(work_id, []))
             for work_id in wanted if work_id in works}
    return {record_id: views[work_id] for record_id, work_id in by_record.items() if work_id in views}


def work_of(session: Session, record_id: int) -> WorkView | None:
    """The work of one record with all its copies, or None when the record is not grouped."""
    return works_for(session, [record_id]).get(record_id)


def get_work(session: Session, work_id: int) -> WorkView | None:
    """A work by its id with all its copies, or None."""
    work = session.get(Work, work_id)
    if work is None:
        return None
    copies = _copies(session, [work_id]).get(work_id, [])
    return WorkView(work.id, work.title, work.doi, len(copies), copies)


def relation_type(source_version: str, target_version: str) -> RelationType:
    """The relation from a record holding ``source_version`` to one holding ``target_version``."""
    order = {Version.PREPRINT.value: 0, Version.ACCEPTED.value: 1, Version.PUBLISHED.value: 2}
    a, b = order.get(source_version), order.get(target_version)
    if a is None or b is None or a == b:
        return RelationType.IS_IDENTICAL_TO
    return RelationType.IS_VERSION_OF if a < b else RelationType.HAS_VERSION


def relations_for(session: Session, record_ids: Iterable[int]) -> dict[int, list[Relation]]:
    """Record id -> relations to the other live records of its work (empty list when alone)."""
    ids = list(record_ids)
    by_record = work_ids(session, ids)
    members: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for batch in chunks(sorted(set(by_record.values()))):
        for row in session.execute(select(WorkMember.work_id, WorkMember.record_id, WorkMember.repository_id,
                                          WorkMember.features)
                                   .join(Record, Record.id == WorkMember.record_id)
                                   .where(WorkMember.work_id.in_(batch), Record.deleted.is_(False))):
            features = row.features or {}
            members[row.work_id].append((row.record_id, row.repository_id, features.get("v", ""),
                                         features.get("d", "")))
    result: dict[int, list[Relation]] = {record_id: [] for record_id in ids}
    for record_id, work_id in by_record.items():
        mine = next((m for m in members[work_id] if m[0] == record_id), None)
        if mine is None:
            continue
        result[record_id] = [Relation(relation_type(mine[2], other[2]), other[0], other[1], other[3])
                             for other in members[work_id] if other[0] != record_id]
    return result
