"""The aggregate rows of :mod:`hub.models.showcase`, recomputed from the contributions.

Each function recomputes the rows of the keys it is given (or of every key, ``keys=None``: the full
rebuild) with one ``GROUP BY`` over :class:`hub.showcase.contributions.Contribution` restricted to
those keys, deletes the rows of those keys and inserts the counts that are not zero. The same
statements serve the incremental refresh and the rebuild, so both give the same rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from hub.models import Researcher
from hub.models.showcase import (
    NETWORK,
    Collaboration,
    DisciplinePair,
    DisciplineResearcher,
    DisciplineSubject,
    DisciplineYear,
)
from hub.showcase.bulk import insert_rows
from hub.showcase.contributions import Contribution, Figure, parts_of
from hub.showcase.facts import batches
from hub.showcase.units import main_member


def grouped(session: Session, figure: Figure, keys: Iterable[str] | None) -> dict[str, tuple[int, int, int]]:
    """Key -> (units, open-access units, full-text units) of ``figure`` for ``keys`` (None: all)."""
    columns = (Contribution.key, func.count(), func.coalesce(func.sum(Contribution.open_access), 0),
               func.coalesce(func.sum(Contribution.fulltext), 0))
    out: dict[str, tuple[int, int, int]] = {}
    if keys is None:
        query = select(*columns).where(Contribution.figure == figure).group_by(Contribution.key)
        return {key: (int(n), int(oa), int(ft)) for key, n, oa, ft in session.execute(query)}
    for chunk in batches(sorted(set(keys))):
        query = select(*columns).where(Contribution.figure == figure, Contribution.key.in_(chunk)).group_by(
            Contribution.key)
        out.update({key: (int(n), int(oa), int(ft)) for key, n, oa, ft in session.execute(query)})
    return out


def _replace(session: Session, model: Any, columns: tuple[Any, ...], keys: list[tuple[Any, ...]] | None,
             rows: list[dict[str, Any]]) -> None:
    """Delete ``model``'s rows of ``keys`` (all rows for None) and insert ``rows``."""
    if keys is None:
        session.execute(delete(model))
    else:
        for chunk in batches(keys):
            session.execute(delete(model).where(tuple_(*columns).in_(chunk)))
    insert_rows(session, model.__table__, rows)


def discipline_years(session: Session, keys: Iterable[str] | None) -> int:
    """Recompute DisciplineYear for these YEAR keys (``discipline|member|year``), then the network rows
    (member 0) of their (discipline, year) as the sum of the members'. Returns the rows written."""
    counts = grouped(session, Figure.YEAR, keys)
    wanted = sorted(set(counts) if keys is None else set(keys))
    typed = [(d, int(m), int(y)) for d, m, y in (parts_of(k, 3) for k in wanted)]
    rows = [{"discipline": d, "institution_id": m, "year": y, "records": counts[k][0], "open_access": counts[k][1],
             "fulltext": counts[k][2]} for k, (d, m, y) in zip(wanted, typed, strict=True) if k in counts]
    if keys is None:
        session.execute(delete(DisciplineYear))
        insert_rows(session, DisciplineYear.__table__, rows)
        pairs: list[tuple[str, int]] | None = None
    else:
        _replace(session, DisciplineYear, (DisciplineYear.discipline, DisciplineYear.institution_id,
                                           DisciplineYear.year), typed, rows)
        pairs = sorted({(d, y) for d, _m, y in typed})
    return len(rows) + _network_years(session, pairs)


def _network_years(session: Session, pairs: list[tuple[str, int]] | None) -> int:
    """The network rows (member 0) of these (discipline, year) pairs (None: all) from the member rows."""
    columns = (DisciplineYear.discipline, DisciplineYear.year, func.sum(DisciplineYear.records),
               func.sum(DisciplineYear.open_access), func.sum(DisciplineYear.fulltext))
    found: list[tuple[Any, ...]] = []
    chunks: list[Sequence[tuple[str, int]] | None] = [None] if pairs is None else list(batches(pairs))
    for chunk in chunks:
        query = select(*columns).where(DisciplineYear.institution_id != NETWORK)
        if chunk is not None:
            query = query.where(tuple_(DisciplineYear.discipline, DisciplineYear.year).in_(chunk))
            session.execute(delete(DisciplineYear).where(DisciplineYear.institution_id == NETWORK, tuple_(
                DisciplineYear.discipline, DisciplineYear.year).in_(chunk)))
        else:
            session.execute(delete(DisciplineYear).where(DisciplineYear.institution_id == NETWORK))
        found.extend(session.execute(query.group_by(DisciplineYear.discipline, DisciplineYear.year)).all())
    rows = [{"discipline": d, "institution_id": NETWORK, "year": y, "records": int(n), "open_access": int(oa),
             "fulltext": int(ft)} for d, y, n, oa, ft in found if n]
    insert_rows(session, DisciplineYear.__table__, rows)
    return len(rows)


