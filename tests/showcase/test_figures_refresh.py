"""The figures over the showcase stage's own aggregates: records harvested, indexed and refreshed
(hub.showcase.refresh), then each figure the pages link from agrees with the search it links to."""

from __future__ import annotations

from hub.pipeline.index import index_records
from hub.search import SearchRequest, search_backend
from hub.showcase import figures
from hub.showcase.refresh import refresh
from tests.search.conftest import add_member, add_record


def _count(hub, **filters: list[str]) -> int:
    return search_backend(hub).search(SearchRequest(filters=filters, size=1, facets=False)).records


def test_figures_after_refresh_agree_with_the_search_they_link_to(hub):
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    specs = [(pku, 2019, ["0812"]), (pku, 2019, ["0812", "0701"]), (pku, 2020, ["0812"]), (fdu, 2019, ["0812"]),
             (fdu, 2018, ["0701", "1201"]), (fdu, 2018, []), (pku, None, ["0501"])]
    ids = [add_record(hub, repo, n, title=f"r{n}", year=year, disciplines=codes)
           for n, (repo, year, codes) in enumerate(specs)]
    ids.append(add_record(hub, pku, 99, title="gone", year=2019, disciplines=["0812"], deleted=True))
    index_records(hub, ids)
    with hub.db.session() as session:
        refresh(session, ids)
    with hub.db.session() as session:
        view = figures.overview(session)
        detail = figures.discipline(session, "0812")
        fdu_showcase = figures.member_showcase(session, figures.member_by_slug(session, "fdu"))
        net = figures.collaboration(session)
    rows = {d.code: d for d in view.disciplines}
    assert set(rows) == {"0501", "0701", "0812", "1201"}
    assert rows["0812"].output.records == 4 == _count(hub, discipline=["0812"])
    assert rows["0812"].members == 2
    for m in detail.members:
        assert m.output.records == _count(hub, discipline=["0812"], institution=[m.member.slug])
        for year, n in m.output.years():
            assert n == _count(hub, discipline=["0812"], institution=[m.member.slug], year=[f"{year}-{year}"])
    assert [(d.code, d.output.records) for d in fdu_showcase.disciplines] == [("0701", 1), ("0812", 1), ("1201", 1)]
    assert [(m.a, m.b, m.works) for m in net.meeting] == [("0701", "0812", 1), ("0701", "1201", 1)]
    assert sorted(w.breadth for w in net.crossing) == [2, 2]
    assert rows["0501"].output.by_year.get(0) == 1  # no year: counted, not on the year axis
