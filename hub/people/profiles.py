"""What the researcher pages and the API read (人员): lists with search, and one researcher's profile.

Every query here is bounded and goes through an indexed column: a list is one page of the
``researcher`` table (by its main member, ``ix_researcher_institution_records``, or over its
folded names), and a profile reads the researcher's authorships (``authorship.researcher_id``),
then only the records and authorships of those record ids (primary keys), at most
:data:`MAX_AUTHORSHIPS` of them. Nothing aggregates over all records per request: the counters
of a researcher (records, works, years, members, disciplines) are the people stage's.

- :func:`researcher_list`: a page of researchers, most records first, of one member or the whole
  network, optionally matching a search over :attr:`Researcher.search_names` (Han and Latin forms;
  every word of the query must occur, so ``Wang Wei`` finds ``wang, wei``). A full name narrows the
  search first to the researchers with an authorship of its blocking key (``authorship.key``, indexed).
- :func:`profile`: names as written, member(s), ORCID, disciplines (with their labels), works by
  year, co-authors inside and across members (with shared record counts), a timeline of records by
  year, and each authorship's evidence (which other authorship, which kinds of evidence, the score).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from hub.models import Institution, Record, Repository
from hub.models.people import Authorship, Researcher
from hub.models.showcase import RecordFacts
from hub.normalise.disciplines import discipline_label

MAX_AUTHORSHIPS = 500  # of one researcher read for a profile (most recent records first)
MAX_LINKS = 200  # evidence links shown (the first of the most recent authorships)
MAX_COAUTHORS = 40
MAX_QUERY = 100  # characters of a name search kept
MAX_PER_PAGE = 100
_CHUNK = 500
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class EvidenceKind(StrEnum):
    """The kinds of evidence an authorship link carries (``Authorship.evidence[*]["evidence"]``)."""

    ORCID = "orcid"
    NAME = "name"
    MEMBER = "member"
    COAUTHORS = "coauthors"
    SUBJECTS = "subjects"
    PINYIN = "pinyin"
    DISCIPLINES = "disciplines"
    DECISION = "decision"
    OTHER = "other"


class CoauthorScope(StrEnum):
    """Whether a co-author shares a member with the researcher."""

    INSIDE = "inside"  # the co-author's main member is one of the researcher's members
    ACROSS = "across"  # the co-author belongs mainly to another member


def fold(text: str) -> str:
    """A name folded as ``Researcher.search_names`` holds it: lower case, accents removed, Han kept."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def query_words(q: str) -> list[str]:
    """The words of a name search (folded; punctuation dropped), at most eight."""
    return _WORD.findall(fold(q[:MAX_QUERY]))[:8]


def name_keys(q: str) -> set[str]:
    """The blocking keys (``wang w``) a name search can use (hub.people.names): one per reading of a
    family name with a given name; empty for a lone word (then the search reads every name)."""
    from hub.people.names import name_form

    words = query_words(q)  # punctuation dropped: "Wei, Wang" reads both ways, as the word search does
    return {r.key for r in name_form(" ".join(words)).readings if r.given} if words else set()


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class Member:
    """A member institution as the pages show it."""

    id: int
    slug: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        """The member's name in ``lang`` (the other one when it has none)."""
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)


@dataclass(frozen=True)
class Discipline:
    """A discipline code with its Chinese and English names."""

    code: str
    zh: str
    en: str

    def name(self, lang: str) -> str:
        """The discipline's name in ``lang`` (its code when unknown)."""
        return (self.zh if lang == "zh" else self.en) or self.code


