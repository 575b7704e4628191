"""Test data of the showcase pages: aggregate rows written directly, as the showcase stage leaves them.

:func:`write_facts` takes what each record contributes (:class:`Fact`) and writes its
``RecordFacts`` row and the aggregates over all of them (disciplines by member and year,
discipline pairs, collaboration between members holding the same work), so tests of the pages
and the API read figures whose truth they know, whatever state the stage's refresh is in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from hub.context import Hub
from hub.models import Researcher
from hub.models.showcase import (
    NETWORK,
    Collaboration,
    DisciplinePair,
    DisciplineResearcher,
    DisciplineSubject,
    DisciplineYear,
    RecordFacts,
)
from tests.search.conftest import add_member, add_record


@dataclass
class Fact:
    """One record's contribution."""

    record_id: int
    institution_id: int
    year: int
    disciplines: list[str]
    title: str = ""
    open_access: bool = False
    fulltext: bool = False
    work_id: int | None = None
    subjects: list[str] = field(default_factory=list)
    researchers: list[int] = field(default_factory=list)


def add_researcher(hub: Hub, name: str, name_zh: str, name_latin: str, institution_id: int, records: int,
                   institutions: list[int] | None = None) -> int:
    """A researcher row with its counters; returns its id."""
    with hub.db.session() as session:
        r = Researcher(name=name, name_zh=name_zh, name_latin=name_latin, institution_id=institution_id,
                       institutions=institutions or [institution_id], records=records, works=records,
                       search_names=f"{name_zh}|{name_latin.lower()}")
        session.add(r)
        session.flush()
        return r.id


def write_facts(hub: Hub, facts: list[Fact], researcher_members: dict[int, list[int]] | None = None) -> None:
    """Write the facts and every aggregate over them (see the module docstring)."""
    years: dict[tuple[str, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    subjects: Counter[tuple[str, str]] = Counter()
    by_researcher: Counter[tuple[str, int]] = Counter()
    pairs: Counter[tuple[int, str, str]] = Counter()
    holders: dict[object, set[int]] = defaultdict(set)
    work_disciplines: dict[object, set[str]] = defaultdict(set)
    work_members: dict[object, set[int]] = defaultdict(set)
    for f in facts:
        for code in f.disciplines:
            for inst in (f.institution_id, NETWORK):
                row = years[(code, inst, f.year)]
                row[0] += 1
                row[1] += int(f.open_access)
                row[2] += int(f.fulltext)
            for s in f.subjects:
                subjects[(code, s)] += 1
            for r in f.researchers:
                by_researcher[(code, r)] += 1
        work = f.work_id if f.work_id is not None else f"r{f.record_id}"
        holders[work].add(f.institution_id)
        work_disciplines[work].update(f.disciplines)
        work_members[work].add(f.institution_id)
    for work, codes in work_disciplines.items():
        for a, b in combinations(sorted(codes), 2):
            for inst in (*work_members[work], NETWORK):
                pairs[(inst, a, b)] += 1
    collab: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for insts in holders.values():
        for a, b in combinations(sorted(insts), 2):
            collab[(a, b)][0] += 1
    for insts in (researcher_members or {}).values():
        for a, b in combinations(sorted(insts), 2):
            collab[(a, b)][1] += 1
    with hub.db.session() as session:
        for f in facts:
            session.add(RecordFacts(record_id=f.record_id, institution_id=f.institution_id, year=f.year,
                                    disciplines=f.disciplines, breadth=len(f.disciplines), subjects=f.subjects,
                                    open_access=f.open_access, fulltext=f.fulltext, work_id=f.work_id,
                                    researchers=f.researchers, extra={"title": f.title}))
        for (code, inst, year), (n, oa, ft) in years.items():
            session.add(DisciplineYear(discipline=code, institution_id=inst, year=year, records=n,
                                       open_access=oa, fulltext=ft))
        for (code, s), n in subjects.items():
            session.add(DisciplineSubject(discipline=code, subject=s, records=n))
        for (code, r), n in by_researcher.items():
            main = session.get(Researcher, r)
            session.add(DisciplineResearcher(discipline=code, researcher_id=r, records=n,
                                             institution_id=main.institution_id if main else 0))
        for (inst, a, b), n in pairs.items():
            session.add(DisciplinePair(institution_id=inst, discipline_a=a, discipline_b=b, works=n))
        for (a, b), (works, researchers) in collab.items():
            session.add(Collaboration(institution_a=a, institution_b=b, works=works, researchers=researchers))


def seed_network(hub: Hub, index: bool = False) -> dict[str, Any]:
    """Three members (pku, fdu, zju), two researchers and nine records whose facts and aggregates
    are written; ``index``: the records indexed for search too. Returns the ids by name."""
    pku, pku_repo = add_member(hub, "pku", "Peking University", "北京大学")
    fdu, fdu_repo = add_member(hub, "fdu", "Fudan University", "复旦大学")
    zju, zju_repo = add_member(hub, "zju", "Zhejiang University", "浙江大学")
    repos = {pku: pku_repo, fdu: fdu_repo, zju: zju_repo}
    wang = add_researcher(hub, "王伟", "王伟", "Wang, Wei", pku, 4)
    li = add_researcher(hub, "Li, Na", "", "Li, Na", fdu, 2, [fdu, pku])
    facts = [Fact(1, pku, 2016, ["0812"], "早期研究", researchers=[wang]),
             Fact(2, pku, 2019, ["0812"], "A", open_access=True, fulltext=True, subjects=["机器学习"], researchers=[wang]),
             Fact(3, pku, 2019, ["0812"], "B", open_access=True, subjects=["机器学习", "数据库"], researchers=[wang]),
             Fact(4, pku, 2019, ["0812", "0701"], "C", subjects=["图论"], researchers=[wang, li]),
             Fact(5, pku, 2020, ["0812"], "D", work_id=50, researchers=[li]),
             Fact(6, fdu, 2020, ["0812"], "D", work_id=50, open_access=True),
             Fact(7, fdu, 2018, ["0812", "0701", "1201"], "跨学科", work_id=70),
             Fact(8, zju, 2018, ["0812", "0701", "1201"], "跨学科", work_id=70),
             Fact(9, zju, 0, ["0501"], "年份不详")]
    for f in facts:
        f.record_id = add_record(hub, repos[f.institution_id], f.record_id, title=f.title, year=f.year or None,
                                 subjects=tuple(f.subjects), disciplines=f.disciplines)
    write_facts(hub, facts, {li: [fdu, pku]})
    if index:
        from hub.pipeline.index import index_records

        index_records(hub, [f.record_id for f in facts])
    return {"pku": pku, "fdu": fdu, "zju": zju, "wang": wang, "li": li, "records": [f.record_id for f in facts]}
