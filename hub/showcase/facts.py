"""What one record contributes to the showcase's figures (:class:`hub.models.showcase.RecordFacts`).

Only a live record (not deleted) of a live repository of a live member (neither removed) has facts;
any other record has none, and a refresh deletes the facts it had. The facts of a record:

- ``institution_id``: the member of the record's repository;
- ``year``: the normalised year (``meta.year``), 0 when unknown or not a plausible year;
- ``disciplines``: the record's first-level disciplines (一级学科), the four-digit codes of the
  discipline catalogue (:data:`hub.normalise.disciplines.DISCIPLINES`) the normaliser gave it, in
  its order. A two-digit category code alone (``09`` 农学, from a subject naming a whole category)
  is **not** a first-level discipline and is left out: a category's figures are the sum of its
  disciplines' (:func:`hub.normalise.disciplines.category_of`), and counting a category as one more
  discipline would count a record twice in it and make "crossing disciplines" of a record filed
  under ``08`` and ``0812``. Unknown four-digit codes are left out too. ``breadth`` is their number;
- ``subjects``: the canonical forms of its subjects (:func:`hub.normalise.subjects.canonical_subject`,
  cut as the search facet cuts them, so a subject links to ``/search?subject=``), distinct, at most
  :data:`MAX_SUBJECTS`;
- ``open_access``: the record states open access (COAR ``c_abf2``, :mod:`hub.normalise.rights`) or has
  full text as the portal shows it (:func:`hub.search.document.has_fulltext`: the hub holds its file,
  or the source lists an open-access file);
- ``fulltext``: the hub holds its full text (``Record.fulltext_state`` stored or extracted);
- ``work_id``: its work (:class:`hub.models.works.WorkMember`), None while it is in none;
- ``researchers``: the researchers its authorships are linked to (the people stage), distinct, sorted;
- ``extra``: its title and type label, for lists without a join.

:func:`compute_facts` reads the records, their works and authorships in a few bulk queries per
chunk of ids: never one query per record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import Authorship, Institution, Record, Repository, WorkMember
from hub.models.showcase import RecordFacts
from hub.normalise.disciplines import DISCIPLINES
from hub.normalise.rights import OPEN_ACCESS
from hub.normalise.subjects import canonical_subject
from hub.search.document import clean, has_fulltext
from hub.states import FulltextState

MAX_SUBJECTS = 10
SUBJECT_CHARS = 200  # as the search facet cuts a subject (hub.search.document)
TITLE_CHARS = 300
FIRST_YEAR, LAST_YEAR = 1000, 2999  # a year outside these is unknown (0)
HELD = (FulltextState.STORED, FulltextState.EXTRACTED)
BATCH = 500  # ids per IN (...) list


@dataclass
class Facts:
    """One record's facts, as :class:`RecordFacts` stores them."""

    record_id: int
    institution_id: int
    year: int = 0
    disciplines: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    open_access: bool = False
    fulltext: bool = False
    work_id: int | None = None
    researchers: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def breadth(self) -> int:
        """How many first-level disciplines the record is classified in."""
        return len(self.disciplines)

    def row(self) -> dict[str, Any]:
        """The :class:`RecordFacts` row (for a bulk insert)."""
        return {"record_id": self.record_id, "institution_id": self.institution_id, "year": self.year,
                "disciplines": self.disciplines, "breadth": self.breadth, "subjects": self.subjects,
                "open_access": self.open_access, "fulltext": self.fulltext, "work_id": self.work_id,
                "researchers": self.researchers, "extra": self.extra}


