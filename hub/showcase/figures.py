"""The showcase's figures as the pages and the API read them: disciplines, collaboration, a member.

Every function reads only the aggregate tables of :mod:`hub.models.showcase` (kept up to date by
the showcase stage, :mod:`hub.showcase.refresh`) and the researchers' counters, never the records,
so a page costs the same at a thousand records and at a million:

- :func:`overview`: each first-level discipline with records, under its category (学科门类):
  records, members active in it, growth, open-access and full-text share;
- :func:`discipline`: one discipline: each member's output by year, growth, open-access and
  full-text share, the most active researchers and the subjects inside it;
- :func:`collaboration`: pairs of members working together (a network and a matrix), which
  disciplines meet in the same works, and the works crossing most disciplines, network-wide or
  for one member;
- :func:`member_showcase`: a member's output by discipline, top researchers, partners and
  open-access share.

Growth compares the records of the :data:`WINDOW` years up to a reference year with the
:data:`WINDOW` years before: the reference year is the latest year with records in the network
before the current one (:func:`reference_year`), so a year still being harvested never reads as
a fall. Codes are checked by :func:`parse_code` (a malformed code and an unknown one are told
apart: 400 and 404 on the pages).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.models import Institution, Researcher
from hub.models.showcase import (
    NETWORK,
    Collaboration,
    DisciplinePair,
    DisciplineResearcher,
    DisciplineSubject,
    DisciplineYear,
    RecordFacts,
)
from hub.normalise.disciplines import CATEGORIES, DISCIPLINES, category_of

WINDOW = 3  # years compared by growth
TOP_RESEARCHERS = 20
TOP_SUBJECTS = 30
TOP_PAIRS = 30
TOP_CROSSING = 20
_CODE = re.compile(r"^[0-9]{4}$")


class MalformedCode(ValueError):
    """A discipline code that is not four digits."""


class UnknownDiscipline(LookupError):
    """A four-digit code the discipline catalogue does not have."""


def parse_code(code: str) -> str:
    """``code`` when it is a first-level discipline of the catalogue; :class:`MalformedCode` when it
    is not four digits, :class:`UnknownDiscipline` when the catalogue has no such discipline."""
    if not _CODE.match(code or ""):
        raise MalformedCode(f"a first-level discipline code has four digits (0812), not {code[:20]!r}")
    if code not in DISCIPLINES:
        raise UnknownDiscipline(f"the discipline catalogue has no {code}")
    return code


@dataclass(frozen=True)
class Member:
    """A member institution as the figures name it."""

    id: int
    slug: str
    name_zh: str
    name_en: str

    def name(self, lang: str = "zh") -> str:
        """The member's name in ``lang``, the other language when that one is missing."""
        return (self.name_zh or self.name_en) if lang.startswith("zh") else (self.name_en or self.name_zh)


@dataclass(frozen=True)
class Share:
    """A part of a whole (open access, full text): the count and its share."""

    part: int
    whole: int

    @property
    def ratio(self) -> float:
        """The share, 0 to 1 (0 when the whole is 0)."""
        return self.part / self.whole if self.whole else 0.0


@dataclass(frozen=True)
class Growth:
    """Records of the :data:`WINDOW` years up to ``year`` (``recent``) against the years before."""

    year: int
    recent: int
    previous: int

    @property
    def change(self) -> float | None:
        """The relative change (0.25: a quarter more); None when there was nothing before."""
        return (self.recent - self.previous) / self.previous if self.previous else None


def growth(by_year: Mapping[int, int], year: int, window: int = WINDOW) -> Growth:
    """The growth of ``by_year`` (records per year) up to ``year``, over windows of ``window`` years."""
    recent = sum(by_year.get(y, 0) for y in range(year - window + 1, year + 1))
    previous = sum(by_year.get(y, 0) for y in range(year - 2 * window + 1, year - window + 1))
    return Growth(year, recent, previous)


def reference_year(session: Session, today: datetime | None = None) -> int:
    """The latest year with records in the network before the current year (the current year
    minus one when there is none): the end of the growth windows."""
    this_year = (today or datetime.now(UTC)).year
    latest = session.scalar(select(func.max(DisciplineYear.year)).where(
        DisciplineYear.institution_id == NETWORK, DisciplineYear.year > 0, DisciplineYear.year < this_year,
        DisciplineYear.records > 0))
    return int(latest or this_year - 1)


def members(session: Session) -> dict[int, Member]:
    """Every live member by id."""
    return {i.id: Member(i.id, i.slug, i.name_zh, i.name_en)
            for i in session.scalars(select(Institution).where(Institution.removed_at.is_(None)))}