@dataclass(frozen=True)
class ResearcherSummary:
    """One row of a researcher list."""

    id: int
    name: str
    name_zh: str
    name_latin: str
    orcid: str
    member: Member | None
    members: int
    disciplines: list[Discipline]
    records: int
    works: int
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True)
class ResearcherPage:
    """A page of a researcher list."""

    items: list[ResearcherSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Pages of the whole list (at least one)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class TimelineItem:
    """One record of the researcher, for the timeline."""

    record_id: int
    title: str
    year: int | None
    member: Member | None
    name: str  # the name as this record writes it


@dataclass(frozen=True)
class Read:
    """An authorship as a profile reads it (never its comparison features)."""

    record_id: int
    name: str
    evidence: list[dict[str, Any]]

    @property
    def ref(self) -> str:
        """Its decision reference, ``"<record id>:<name>"``."""
        return f"{self.record_id}:{self.name}"


@dataclass(frozen=True)
class Link:
    """One piece of evidence linking an authorship to another one of the same researcher."""

    record_id: int  # the authorship's record
    name: str  # as written there
    with_record_id: int | None
    with_name: str
    with_title: str
    kinds: list[tuple[EvidenceKind, int]]  # the kinds of evidence, with their count (coauthors:2 -> 2)
    raw: list[str]  # as stored
    score: float


@dataclass(frozen=True)
class Coauthor:
    """A researcher sharing records with this one."""

    id: int
    name: str
    member: Member | None
    shared: int  # records in common
    scope: CoauthorScope


@dataclass
class Profile:
    """Everything one researcher's page shows."""

    researcher: ResearcherSummary
    names: list[tuple[str, int]]  # names as written, with their authorships, most frequent first
    members: list[Member]
    by_year: list[tuple[int, int]]  # (year, records), oldest first
    undated: int
    timeline: list[tuple[int | None, list[TimelineItem]]]  # newest year first; None: no year
    coauthors: list[Coauthor]
    links: list[Link]
    authorships: int  # of the researcher (the profile reads at most MAX_AUTHORSHIPS)
    refs: list[str] = field(default_factory=list)  # "<record id>:<name>" of the authorships read
    titles: dict[int, str] = field(default_factory=dict)  # of the records read and those the evidence names

    @property
    def truncated(self) -> bool:
        """Whether the researcher has more authorships than the profile read."""
        return self.authorships > len(self.refs)


def _members(session: Session, ids: Iterable[int | None]) -> dict[int, Member]:
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, Member] = {}
    for start in range(0, len(wanted), _CHUNK):
        for inst in session.scalars(select(Institution).where(Institution.id.in_(wanted[start:start + _CHUNK]))):
            found[inst.id] = Member(inst.id, inst.slug, inst.name_zh or "", inst.name_en or "")
    return found


def _disciplines(codes: Sequence[str]) -> list[Discipline]:
    out = []
    for code in codes or []:
        zh, en = discipline_label(code)
        out.append(Discipline(code, zh, en))
    return out


def _summary(row: Researcher, members: dict[int, Member]) -> ResearcherSummary:
    return ResearcherSummary(
        id=row.id, name=row.name or row.name_zh or row.name_latin, name_zh=row.name_zh or "",
        name_latin=row.name_latin or "", orcid=row.orcid or "",
        member=members.get(row.institution_id) if row.institution_id is not None else None,
        members=len(row.institutions or []), disciplines=_disciplines(row.disciplines or []),
        records=row.records or 0, works=row.works or 0, first_year=row.first_year, last_year=row.last_year)


def member_by_slug(session: Session, slug: str) -> Member | None:
    """A live member by its slug (None: none)."""
    inst = session.scalar(select(Institution).where(Institution.slug == slug[:64]))
    if inst is None or inst.removed:
        return None
    return Member(inst.id, inst.slug, inst.name_zh or "", inst.name_en or "")


def live_members(session: Session) -> list[Member]:
    """Every live member, by slug (the researcher list's member choice)."""
    return [Member(i.id, i.slug, i.name_zh or "", i.name_en or "") for i in session.scalars(
        select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug))]