def discipline_subjects(session: Session, keys: Iterable[str] | None) -> int:
    """Recompute DisciplineSubject for these SUBJECT keys (``discipline|subject``)."""
    counts = grouped(session, Figure.SUBJECT, keys)
    wanted = sorted(set(counts) if keys is None else set(keys))
    typed = [(d, s) for d, s in (parts_of(k, 2) for k in wanted)]
    rows = [{"discipline": d, "subject": s, "records": counts[k][0]}
            for k, (d, s) in zip(wanted, typed, strict=True) if k in counts]
    _replace(session, DisciplineSubject, (DisciplineSubject.discipline, DisciplineSubject.subject),
             None if keys is None else typed, rows)
    return len(rows)


def discipline_researchers(session: Session, keys: Iterable[str] | None, members: Mapping[int, Counter[int]],
                           moved: Mapping[int, int] | None = None) -> int:
    """Recompute DisciplineResearcher for these RESEARCHER keys (``discipline|researcher``); ``members``:
    each researcher's members (its main member is the row's ``institution_id``), every researcher named
    by the keys included. ``moved``: researcher -> its new main member, for those whose main member
    changed: their other rows (disciplines the keys do not name) get it too."""
    counts = grouped(session, Figure.RESEARCHER, keys)
    wanted = sorted(set(counts) if keys is None else set(keys))
    typed = [(d, int(r)) for d, r in (parts_of(k, 2) for k in wanted)]
    rows = [{"discipline": d, "researcher_id": r, "institution_id": main_member(members.get(r, Counter())),
             "records": counts[k][0]} for k, (d, r) in zip(wanted, typed, strict=True) if k in counts]
    if keys is not None:  # a researcher the people stage removed since (its records' refresh is on its way)
        named = sorted({r for _d, r in typed})
        alive: set[int] = set()
        for chunk in batches(named):
            alive.update(session.scalars(select(Researcher.id).where(Researcher.id.in_(chunk))))
        rows = [row for row in rows if row["researcher_id"] in alive]
    _replace(session, DisciplineResearcher, (DisciplineResearcher.discipline, DisciplineResearcher.researcher_id),
             None if keys is None else typed, rows)
    by_main: dict[int, list[int]] = defaultdict(list)
    for researcher, main in (moved or {}).items():
        by_main[main].append(researcher)
    for main, researchers in by_main.items():
        for chunk in batches(sorted(researchers)):
            session.execute(update(DisciplineResearcher).where(
                DisciplineResearcher.researcher_id.in_(chunk), DisciplineResearcher.institution_id != main)
                .values(institution_id=main))
    return len(rows)


def discipline_pairs(session: Session, keys: Iterable[str] | None) -> int:
    """Recompute DisciplinePair for these PAIR keys (``member|discipline a|discipline b``)."""
    counts = grouped(session, Figure.PAIR, keys)
    wanted = sorted(set(counts) if keys is None else set(keys))
    typed = [(int(m), a, b) for m, a, b in (parts_of(k, 3) for k in wanted)]
    rows = [{"institution_id": m, "discipline_a": a, "discipline_b": b, "works": counts[k][0]}
            for k, (m, a, b) in zip(wanted, typed, strict=True) if k in counts]
    _replace(session, DisciplinePair, (DisciplinePair.institution_id, DisciplinePair.discipline_a,
                                       DisciplinePair.discipline_b), None if keys is None else typed, rows)
    return len(rows)


def collaborations(session: Session, keys: Iterable[str] | None) -> int:
    """Recompute Collaboration for these member pairs (``a|b``, from CO_WORK and CO_RESEARCHER keys)."""
    works = grouped(session, Figure.CO_WORK, keys)
    people = grouped(session, Figure.CO_RESEARCHER, keys)
    wanted = sorted(set(works) | set(people) if keys is None else set(keys))
    typed = [(int(a), int(b)) for a, b in (parts_of(k, 2) for k in wanted)]
    rows = [{"institution_a": a, "institution_b": b, "works": works.get(k, (0, 0, 0))[0],
             "researchers": people.get(k, (0, 0, 0))[0]}
            for k, (a, b) in zip(wanted, typed, strict=True) if k in works or k in people]
    _replace(session, Collaboration, (Collaboration.institution_a, Collaboration.institution_b),
             None if keys is None else typed, rows)
    return len(rows)