def member_by_slug(session: Session, slug: str) -> Member | None:
    """The live member called ``slug``, or None."""
    inst = session.scalar(select(Institution).where(Institution.slug == slug, Institution.removed_at.is_(None)))
    return Member(inst.id, inst.slug, inst.name_zh, inst.name_en) if inst is not None else None


@dataclass
class Output:
    """Records of one discipline (or of one member in it) by year, with open access and full text."""

    by_year: dict[int, int] = field(default_factory=dict)  # year 0: unknown
    records: int = 0
    open_access: int = 0
    fulltext: int = 0

    def add(self, year: int, records: int, open_access: int, fulltext: int) -> None:
        """Count one aggregate row."""
        self.by_year[year] = self.by_year.get(year, 0) + records
        self.records += records
        self.open_access += open_access
        self.fulltext += fulltext

    @property
    def oa_share(self) -> Share:
        """Open-access records among them."""
        return Share(self.open_access, self.records)

    @property
    def fulltext_share(self) -> Share:
        """Records with a full text among them."""
        return Share(self.fulltext, self.records)

    def years(self) -> list[tuple[int, int]]:
        """(year, records) of the known years, oldest first."""
        return sorted((y, n) for y, n in self.by_year.items() if y and n)

    def growth(self, year: int) -> Growth:
        """The growth of these records up to ``year``."""
        return growth(self.by_year, year)


@dataclass(frozen=True)
class DisciplineRow:
    """One discipline of the overview."""

    code: str
    output: Output
    members: int  # members with records in it
    growth: Growth


@dataclass(frozen=True)
class CategoryGroup:
    """A category (学科门类) and its disciplines with records, by code."""

    code: str
    disciplines: list[DisciplineRow]


@dataclass(frozen=True)
class Overview:
    """The network's disciplines under their categories."""

    year: int  # the growth's reference year
    categories: list[CategoryGroup]

    @property
    def disciplines(self) -> list[DisciplineRow]:
        """Every discipline of every category, by code."""
        return [d for c in self.categories for d in c.disciplines]


def overview(session: Session) -> Overview:
    """Every first-level discipline with records, under its category (see the module docstring)."""
    year = reference_year(session)
    outputs: dict[str, Output] = defaultdict(Output)
    for code, y, records, oa, ft in session.execute(
            select(DisciplineYear.discipline, DisciplineYear.year, DisciplineYear.records,
                   DisciplineYear.open_access, DisciplineYear.fulltext)
            .where(DisciplineYear.institution_id == NETWORK)):
        outputs[code].add(y, records, oa, ft)
    active = dict(session.execute(
        select(DisciplineYear.discipline, func.count(func.distinct(DisciplineYear.institution_id)))
        .where(DisciplineYear.institution_id != NETWORK, DisciplineYear.records > 0)
        .group_by(DisciplineYear.discipline)).all())
    groups: dict[str, list[DisciplineRow]] = defaultdict(list)
    for code in sorted(outputs):
        out = outputs[code]
        if out.records and code in DISCIPLINES:
            groups[category_of(code)].append(DisciplineRow(code, out, active.get(code, 0), out.growth(year)))
    return Overview(year, [CategoryGroup(c, groups[c]) for c in sorted(groups) if c in CATEGORIES])


@dataclass(frozen=True)
class MemberOutput:
    """One member's output in a discipline."""

    member: Member
    output: Output
    growth: Growth


@dataclass(frozen=True)
class RankedResearcher:
    """A researcher and their records (in a discipline, or at a member)."""

    id: int
    name: str
    name_zh: str
    name_latin: str
    member: Member | None
    records: int

    def display(self, lang: str = "zh") -> str:
        """The name to show in ``lang``: the Chinese form on the Chinese pages, the Latin on the English."""
        return ((self.name_zh if lang.startswith("zh") else self.name_latin) or self.name
                or self.name_zh or self.name_latin)


@dataclass(frozen=True)
class DisciplineDetail:
    """The figures of one discipline's page."""

    code: str
    year: int  # the growth's reference year
    network: Output
    growth: Growth
    members: list[MemberOutput]  # most records first
    researchers: list[RankedResearcher]
    subjects: list[tuple[str, int]]

    @property
    def years(self) -> list[int]:
        """Every known year with records in the discipline, oldest first."""
        return [y for y, _ in self.network.years()]


def _ranked(rows: Iterable[tuple[Researcher, int]], known: Mapping[int, Member]
            ) -> list[RankedResearcher]:
    return [RankedResearcher(r.id, r.name, r.name_zh, r.name_latin,
                             known.get(r.institution_id) if r.institution_id is not None else None, n)
            for r, n in rows]