def researcher_list(session: Session, *, q: str = "", institution_id: int | None = None, page: int = 1,
                    per_page: int = 20) -> ResearcherPage:
    """A page of researchers with records, most records first: of one member (its main member) or the
    whole network, matching every word of ``q`` in their folded names when given."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    conditions = [Researcher.records > 0]
    if institution_id is not None:
        conditions.append(Researcher.institution_id == institution_id)
    words = query_words(q)
    keys = name_keys(q) if words else set()
    if keys:  # a family and a given name: only researchers with an authorship of that blocking key (by index)
        conditions.append(Researcher.id.in_(select(Authorship.researcher_id).where(Authorship.key.in_(keys))))
    for word in words:
        conditions.append(Researcher.search_names.like(_like(word), escape="\\"))
    where = and_(*conditions)
    total = session.scalar(select(func.count()).select_from(Researcher).where(where)) or 0
    rows = list(session.scalars(select(Researcher).where(where)
                                .order_by(Researcher.records.desc(), Researcher.id)
                                .offset((page - 1) * per_page).limit(per_page)))
    members = _members(session, (r.institution_id for r in rows))
    return ResearcherPage([_summary(r, members) for r in rows], total, page, per_page)


def _in_chunks(session: Session, statement_for, ids: Sequence[int]) -> list[Any]:
    out: list[Any] = []
    for start in range(0, len(ids), _CHUNK):
        out.extend(session.execute(statement_for(ids[start:start + _CHUNK])).all())
    return out


def _title(meta: dict[str, Any]) -> str:
    titles = meta.get("titles") or []
    for t in titles:
        if isinstance(t, dict) and t.get("value"):
            return str(t["value"])
    return ""


def _record_facts(session: Session, record_ids: Sequence[int]) -> dict[int, tuple[str, int | None, int | None]]:
    """(title, year, member) of live records of live repositories, from the showcase's facts where it has
    them and from the records otherwise (a record the showcase stage did not see yet)."""
    found: dict[int, tuple[str, int | None, int | None]] = {}
    for rid, extra, year, inst in _in_chunks(session, lambda chunk: select(
            RecordFacts.record_id, RecordFacts.extra, RecordFacts.year, RecordFacts.institution_id)
            .where(RecordFacts.record_id.in_(chunk)), record_ids):
        title = str((extra or {}).get("title") or "")
        if title:
            found[rid] = (title, year or None, inst)
    missing = [i for i in record_ids if i not in found]
    for rid, meta, inst in _in_chunks(session, lambda chunk: select(
            Record.id, Record.meta, Repository.institution_id).join(Repository, Repository.id == Record.repository_id)
            .where(Record.id.in_(chunk), Record.deleted.is_(False), Repository.removed_at.is_(None)), missing):
        meta = meta or {}
        year = meta.get("year")
        found[rid] = (_title(meta), year if isinstance(year, int) else None, inst)
    return found


def parse_ref(ref: str) -> tuple[int | None, str]:
    """(record id, name) of an authorship reference ``"<record id>:<name>"`` (None: not one)."""
    head, sep, name = str(ref).partition(":")
    if not sep or not head.isdigit():
        return None, str(ref)
    return int(head), name


def parse_evidence(raw: Sequence[str]) -> list[tuple[EvidenceKind, int]]:
    """The kinds of evidence of one link (``["name", "coauthors:2"]`` -> name 1, coauthors 2)."""
    out = []
    for item in raw or []:
        head, _sep, count = str(item).partition(":")
        try:
            kind = EvidenceKind(head)
        except ValueError:
            kind = EvidenceKind.OTHER
        out.append((kind, int(count) if count.isdigit() else 1))
    return out


def _coauthors(session: Session, researcher: Researcher, record_ids: list[int],
               members: dict[int, Member]) -> list[Coauthor]:
    pairs = {(rid, other) for rid, other in _in_chunks(session, lambda chunk: select(
        Authorship.record_id, Authorship.researcher_id).where(
        Authorship.record_id.in_(chunk), Authorship.researcher_id.is_not(None),
        Authorship.researcher_id != researcher.id), record_ids)}
    shared = Counter(other for _rid, other in pairs)  # records in common (a name twice in one record counts once)
    top = [i for i, _n in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_COAUTHORS]]
    rows = {r.id: r for r in session.scalars(select(Researcher).where(Researcher.id.in_(top or [-1])))}
    members.update(_members(session, (r.institution_id for r in rows.values() if r.institution_id not in members)))
    own = set(researcher.institutions or []) | ({researcher.institution_id} if researcher.institution_id else set())
    out = []
    for rid in top:
        row = rows.get(rid)
        if row is None:
            continue
        scope = CoauthorScope.INSIDE if row.institution_id in own else CoauthorScope.ACROSS
        out.append(Coauthor(row.id, row.name or row.name_zh or row.name_latin,
                            members.get(row.institution_id) if row.institution_id is not None else None,
                            shared[rid], scope))
    return out


def _years_of_all(session: Session, researcher_id: int) -> tuple[list[tuple[int, int]], int] | None:
    """Records per year of every authorship of a researcher, from the showcase's facts (one GROUP BY over
    the researcher's authorships, by index); None when the facts do not cover them (not refreshed yet)."""
    rows = session.execute(select(RecordFacts.year, func.count(func.distinct(Authorship.record_id)))
                           .join(RecordFacts, RecordFacts.record_id == Authorship.record_id)
                           .where(Authorship.researcher_id == researcher_id).group_by(RecordFacts.year)).all()
    if not rows:
        return None
    return sorted((y, n) for y, n in rows if y), sum(n for y, n in rows if not y)


