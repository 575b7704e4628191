"""The showcase's figures read from the aggregate tables: overview, one discipline, collaboration, a member."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.models.showcase import DisciplineYear
from hub.showcase import figures
from tests.showcase.showcase_seed import seed_network


@pytest.fixture
def seeded(hub):
    return hub, seed_network(hub)


def test_codes_are_checked_malformed_and_unknown_apart():
    assert figures.parse_code("0812") == "0812"
    for bad in ("812", "08", "0812x", "abcd", "", "08120"):
        with pytest.raises(figures.MalformedCode):
            figures.parse_code(bad)
    with pytest.raises(figures.UnknownDiscipline):
        figures.parse_code("0899")


def test_growth_compares_windows_and_reference_year_skips_the_current_one(hub):
    g = figures.growth({2014: 1, 2017: 2, 2018: 3, 2019: 4, 2020: 9}, 2020)
    assert (g.recent, g.previous) == (16, 2) and g.change == 7.0  # 2018-2020 against 2015-2017
    assert figures.growth({2020: 3}, 2020).change is None
    with hub.db.session() as session:
        assert figures.reference_year(session, datetime(2026, 5, 1, tzinfo=UTC)) == 2025  # nothing yet
        session.add(DisciplineYear(discipline="0812", institution_id=0, year=2026, records=5))
        session.add(DisciplineYear(discipline="0812", institution_id=0, year=2021, records=1))
        session.flush()
        assert figures.reference_year(session, datetime(2026, 5, 1, tzinfo=UTC)) == 2021


def test_overview_groups_disciplines_under_categories_with_members_and_shares(seeded):
    hub, ids = seeded
    with hub.db.session() as session:
        view = figures.overview(session)
    assert [c.code for c in view.categories] == ["05", "07", "08", "12"]
    rows = {d.code: d for d in view.disciplines}
    cs = rows["0812"]
    assert cs.output.records == 8 and cs.members == 3
    assert cs.output.oa_share.part == 3 and cs.output.fulltext_share.part == 1
    assert cs.output.by_year == {2016: 1, 2018: 2, 2019: 3, 2020: 2}
    assert view.year == 2020 and (cs.growth.recent, cs.growth.previous) == (7, 1)
    assert rows["0701"].members == 3 and rows["0701"].output.records == 3
    assert rows["0501"].output.by_year == {0: 1} and rows["0501"].output.years() == []


def test_one_discipline_by_member_year_researchers_subjects(seeded):
    hub, ids = seeded
    with hub.db.session() as session:
        detail = figures.discipline(session, "0812")
    assert [m.member.slug for m in detail.members] == ["pku", "fdu", "zju"]
    pku = detail.members[0]
    assert pku.output.by_year == {2016: 1, 2019: 3, 2020: 1} and pku.output.oa_share.ratio == pytest.approx(0.4)
    assert detail.years == [2016, 2018, 2019, 2020]
    assert [(r.display("zh"), r.display("en"), r.records) for r in detail.researchers] == [
        ("王伟", "Wang, Wei", 4), ("Li, Na", "Li, Na", 2)]
    assert detail.researchers[1].member.slug == "fdu"
    assert detail.subjects == [("机器学习", 2), ("图论", 1), ("数据库", 1)]
    with hub.db.session() as session:
        empty = figures.discipline(session, "0101")  # in the catalogue, no records yet
        assert empty.members == [] and empty.network.records == 0
        with pytest.raises(figures.UnknownDiscipline):
            figures.discipline(session, "0199")


def test_collaboration_network_matrix_meeting_and_crossing(seeded):
    hub, ids = seeded
    with hub.db.session() as session:
        net = figures.collaboration(session)
        pku = figures.collaboration(session, figures.member_by_slug(session, "pku"))
    assert [(p.a.slug, p.b.slug, p.works, p.researchers) for p in net.pairs] == [
        ("pku", "fdu", 1, 1), ("fdu", "zju", 1, 0)]
    assert [m.slug for m in net.nodes] == ["fdu", "pku", "zju"]
    matrix = net.matrix()
    assert [row.slug for row, _ in matrix] == ["fdu", "pku", "zju"]
    assert [c.weight if c else None for c in matrix[0][1]] == [None, 2, 1]
    assert net.strongest == 2
    assert [(row.slug, len(cells)) for row, cells in net.matrix(2)] == [("fdu", 2), ("pku", 2)]  # the most linked
    assert [(m.a, m.b, m.works) for m in net.meeting] == [
        ("0701", "0812", 2), ("0701", "1201", 1), ("0812", "1201", 1)]
    assert [(w.title, w.breadth) for w in net.crossing] == [("跨学科", 3), ("C", 2)]  # work 70 once
    assert [p.other(ids["pku"]).slug for p in pku.pairs] == ["fdu"]
    assert [(m.a, m.b, m.works) for m in pku.meeting] == [("0701", "0812", 1)]
    assert [w.record_id for w in pku.crossing] == [ids["records"][3]]


def test_member_showcase(seeded):
    hub, ids = seeded
    with hub.db.session() as session:
        fdu = figures.member_showcase(session, figures.member_by_slug(session, "fdu"))
        assert figures.member_by_slug(session, "nobody") is None
    assert [(d.code, d.output.records) for d in fdu.disciplines] == [("0812", 2), ("0701", 1), ("1201", 1)]
    assert [r.display("en") for r in fdu.researchers] == ["Li, Na"]
    assert [(p.other(ids["fdu"]).slug, p.weight) for p in fdu.partners] == [("pku", 2), ("zju", 1)]
    assert fdu.open_access.part == 1 and fdu.open_access.whole == 4
