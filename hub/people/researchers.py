"""Writing researchers: one row per person the linking found, with stable ids and display fields.

:func:`write_researchers` takes the people of a re-clustered neighbourhood (lists of authorships). The
largest person first keeps the researcher id most of its authorships had (not yet taken); the others get
new ids (inserted in bulk with explicit ids, PostgreSQL's sequence moved past them). Each row is
rewritten from its authorships: the most frequent name as written, a Han form and a Latin form (the
pinyin when no Latin form is written), every form folded for search, the ORCID iD, the members (most
authorships first), disciplines, records, works and years. Old researchers no person kept are deleted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from hub.models import Researcher, WorkMember, utcnow
from hub.people.features import AuthorFeatures
from hub.people.names import fold
from hub.people.store import chunks

if TYPE_CHECKING:
    from hub.people.linking import RelinkResult


def _most(counter: Counter[Any]) -> Any:
    return counter.most_common(1)[0][0] if counter else None


def _pinyin_display(author: AuthorFeatures) -> str:
    if not author.fulls:
        return ""
    family, _, given = author.fulls[0].partition(" ")
    return f"{family.capitalize()} {given.capitalize()}".strip()


def summary(members: Sequence[AuthorFeatures], works: dict[int, int]) -> dict[str, Any]:
    """The display and count fields of a researcher holding these authorships."""
    names = Counter(a.name for a in members)
    han = Counter(a.name for a in members if a.han)
    latin = Counter(a.name for a in members if not a.han)
    orcid = Counter(a.orcid for a in members if a.orcid)
    institutions = Counter(a.institution_id for a in members)
    disciplines = Counter(code for a in members for code in a.disciplines)
    years = [a.year for a in members if a.year]
    forms = {fold(n) for n in names} | {full for a in members for full in a.fulls} | {a.han for a in members if a.han}
    records = {a.record_id for a in members}
    name_latin = _most(latin) or next((p for p in (_pinyin_display(a) for a in members) if p), "")
    return {
        "name": (_most(names) or "")[:255], "name_zh": (_most(han) or "")[:255], "name_latin": name_latin[:255],
        "search_names": "|".join(sorted(f for f in forms if f)), "orcid": (_most(orcid) or "")[:19],
        "institution_id": _most(institutions), "institutions": [i for i, _ in institutions.most_common()],
        "disciplines": [c for c, _ in disciplines.most_common()], "records": len(records),
        "works": len({works.get(r, -r) for r in records}),
        "first_year": min(years) if years else None, "last_year": max(years) if years else None,
    }


def works_of(session: Session, record_ids: set[int]) -> dict[int, int]:
    """Record -> its work id, for those of these records in a work."""
    found: dict[int, int] = {}
    for batch in chunks(sorted(record_ids)):
        found.update(session.execute(select(WorkMember.record_id, WorkMember.work_id).where(
            WorkMember.record_id.in_(batch), WorkMember.work_id.is_not(None))).all())
    return found


def _sync_sequence(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('researcher', 'id'), "
                             "(SELECT COALESCE(MAX(id), 1) FROM researcher))"))


def write_researchers(session: Session, authors: Sequence[AuthorFeatures], previous: Sequence[int | None],
                      people: list[list[int]], old_ids: set[int], result: RelinkResult) -> list[int]:
    """Store ``people`` (lists of indexes into ``authors``; ``previous``: each one's old researcher) and
    return each authorship's researcher id (see the module docstring)."""
    now = utcnow()
    works = works_of(session, {a.record_id for a in authors})
    assigned: list[int] = [0] * len(authors)
    taken: set[int] = set()
    updates: list[dict[str, Any]] = []
    fresh: list[tuple[list[int], dict[str, Any]]] = []
    for members in sorted(people, key=lambda m: (-len(m), min(m))):
        votes = Counter(previous[i] for i in members if previous[i] is not None and previous[i] not in taken)
        values = summary([authors[i] for i in members], works)
        if votes:
            researcher_id = max(votes.items(), key=lambda item: (item[1], -item[0]))[0]
            taken.add(researcher_id)
            updates.append({"id": researcher_id, **values, "updated_at": now})
            for i in members:
                assigned[i] = researcher_id
        else:
            fresh.append((members, values))
    if fresh:
        first = max((session.scalar(select(func.max(Researcher.id))) or 0), max(old_ids, default=0)) + 1
        inserts = []
        for offset, (members, values) in enumerate(fresh):
            researcher_id = first + offset
            inserts.append({"id": researcher_id, **values, "created_at": now, "updated_at": now})
            for i in members:
                assigned[i] = researcher_id
        for part in chunks(inserts, 2000):
            session.execute(insert(cast(Table, Researcher.__table__)), part)
        _sync_sequence(session)
    table = cast(Table, Researcher.__table__)
    statement = update(table).where(table.c.id == bindparam("b_id"))
    for part in chunks([{"b_id": u.pop("id"), **u} for u in updates], 2000):
        session.execute(statement, part)
    gone = sorted(old_ids - taken)
    for batch in chunks(gone):
        session.execute(delete(Researcher).where(Researcher.id.in_(batch)))
    result.created += len(fresh)
    result.changed_researchers += len(updates)
    result.deleted += len(gone)
    return assigned


def drop_orphans(session: Session) -> int:
    """Delete every researcher no authorship belongs to (after a full re-linking); returns how many."""
    from hub.models import Authorship

    orphans = list(session.scalars(select(Researcher.id).where(
        ~select(Authorship.record_id).where(Authorship.researcher_id == Researcher.id).exists())))
    for batch in chunks(orphans):
        session.execute(delete(Researcher).where(Researcher.id.in_(batch)))
    return len(orphans)


def authorships_of_researcher(session: Session, researcher_id: int) -> list[dict[str, Any]]:
    """The authorships of a researcher with their member and evidence, by record id (for ``chair people
    show``; the portal reads through :mod:`hub.people.profiles`)."""
    from hub.models import Authorship, Institution

    rows = session.execute(
        select(Authorship.record_id, Authorship.position, Authorship.name, Authorship.orcid, Authorship.score,
               Authorship.evidence, Institution.slug)
        .join(Institution, Institution.id == Authorship.institution_id)
        .where(Authorship.researcher_id == researcher_id).order_by(Authorship.record_id, Authorship.position))
    return [{"ref": f"{r.record_id}:{r.name}", "record_id": r.record_id, "name": r.name, "orcid": r.orcid,
             "member": r.slug, "score": r.score, "evidence": r.evidence or []} for r in rows]
