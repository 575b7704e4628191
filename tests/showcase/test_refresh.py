"""The showcase stage's refresh: facts of the records given, and exactly the figures they touch."""

from __future__ import annotations

from sqlalchemy import select

from hub.models.showcase import (
    NETWORK,
    Collaboration,
    DisciplinePair,
    DisciplineResearcher,
    DisciplineSubject,
    DisciplineYear,
    RecordFacts,
)
from hub.showcase.rebuild import rebuild_all
from hub.showcase.refresh import refresh
from tests.showcase.conftest import snapshot


def _years(session, discipline):
    return {(r.institution_id, r.year): (r.records, r.open_access, r.fulltext) for r in session.scalars(
        select(DisciplineYear).where(DisciplineYear.discipline == discipline))}


def test_refresh_counts_records_by_discipline_member_and_year(hub, network):
    a, b = network.member("donghai"), network.member("xibei")
    ids = [network.record("donghai", disciplines=("0812", "0701"), year=2020, open_access=True),
           network.record("donghai", disciplines=("0812",), year=2020, fulltext=True),
           network.record("xibei", disciplines=("0812",), year=2021),
           network.record("xibei", disciplines=("08",), year=2021)]  # a category alone: no discipline
    with hub.db.session() as session:
        result = refresh(session, ids)
    assert result.counts["facts"] == 4 and result.line().startswith("showcase: 4 records, 4 with facts")
    with hub.db.session() as session:
        assert _years(session, "0812") == {(a, 2020): (2, 2, 1), (b, 2021): (1, 0, 0), (NETWORK, 2020): (2, 2, 1),
                                           (NETWORK, 2021): (1, 0, 0)}
        assert _years(session, "0701") == {(a, 2020): (1, 1, 0), (NETWORK, 2020): (1, 1, 0)}
        assert session.get(RecordFacts, ids[3]).disciplines == [] and session.get(RecordFacts, ids[3]).breadth == 0
        pairs = {(p.institution_id, p.discipline_a, p.discipline_b): p.works for p in session.scalars(
            select(DisciplinePair))}
        assert pairs == {(a, "0701", "0812"): 1, (NETWORK, "0701", "0812"): 1}


def test_a_deleted_record_leaves_the_figures(hub, network):
    network.member("donghai")
    first = network.record("donghai", subjects=("机器学习",))
    second = network.record("donghai", subjects=("机器学习",))
    with hub.db.session() as session:
        refresh(session, [first, second])
    network.update(second, deleted=True)
    with hub.db.session() as session:
        result = refresh(session, [second])
    assert result.counts["removed"] == 1
    with hub.db.session() as session:
        assert session.get(RecordFacts, second) is None
        assert [(s.subject, s.records) for s in session.scalars(select(DisciplineSubject))] == [("机器学习", 1)]
        assert snapshot(session) == _rebuilt(hub)


def test_works_and_researchers_across_members_make_collaboration(hub, network):
    a, b, c = network.member("donghai"), network.member("xibei"), network.member("nanhu")
    x = network.record("donghai", disciplines=("0812",))
    y = network.record("xibei", disciplines=("0701",))
    z = network.record("nanhu", disciplines=("0812",))
    network.work([x, y])
    wang = network.researcher("王伟")
    network.author(x, wang)
    network.author(z, wang)
    with hub.db.session() as session:
        refresh(session, [x, y, z])
    with hub.db.session() as session:
        collab = {(r.institution_a, r.institution_b): (r.works, r.researchers) for r in session.scalars(
            select(Collaboration))}
        # 王伟's main member is donghai (one record at each, the smaller id wins); the work x+y: donghai and
        # xibei (王伟 is donghai's); z at nanhu written by donghai's 王伟: donghai and nanhu; 王伟 at both
        assert collab == {(a, b): (1, 0), (a, c): (1, 1)}
        researcher = {(r.discipline, r.researcher_id): (r.records, r.institution_id)
                      for r in session.scalars(select(DisciplineResearcher))}
        assert researcher == {("0812", wang): (2, a)}
        pairs = {(p.institution_id, p.discipline_a, p.discipline_b) for p in session.scalars(select(DisciplinePair))}
        assert pairs == {(NETWORK, "0701", "0812")}  # the work meets both disciplines network-wide only
        assert snapshot(session) == _rebuilt(hub)


def _rebuilt(hub):
    """The showcase tables as a rebuild from scratch makes them (in a transaction rolled back)."""
    session = hub.db.sessionmaker()
    try:
        rebuild_all(session)
        return snapshot(session)
    finally:
        session.rollback()
        session.close()


def test_a_researcher_removed_before_all_its_records_are_refreshed_is_no_failure(hub, network):
    from hub.models import Researcher

    network.member("donghai")
    first, second = network.record("donghai"), network.record("donghai")
    wang = network.researcher("王伟")
    network.author(first, wang)
    network.author(second, wang)
    with hub.db.session() as session:
        refresh(session, [first, second])
        assert session.get(DisciplineResearcher, ("0812", wang)).records == 2
        session.delete(session.get(Researcher, wang))  # the people stage merged it away (authorships unlinked)
    with hub.db.session() as session:
        refresh(session, [first])  # second's facts still name it: its row cannot be written
        assert session.get(DisciplineResearcher, ("0812", wang)) is None
    with hub.db.session() as session:
        refresh(session, [second])
    assert _snapshot(hub) == _rebuilt(hub)


def _snapshot(hub):
    with hub.db.session() as session:
        return snapshot(session)