def batches(ids: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    """``ids`` in slices of ``size`` (for IN lists)."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def year_of(meta: dict[str, Any]) -> int:
    """The record's year, 0 when unknown (as the search document reads ``meta.year``)."""
    value = meta.get("year")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and FIRST_YEAR <= value <= LAST_YEAR:
        return value
    return 0


def disciplines_of(meta: dict[str, Any]) -> list[str]:
    """The record's first-level discipline codes (four digits, in the catalogue), in order, distinct."""
    codes = (clean(code) for code in meta.get("disciplines") or [] if isinstance(code, (str, int)))
    return [code for code in dict.fromkeys(codes) if len(code) == 4 and code in DISCIPLINES]


def subjects_of(meta: dict[str, Any]) -> list[str]:
    """The canonical forms of the record's subjects, distinct, at most :data:`MAX_SUBJECTS`."""
    out: dict[str, None] = {}
    for item in meta.get("subjects") or []:
        value = clean(item.get("value") if isinstance(item, dict) else item)
        canonical = canonical_subject(value)[:SUBJECT_CHARS].strip() if value else ""
        if canonical:
            out[canonical] = None
            if len(out) == MAX_SUBJECTS:
                break
    return list(out)


def facts_of(record: Record, institution_id: int, work_id: int | None, researchers: Iterable[int]) -> Facts:
    """The facts of one live record (``record`` needs ``meta`` and ``fulltext_state``)."""
    meta = record.meta or {}
    titles = meta.get("titles") or []
    first = titles[0] if titles else ""
    title = clean(first.get("value") if isinstance(first, dict) else first)[:TITLE_CHARS]
    return Facts(
        record_id=record.id, institution_id=institution_id, year=year_of(meta), disciplines=disciplines_of(meta),
        subjects=subjects_of(meta),
        open_access=meta.get("access_rights") == OPEN_ACCESS or has_fulltext(record),
        fulltext=record.fulltext_state in HELD, work_id=work_id, researchers=sorted(set(researchers)),
        extra={"title": title, "type": clean(meta.get("resource_type_label"))[:100]})


def compute_facts(session: Session, record_ids: Sequence[int]) -> dict[int, Facts]:
    """The facts of those of ``record_ids`` that are live records of live repositories of live members."""
    out: dict[int, Facts] = {}
    for chunk in batches(list(record_ids)):
        rows = session.execute(
            select(Record.id, Record.meta, Record.fulltext_state, Repository.institution_id)
            .join(Repository, Repository.id == Record.repository_id)
            .join(Institution, Institution.id == Repository.institution_id)
            .where(Record.id.in_(chunk), Record.deleted.is_(False), Repository.removed_at.is_(None),
                   Institution.removed_at.is_(None))).all()
        if not rows:
            continue
        live = [row[0] for row in rows]
        works: dict[int, int | None] = {record_id: work_id for record_id, work_id in session.execute(
            select(WorkMember.record_id, WorkMember.work_id).where(WorkMember.record_id.in_(live)))}
        people: dict[int, set[int]] = defaultdict(set)
        for record_id, researcher_id in session.execute(
                select(Authorship.record_id, Authorship.researcher_id)
                .where(Authorship.record_id.in_(live), Authorship.researcher_id.is_not(None))):
            people[record_id].add(researcher_id)
        for record_id, meta, state, institution_id in rows:
            record = Record(id=record_id, meta=meta or {}, fulltext_state=state)  # transient: never added
            out[record_id] = facts_of(record, institution_id, works.get(record_id), people.get(record_id, ()))
    return out


def stored_facts(session: Session, record_ids: Sequence[int]) -> dict[int, Facts]:
    """The facts stored for ``record_ids`` (those that have any): what a refresh needs of the old facts,
    their member, work and researchers (the keys they counted under are read from the contributions)."""
    out: dict[int, Facts] = {}
    for chunk in batches(list(record_ids)):
        for record_id, institution_id, work_id, researchers in session.execute(select(
                RecordFacts.record_id, RecordFacts.institution_id, RecordFacts.work_id, RecordFacts.researchers)
                .where(RecordFacts.record_id.in_(chunk))):
            out[record_id] = Facts(record_id=record_id, institution_id=institution_id, work_id=work_id,
                                   researchers=[int(r) for r in researchers or []])
    return out