def discipline(session: Session, code: str, top: int = TOP_RESEARCHERS, subjects: int = TOP_SUBJECTS
               ) -> DisciplineDetail:
    """One discipline (``code`` checked by :func:`parse_code`): see the module docstring."""
    code = parse_code(code)
    year = reference_year(session)
    known = members(session)
    network = Output()
    by_member: dict[int, Output] = defaultdict(Output)
    for inst, y, records, oa, ft in session.execute(
            select(DisciplineYear.institution_id, DisciplineYear.year, DisciplineYear.records,
                   DisciplineYear.open_access, DisciplineYear.fulltext)
            .where(DisciplineYear.discipline == code)):
        if inst == NETWORK:
            network.add(y, records, oa, ft)
        elif inst in known:
            by_member[inst].add(y, records, oa, ft)
    outputs = sorted((MemberOutput(known[i], out, out.growth(year)) for i, out in by_member.items() if out.records),
                     key=lambda m: (-m.output.records, m.member.slug))
    ranked = session.execute(
        select(Researcher, DisciplineResearcher.records).join(Researcher, Researcher.id == DisciplineResearcher.researcher_id)
        .where(DisciplineResearcher.discipline == code, DisciplineResearcher.records > 0)
        .order_by(DisciplineResearcher.records.desc(), Researcher.id).limit(top)).all()
    inside = session.execute(
        select(DisciplineSubject.subject, DisciplineSubject.records)
        .where(DisciplineSubject.discipline == code, DisciplineSubject.records > 0)
        .order_by(DisciplineSubject.records.desc(), DisciplineSubject.subject).limit(subjects)).all()
    return DisciplineDetail(code, year, network, network.growth(year), outputs, _ranked(ranked, known),
                            list(inside))


@dataclass(frozen=True)
class Pair:
    """Two members working together: works both hold and researchers linked from both."""

    a: Member
    b: Member
    works: int
    researchers: int

    @property
    def weight(self) -> int:
        """How strongly they are linked: shared works plus shared researchers."""
        return self.works + self.researchers

    def other(self, member_id: int) -> Member:
        """The partner of ``member_id`` in this pair."""
        return self.b if self.a.id == member_id else self.a


@dataclass(frozen=True)
class MeetingDisciplines:
    """Two disciplines classifying the same works (``a < b``)."""

    a: str
    b: str
    works: int


@dataclass(frozen=True)
class CrossingWork:
    """A work (a record standing for it) classified in several disciplines."""

    record_id: int
    work_id: int | None
    title: str
    year: int
    disciplines: list[str]
    member: Member | None

    @property
    def breadth(self) -> int:
        """How many disciplines it crosses."""
        return len(self.disciplines)


@dataclass(frozen=True)
class CollaborationFigures:
    """Collaboration and interdisciplinarity, network-wide or of one member (``member``)."""

    member: Member | None
    pairs: list[Pair]  # strongest first
    meeting: list[MeetingDisciplines]  # most works first
    crossing: list[CrossingWork]  # most disciplines first

    @cached_property
    def nodes(self) -> list[Member]:
        """The members in any pair, the most linked first (the network's nodes, the matrix's rows)."""
        weight: dict[int, int] = defaultdict(int)
        found: dict[int, Member] = {}
        for p in self.pairs:
            for m in (p.a, p.b):
                weight[m.id] += p.weight
                found[m.id] = m
        return sorted(found.values(), key=lambda m: (-weight[m.id], m.slug))

    def matrix(self, limit: int | None = None) -> list[tuple[Member, list[Pair | None]]]:
        """Each node (the ``limit`` most linked) with its pair with each of them (None: no shared
        work or researcher, or itself)."""
        nodes = self.nodes[:limit] if limit else self.nodes
        by_ids = {(p.a.id, p.b.id): p for p in self.pairs} | {(p.b.id, p.a.id): p for p in self.pairs}
        return [(row, [by_ids.get((row.id, col.id)) for col in nodes]) for row in nodes]

    @property
    def strongest(self) -> int:
        """The largest weight of a pair (1 when there is none): the top of the heat map's scale."""
        return max((p.weight for p in self.pairs), default=1) or 1


def pairs(session: Session, member_id: int | None = None, known: Mapping[int, Member] | None = None,
          limit: int | None = None) -> list[Pair]:
    """Pairs of live members sharing works or researchers, strongest first (only ``member_id``'s)."""
    known = known if known is not None else members(session)
    query = (select(Collaboration.institution_a, Collaboration.institution_b, Collaboration.works,
                    Collaboration.researchers)
             .where(or_(Collaboration.works > 0, Collaboration.researchers > 0)))
    if member_id is not None:
        query = query.where(or_(Collaboration.institution_a == member_id, Collaboration.institution_b == member_id))
    found = [Pair(known[a], known[b], works, researchers)
             for a, b, works, researchers in session.execute(query) if a in known and b in known]
    found.sort(key=lambda p: (-p.weight, -p.works, p.a.slug, p.b.slug))
    return found[:limit] if limit else found