def profile(session: Session, researcher_id: int) -> Profile | None:
    """One researcher's profile (None: no such researcher, or one without authorships)."""
    row = session.get(Researcher, researcher_id)
    if row is None:
        return None
    total = session.scalar(select(func.count()).select_from(Authorship)
                           .where(Authorship.researcher_id == researcher_id)) or 0
    if not total:
        return None
    # the columns the page shows only (never the comparison features)
    authorships = [Read(rid, name or "", evidence or []) for rid, name, evidence in session.execute(
        select(Authorship.record_id, Authorship.name, Authorship.evidence)
        .where(Authorship.researcher_id == researcher_id)
        .order_by(Authorship.record_id.desc(), Authorship.position).limit(MAX_AUTHORSHIPS))]
    record_ids = sorted({a.record_id for a in authorships})
    facts = _record_facts(session, record_ids)
    links: list[Link] = []
    pairs: set[frozenset[str]] = set()  # a link stored on both of its authorships is shown once
    for a in authorships:
        for e in a.evidence:
            if len(links) >= MAX_LINKS:
                break
            pair = frozenset((a.ref, str(e.get("with", ""))))
            if pair in pairs:
                continue
            pairs.add(pair)
            other, other_name = parse_ref(e.get("with", ""))
            raw = [str(x) for x in e.get("evidence") or []]
            score = e.get("score")
            links.append(Link(a.record_id, a.name, other, other_name, "", parse_evidence(raw), raw,
                              float(score) if isinstance(score, int | float) else 0.0))
    # the records the evidence points to (usually the researcher's own; others are read by id)
    facts.update(_record_facts(session, sorted({link.with_record_id for link in links
                                                if link.with_record_id is not None
                                                and link.with_record_id not in facts})))
    links = [replace(link, with_title=facts[link.with_record_id][0])
             if link.with_record_id in facts else link for link in links]
    members = _members(session, [row.institution_id, *(row.institutions or []),
                                 *(f[2] for f in facts.values())])
    names = Counter(a.name for a in authorships if a.name)
    by_year: Counter[int] = Counter()
    undated = 0
    timeline: dict[int | None, list[TimelineItem]] = defaultdict(list)
    seen: set[int] = set()
    for a in authorships:
        if a.record_id in seen or a.record_id not in facts:
            continue
        seen.add(a.record_id)
        title, year, inst = facts[a.record_id]
        if year:
            by_year[year] += 1
        else:
            undated += 1
        timeline[year].append(TimelineItem(a.record_id, title, year, members.get(inst) if inst else None, a.name))
    years, undated_all = sorted(by_year.items()), undated
    if total > len(authorships):  # the chart counts every record, not only those read
        years, undated_all = _years_of_all(session, researcher_id) or (years, undated)
    ordered_members = [members[i] for i in dict.fromkeys(
        [row.institution_id, *(row.institutions or [])]) if i is not None and i in members]
    return Profile(
        researcher=_summary(row, members), names=names.most_common(), members=ordered_members,
        by_year=years, undated=undated_all,
        timeline=sorted(timeline.items(), key=lambda kv: -(kv[0] or 0)),
        coauthors=_coauthors(session, row, record_ids, members), links=links, authorships=total,
        refs=[a.ref for a in authorships], titles={rid: f[0] for rid, f in facts.items()})


def researchers_of_record(session: Session, record_id: int) -> dict[str, int]:
    """The researcher of each person-creator of one record, by name as written (for the record page)."""
    return {name: rid for name, rid in session.execute(
        select(Authorship.name, Authorship.researcher_id).where(Authorship.record_id == record_id,
                                                                Authorship.researcher_id.is_not(None)))}


def refs_of(session: Session, researcher_id: int) -> list[str]:
    """Every authorship reference (``"<record id>:<name>"``) of a researcher (the side of a split or join)."""
    return [f"{rid}:{name}" for rid, name in session.execute(
        select(Authorship.record_id, Authorship.name).where(Authorship.researcher_id == researcher_id)
        .order_by(Authorship.record_id, Authorship.position))]


def researcher_of_ref(session: Session, ref: str) -> int | None:
    """The researcher an authorship reference is linked to now (None: none, or no such authorship)."""
    record_id, name = parse_ref(ref)
    if record_id is None:
        return None
    return session.scalar(select(Authorship.researcher_id).where(Authorship.record_id == record_id,
                                                                 Authorship.name == name).limit(1))
