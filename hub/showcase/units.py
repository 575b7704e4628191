"""The contributions (:mod:`hub.showcase.contributions`) of records, researchers and works.

- :func:`record_rows`: what a record's facts put under the YEAR, SUBJECT, RESEARCHER and MEMBER
  figures (its disciplines by member and year, its disciplines x subjects, its disciplines x
  researchers, its researchers with its member);
- :func:`researcher_members`: each researcher's members with their records, read from the MEMBER rows;
- :func:`researcher_rows`: the CO_RESEARCHER rows of researchers with several members;
- :func:`work_rows`: the PAIR and CO_WORK rows of works, recomputed from their records' facts: the
  disciplines a work gathers at each member and network-wide, and the members it gathers (members
  holding one of its records, and the main member of each of its records' researchers: a researcher
  of member B among the authors of a record at member A makes the work an A-B collaboration, while
  B's own records of a researcher seen once at A do not).

All of it in bulk queries over chunks of ids.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.models.showcase import NETWORK, RecordFacts
from hub.showcase.contributions import Contribution, Figure, key_of, work_key
from hub.showcase.facts import Facts, batches

Row = dict[str, Any]


def _row(figure: Figure, key: str, unit: int, member: int = 0, open_access: int = 0, fulltext: int = 0) -> Row:
    return {"figure": figure.value, "key": key, "unit": unit, "member": member, "open_access": open_access,
            "fulltext": fulltext}


def record_rows(facts: Iterable[Facts]) -> list[Row]:
    """The record-level contributions of these facts (unit: the record id)."""
    rows: list[Row] = []
    for f in facts:
        oa, ft = int(f.open_access), int(f.fulltext)
        for code in f.disciplines:
            rows.append(_row(Figure.YEAR, key_of(code, f.institution_id, f.year), f.record_id, open_access=oa,
                             fulltext=ft))
            rows.extend(_row(Figure.SUBJECT, key_of(code, s), f.record_id) for s in f.subjects)
            rows.extend(_row(Figure.RESEARCHER, key_of(code, r), f.record_id) for r in f.researchers)
        rows.extend(_row(Figure.MEMBER, key_of(r), f.record_id, member=f.institution_id) for r in f.researchers)
    return rows


def researcher_members(session: Session, researcher_ids: Iterable[int]) -> dict[int, Counter[int]]:
    """Researcher id -> its members with the number of its records at each (researchers with records only)."""
    out: dict[int, Counter[int]] = defaultdict(Counter)
    keys = sorted({key_of(r) for r in researcher_ids})
    for chunk in batches(keys):
        for key, member, count in session.execute(
                select(Contribution.key, Contribution.member, func.count())
                .where(Contribution.figure == Figure.MEMBER, Contribution.key.in_(chunk))
                .group_by(Contribution.key, Contribution.member)):
            out[int(key)][member] = count
    return dict(out)


def main_member(members: Counter[int]) -> int:
    """The member most of a researcher's records belong to (the smallest id among equals), 0 for none."""
    return min(members, key=lambda m: (-members[m], m)) if members else 0


def member_pairs(members: Iterable[int]) -> list[tuple[int, int]]:
    """Every pair (a < b) of distinct members."""
    return list(combinations(sorted(set(members)), 2))


def researcher_rows(members: Mapping[int, Counter[int]]) -> list[Row]:
    """The CO_RESEARCHER contributions of these researchers (unit: the researcher id)."""
    return [_row(Figure.CO_RESEARCHER, key_of(a, b), researcher)
            for researcher, counts in members.items() for a, b in member_pairs(counts)]


def work_records(session: Session, work_keys: Iterable[int]) -> dict[int, list[tuple[int, list[str], list[int]]]]:
    """Work key -> its records' (member, disciplines, researchers), from their facts."""
    out: dict[int, list[tuple[int, list[str], list[int]]]] = defaultdict(list)
    keys = sorted(set(work_keys))
    works = [k for k in keys if k > 0]
    alone = [-k for k in keys if k < 0]
    columns = (RecordFacts.record_id, RecordFacts.work_id, RecordFacts.institution_id, RecordFacts.disciplines,
               RecordFacts.researchers)
    for chunk in batches(works):
        for record_id, work_id, member, disciplines, researchers in session.execute(
                select(*columns).where(RecordFacts.work_id.in_(chunk))):
            out[work_key(record_id, work_id)].append((member, list(disciplines or []), list(researchers or [])))
    for chunk in batches(alone):
        for record_id, work_id, member, disciplines, researchers in session.execute(
                select(*columns).where(RecordFacts.record_id.in_(chunk), RecordFacts.work_id.is_(None))):
            out[work_key(record_id, work_id)].append((member, list(disciplines or []), list(researchers or [])))
    return dict(out)


def work_rows(session: Session, work_keys: Iterable[int]) -> list[Row]:
    """The PAIR and CO_WORK contributions of these works (unit: the work key), from their records' facts."""
    records = work_records(session, work_keys)
    people = {r for held in records.values() for _m, _d, researchers in held for r in researchers}
    members_of = researcher_members(session, people)
    rows: list[Row] = []
    for key, held in records.items():
        by_member: dict[int, set[str]] = defaultdict(set)
        gathered: set[int] = set()
        for member, disciplines, researchers in held:
            by_member[member].update(disciplines)
            by_member[NETWORK].update(disciplines)
            gathered.add(member)
            for researcher in researchers:  # a researcher of another member writing it: collaboration
                if researcher in members_of:
                    gathered.add(main_member(members_of[researcher]))
        for member, codes in by_member.items():
            rows.extend(_row(Figure.PAIR, key_of(member, a, b), key) for a, b in combinations(sorted(codes), 2))
        rows.extend(_row(Figure.CO_WORK, key_of(a, b), key) for a, b in member_pairs(gathered))
    return rows