def meeting(session: Session, member_id: int = NETWORK, limit: int = TOP_PAIRS) -> list[MeetingDisciplines]:
    """The pairs of disciplines meeting in most works, at one member or network-wide (0)."""
    rows = session.execute(
        select(DisciplinePair.discipline_a, DisciplinePair.discipline_b, DisciplinePair.works)
        .where(DisciplinePair.institution_id == member_id, DisciplinePair.works > 0)
        .order_by(DisciplinePair.works.desc(), DisciplinePair.discipline_a, DisciplinePair.discipline_b)
        .limit(limit)).all()
    return [MeetingDisciplines(a, b, n) for a, b, n in rows]


def crossing(session: Session, member_id: int | None = None, known: Mapping[int, Member] | None = None,
             limit: int = TOP_CROSSING) -> list[CrossingWork]:
    """The works crossing most disciplines (at least two; a work held by several records once),
    network-wide or at one member."""
    known = known if known is not None else members(session)
    query = select(RecordFacts).where(RecordFacts.breadth >= 2)
    if member_id is not None:
        query = query.where(RecordFacts.institution_id == member_id)
    # newest first among equals: both orders follow the breadth indexes, so no sort of every crossing record
    query = query.order_by(RecordFacts.breadth.desc(), RecordFacts.record_id.desc()).limit(limit * 4)
    out: list[CrossingWork] = []
    seen: set[int] = set()
    for f in session.scalars(query):
        if f.work_id is not None and f.work_id in seen:
            continue
        if f.work_id is not None:
            seen.add(f.work_id)
        out.append(CrossingWork(f.record_id, f.work_id, str((f.extra or {}).get("title") or ""), f.year,
                                list(f.disciplines), known.get(f.institution_id)))
        if len(out) == limit:
            break
    return out


def collaboration(session: Session, member: Member | None = None) -> CollaborationFigures:
    """Collaboration and interdisciplinarity of the network, or of ``member`` (its partners, the
    disciplines meeting in its works, its works crossing most disciplines)."""
    known = members(session)
    member_id = member.id if member else None
    return CollaborationFigures(member, pairs(session, member_id, known),
                                meeting(session, member_id if member_id is not None else NETWORK),
                                crossing(session, member_id, known))


@dataclass(frozen=True)
class MemberDiscipline:
    """A member's output in one discipline."""

    code: str
    output: Output


@dataclass(frozen=True)
class MemberShowcase:
    """What a member's page leads with."""

    member: Member
    year: int  # the growth's reference year
    disciplines: list[MemberDiscipline]  # most records first
    researchers: list[RankedResearcher]
    partners: list[Pair]  # strongest first
    meeting: list[MeetingDisciplines]

    @property
    def open_access(self) -> Share:
        """Open access over the member's records in each discipline (a record classified in two
        disciplines counts in both)."""
        return Share(sum(d.output.open_access for d in self.disciplines),
                     sum(d.output.records for d in self.disciplines))


def member_showcase(session: Session, member: Member, top: int = TOP_RESEARCHERS, partners: int = 12
                    ) -> MemberShowcase:
    """A member's output by discipline, top researchers, partners and the disciplines meeting in
    its works. The discipline rows are read by the table's key (discipline, member) for every code
    of the catalogue, never by scanning the table."""
    known = members(session)
    outputs: dict[str, Output] = defaultdict(Output)
    for code, y, records, oa, ft in session.execute(
            select(DisciplineYear.discipline, DisciplineYear.year, DisciplineYear.records,
                   DisciplineYear.open_access, DisciplineYear.fulltext)
            .where(DisciplineYear.discipline.in_(list(DISCIPLINES)), DisciplineYear.institution_id == member.id)):
        outputs[code].add(y, records, oa, ft)
    rows = sorted((MemberDiscipline(c, o) for c, o in outputs.items() if o.records),
                  key=lambda d: (-d.output.records, d.code))
    ranked = session.execute(
        select(Researcher, Researcher.records).where(Researcher.institution_id == member.id, Researcher.records > 0)
        .order_by(Researcher.records.desc(), Researcher.id).limit(top)).all()
    return MemberShowcase(member, reference_year(session), rows, _ranked(ranked, known),
                          pairs(session, member.id, known, partners), meeting(session, member.id, 10))
