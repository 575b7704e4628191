"""The showcase stage's work: refresh the facts of some records and recompute only the figures they touch.

:func:`refresh` (the showcase stage, after a harvest's import, a regrouping, a re-linking or a new
text, in chunks of 2,000 records):

1. reads the stored facts of the records (:func:`hub.showcase.facts.stored_facts`) and computes the
   new ones (:func:`hub.showcase.facts.compute_facts`; a record that is deleted, or of a removed
   repository or member, has none);
2. rewrites the facts and the records' own contributions (:mod:`hub.showcase.contributions`), noting
   every key the old and the new contributions name: disciplines x member x year, disciplines x
   researcher, disciplines x subject;
3. recomputes the researchers of the records, old and new: their members, and the member pairs of
   those with several members (collaboration through researchers);
4. recomputes the works of the records, old and new, and every work of a researcher whose main
   member changed: the disciplines each gathers per member and network-wide (disciplines meeting), and the
   members it gathers through its records and its records' researchers (collaboration through works);
   a record's work-mates and its researchers' other members are taken in that way;
5. recomputes the aggregate rows of exactly the keys noted, old and new, with one ``GROUP BY`` over the
   contributions restricted to them (:mod:`hub.showcase.aggregates`).

Refreshes run one at a time (:func:`serialise`), so two workers never rewrite the same figure at once.

Because every aggregate is a count over the contributions and the contributions of a record, a work
or a researcher depend only on the facts, the tables after any sequence of refreshes equal a rebuild
from scratch (:func:`hub.showcase.rebuild.rebuild_all`) as long as every record whose facts changed was
refreshed, which is what the stage graph's triggers ensure.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from hub.models.showcase import RecordFacts
from hub.showcase.aggregates import (
    collaborations,
    discipline_pairs,
    discipline_researchers,
    discipline_subjects,
    discipline_years,
)
from hub.showcase.bulk import insert_rows
from hub.showcase.contributions import RECORD_FIGURES, WORK_FIGURES, Contribution, Figure, key_of, work_key
from hub.showcase.facts import Facts, batches, compute_facts, stored_facts
from hub.showcase.units import main_member, record_rows, researcher_members, researcher_rows, work_rows

# PostgreSQL advisory lock held by a refresh or a rebuild until its transaction ends ("chair" + 18)
LOCK_KEY = 0x63686169_72000018 & 0x7FFFFFFFFFFFFFFF


class BadRecordIds(ValueError):
    """Record ids that are not whole numbers."""


@dataclass
class RefreshResult:
    """What a refresh did: records given, facts written and removed, keys and rows recomputed."""

    counts: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0

    def line(self) -> str:
        """One line for the stage report and the CLI."""
        c = self.counts
        head = (f"showcase: {c.get('records', 0)} records, {c.get('facts', 0)} with facts, "
                f"{c.get('removed', 0)} facts removed; {c.get('researchers', 0)} researchers, "
                f"{c.get('works', 0)} works")
        rows = ", ".join(f"{name} {c.get(name, 0)}" for name in ("years", "subjects", "disciplines x researchers",
                                                               "pairs", "collaborations"))
        return f"{head}; rows {rows} in {self.duration:.3f} s"


def record_ids_of(values: Iterable[object]) -> list[int]:
    """``values`` as distinct record ids in their order; :class:`BadRecordIds` for one that is no id."""
    out: dict[int, None] = {}
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise BadRecordIds(f"not a record id: {value!r}")
        try:
            number = int(value)
        except ValueError:
            raise BadRecordIds(f"not a record id: {str(value)[:40]!r}") from None
        if number > 0:  # no record has another id
            out[number] = None
    return list(out)


def keys_of(session: Session, figures: Sequence[Figure], units: Iterable[int]) -> dict[Figure, set[str]]:
    """The keys the stored contributions of ``units`` name under ``figures``."""
    out: dict[Figure, set[str]] = defaultdict(set)
    for chunk in batches(sorted(set(units))):
        for figure, key in session.execute(select(Contribution.figure, Contribution.key).where(
                Contribution.unit.in_(chunk), Contribution.figure.in_(figures))):
            out[Figure(figure)].add(key)
    return out


def replace_units(session: Session, figures: Sequence[Figure], units: Iterable[int],
                  rows: list[dict[str, object]]) -> None:
    """Delete the contributions of ``units`` under ``figures`` and insert ``rows``."""
    for chunk in batches(sorted(set(units))):
        session.execute(delete(Contribution).where(Contribution.unit.in_(chunk), Contribution.figure.in_(figures)))
    insert_rows(session, Contribution.__table__, rows)


def _write_facts(session: Session, ids: Sequence[int], new: dict[int, Facts]) -> None:
    for chunk in batches(list(ids)):
        session.execute(delete(RecordFacts).where(RecordFacts.record_id.in_(chunk)))
    insert_rows(session, RecordFacts.__table__, [f.row() for f in new.values()])


def _works_of_researchers(session: Session, researchers: Iterable[int]) -> set[int]:
    """The work keys of every record of these researchers (from their MEMBER contributions)."""
    records: set[int] = set()
    for chunk in batches(sorted({key_of(r) for r in researchers})):
        records.update(session.scalars(select(Contribution.unit).where(Contribution.figure == Figure.MEMBER,
                                                                        Contribution.key.in_(chunk))))
    works: set[int] = set()
    for chunk in batches(sorted(records)):
        works.update(work_key(record_id, work_id) for record_id, work_id in session.execute(
            select(RecordFacts.record_id, RecordFacts.work_id).where(RecordFacts.record_id.in_(chunk))))
    return works


def serialise(session: Session) -> None:
    """Make refreshes (and rebuilds) of the figures run one at a time: on PostgreSQL a transaction-level
    advisory lock (workers running showcase tasks side by side would otherwise delete and insert the
    same aggregate rows at once); SQLite runs one writer at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def refresh(session: Session, record_ids: Iterable[object]) -> RefreshResult:
    """Refresh the facts of these records and recompute the figures they touch (see the module)."""
    started = time.perf_counter()
    ids = record_ids_of(record_ids)
    if not ids:
        return RefreshResult({"records": 0}, time.perf_counter() - started)
    serialise(session)
    old = stored_facts(session, ids)
    new = compute_facts(session, ids)
    researchers = {r for f in (*old.values(), *new.values()) for r in f.researchers}
    before = researcher_members(session, researchers)

    # 1-2: the facts and the records' own contributions
    touched = keys_of(session, RECORD_FIGURES, ids)
    _write_facts(session, ids, new)
    rows = record_rows(new.values())
    replace_units(session, RECORD_FIGURES, ids, rows)
    for row in rows:
        touched[Figure(row["figure"])].add(str(row["key"]))

    # 3: the researchers' members and member pairs
    after = researcher_members(session, researchers)
    for figure, keys in keys_of(session, (Figure.CO_RESEARCHER,), researchers).items():
        touched[figure] |= keys
    rows = researcher_rows({r: after[r] for r in researchers if r in after})
    replace_units(session, (Figure.CO_RESEARCHER,), researchers, rows)
    touched[Figure.CO_RESEARCHER].update(str(row["key"]) for row in rows)

    # 4: the works, and those of researchers whose main member changed
    works = {work_key(f.record_id, f.work_id) for f in (*old.values(), *new.values())}
    moved = {r for r in researchers if main_member(before.get(r, Counter())) != main_member(after.get(r, Counter()))}
    works |= _works_of_researchers(session, moved)
    for figure, keys in keys_of(session, WORK_FIGURES, works).items():
        touched[figure] |= keys
    rows = work_rows(session, works)
    replace_units(session, WORK_FIGURES, works, rows)
    for row in rows:
        touched[Figure(row["figure"])].add(str(row["key"]))

    # 5: the aggregate rows of the keys touched
    counts = {"records": len(ids), "facts": len(new), "removed": len(set(old) - set(new)),
              "researchers": len(researchers), "works": len(works)}
    counts["years"] = discipline_years(session, touched[Figure.YEAR])
    counts["subjects"] = discipline_subjects(session, touched[Figure.SUBJECT])
    mains = {r: main_member(after.get(r, Counter())) for r in researchers}
    moved_main = {r: main for r, main in mains.items() if main != main_member(before.get(r, Counter()))}
    counts["disciplines x researchers"] = discipline_researchers(
        session, touched[Figure.RESEARCHER], {r: after.get(r, Counter()) for r in researchers}, moved_main)
    counts["pairs"] = discipline_pairs(session, touched[Figure.PAIR])
    counts["collaborations"] = collaborations(session, touched[Figure.CO_WORK] | touched[Figure.CO_RESEARCHER])
    session.flush()
    return RefreshResult(counts, time.perf_counter() - started)
