"""The showcase's figures from scratch: every record's facts, every contribution, every aggregate row.

:func:`rebuild_all` is the backfill (``chair showcase rebuild``: a hub that harvested before the
showcase existed, or after a change of what the facts hold) and the reference the incremental refresh
is tested against: it empties the showcase tables, writes the facts and record contributions of every
live record in chunks, then those of every researcher and every work, then groups every aggregate row
at once (no key restriction). :func:`table_counts` is ``chair showcase status``.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hub.models import Institution, Record, Repository
from hub.models.showcase import (
    Collaboration,
    DisciplinePair,
    DisciplineResearcher,
    DisciplineSubject,
    DisciplineYear,
    RecordFacts,
)
from hub.showcase.aggregates import (
    collaborations,
    discipline_pairs,
    discipline_researchers,
    discipline_subjects,
    discipline_years,
)
from hub.showcase.bulk import insert_rows
from hub.showcase.contributions import Contribution, Figure, work_key
from hub.showcase.facts import compute_facts
from hub.showcase.refresh import RefreshResult, serialise
from hub.showcase.units import record_rows, researcher_rows, work_rows

CHUNK = 2000
TABLES = (RecordFacts, Contribution, DisciplineYear, DisciplineSubject, DisciplineResearcher, DisciplinePair,
          Collaboration)

# (what is being done, done, in all): the CLI's progress
Progress = Callable[[str, int, int], None]


def live_record_ids(session: Session) -> list[int]:
    """Ids of the live records of live repositories of live members, in order."""
    return list(session.scalars(
        select(Record.id).join(Repository, Repository.id == Record.repository_id)
        .join(Institution, Institution.id == Repository.institution_id)
        .where(Record.deleted.is_(False), Repository.removed_at.is_(None), Institution.removed_at.is_(None))
        .order_by(Record.id)))


def live_count(session: Session) -> int:
    """How many records should have facts (live records of live repositories of live members)."""
    return session.scalar(
        select(func.count()).select_from(Record).join(Repository, Repository.id == Record.repository_id)
        .join(Institution, Institution.id == Repository.institution_id)
        .where(Record.deleted.is_(False), Repository.removed_at.is_(None), Institution.removed_at.is_(None))) or 0


def all_researcher_members(session: Session) -> dict[int, Counter[int]]:
    """Every researcher's members with its records at each (from the MEMBER contributions)."""
    out: dict[int, Counter[int]] = defaultdict(Counter)
    for key, member, count in session.execute(
            select(Contribution.key, Contribution.member, func.count()).where(Contribution.figure == Figure.MEMBER)
            .group_by(Contribution.key, Contribution.member)):
        out[int(key)][member] = count
    return dict(out)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    insert_rows(session, model.__table__, rows)


def rebuild_all(session: Session, progress: Progress | None = None) -> RefreshResult:
    """Recompute every fact, contribution and aggregate row of the showcase (see the module)."""
    started = time.perf_counter()
    serialise(session)
    for model in TABLES:
        session.execute(delete(model))
    ids = live_record_ids(session)
    for start in range(0, len(ids), CHUNK):
        facts = compute_facts(session, ids[start:start + CHUNK])
        _insert(session, RecordFacts, [f.row() for f in facts.values()])
        _insert(session, Contribution, record_rows(facts.values()))
        if progress:
            progress("records", min(start + CHUNK, len(ids)), len(ids))
    members = all_researcher_members(session)
    _insert(session, Contribution, researcher_rows(members))
    works = sorted({work_key(record_id, work_id) for record_id, work_id in
                    session.execute(select(RecordFacts.record_id, RecordFacts.work_id))})
    for start in range(0, len(works), CHUNK):
        _insert(session, Contribution, work_rows(session, works[start:start + CHUNK]))
        if progress:
            progress("works", min(start + CHUNK, len(works)), len(works))
    counts = {"records": len(ids), "facts": session.scalar(select(func.count()).select_from(RecordFacts)) or 0,
              "removed": 0, "researchers": len(members), "works": len(works)}
    counts["years"] = discipline_years(session, None)
    counts["subjects"] = discipline_subjects(session, None)
    counts["disciplines x researchers"] = discipline_researchers(session, None, members)
    counts["pairs"] = discipline_pairs(session, None)
    counts["collaborations"] = collaborations(session, None)
    session.flush()
    return RefreshResult(counts, time.perf_counter() - started)


def table_counts(session: Session) -> dict[str, int]:
    """Rows per showcase table, by table name."""
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[attr-defined]
            for model in TABLES}
