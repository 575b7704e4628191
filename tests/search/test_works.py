"""Search by work, on every backend: one hit per work with its copies, regrouping re-indexes, disciplines.

Records are grouped by the real grouping code (hub.works) and indexed through ``index_records``,
so the work key of each document comes from the database as in production.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.harvest.gather import HarvestSummary
from hub.models import WorkMember
from hub.pipeline.dispatch import follow
from hub.pipeline.graph import PipelineStage
from hub.pipeline.harvest import after_harvest
from hub.pipeline.index import index_records
from hub.pipeline.stages import regrouped
from hub.search import SearchRequest, search_backend
from hub.states import RunState
from hub.works.api import works_for
from hub.works.grouping import regroup
from tests.search.conftest import add_member, add_record

DOI = "10.5555/graphene.2019.1"


def Summary(changed_ids: list[int]) -> HarvestSummary:  # noqa: N802 - reads as the summary it makes
    """A harvest's summary that changed these records."""
    return HarvestSummary(0, None, RunState.SUCCEEDED, changed_ids=changed_ids)


def _group(hub, ids: list[int]) -> dict[int, int]:
    with hub.db.session() as session:
        regroup(session, ids)
    with hub.db.session() as session:
        return dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())


@pytest.fixture
def copies(search_hub):
    """One work held by three members (same DOI), and two other records; grouped and indexed."""
    hub = search_hub
    repos = [add_member(hub, slug, en, zh)[1] for slug, en, zh in (
        ("donghai", "Donghai University", "东海大学"), ("nanhu", "Nanhu Normal University", "南湖师范大学"),
        ("xiling", "Xiling University", "西岭大学"))]
    ids = {
        "a": add_record(hub, repos[0], 11, title="Graphene oxide membranes for desalination", doi=DOI, year=2019,
                        disciplines=["0805", "0817"]),
        "b": add_record(hub, repos[1], 12, title="Graphene oxide membranes for desalination", doi=DOI, year=2019,
                        disciplines=["0805"]),
        "c": add_record(hub, repos[2], 13, title="Graphene oxide membranes for desalination", doi=DOI, year=2019,
                        rtype="preprint", disciplines=["0805"]),
        "other": add_record(hub, repos[0], 14, title="Graphene transistors at low temperature", year=2021,
                            disciplines=["0809"]),
        "alone": add_record(hub, repos[1], 15, title="Tea culture in the Song dynasty", year=2010,
                            disciplines=["0602"]),
    }
    works = _group(hub, list(ids.values()))
    assert works[ids["a"]] == works[ids["b"]] == works[ids["c"]] != works[ids["other"]]
    index_records(hub, ids.values())
    return hub, search_backend(hub), ids, works


def test_a_work_held_by_three_members_is_one_hit_with_its_copies(copies):
    hub, backend, ids, works = copies
    result = backend.search(SearchRequest(q="graphene"))
    assert (result.total, result.records) == (2, 4)
    hit_ids = [h.id for h in result.hits]
    assert len(hit_ids) == 2 and ids["other"] in hit_ids
    work_hit = next(h for h in result.hits if h.id != ids["other"])
    assert work_hit.id in (ids["a"], ids["b"], ids["c"])
    assert work_hit.doc["work_id"] == f"w{works[ids['a']]}"
    with hub.db.session() as session:
        view = works_for(session, hit_ids)[work_hit.id]
    assert view.size == 3
    assert {c.institution_slug for c in view.copies} == {"donghai", "nanhu", "xiling"}
    assert view.copies[-1].record_id == ids["c"]  # the preprint last
    # facet counts stay per record: the work counts under each member holding it
    institutions = {v.value: v.count for v in result.facets["institution"]}
    assert institutions == {"donghai": 2, "nanhu": 1, "xiling": 1}


def test_paging_and_sorting_are_by_work(copies):
    _hub, backend, ids, _works = copies
    everything = backend.search(SearchRequest(size=100))
    assert (everything.total, everything.records) == (3, 5)
    first = backend.search(SearchRequest(size=2, sort="newest"))
    second = backend.search(SearchRequest(size=2, page=2, sort="newest"))
    assert first.pages == 2 and first.total == 3
    assert first.hits[0].id == ids["other"]  # 2021
    assert first.hits[1].id in (ids["a"], ids["b"], ids["c"])  # the work, once, from 2019
    assert [h.id for h in second.hits] == [ids["alone"]]  # 2010
    oldest = backend.search(SearchRequest(size=10, sort="oldest"))
    assert [h.id for h in oldest.hits][0] == ids["alone"] and len(oldest.hits) == 3
    narrowed = backend.search(SearchRequest(q="graphene", filters={"institution": ["nanhu"]}))
    assert [h.id for h in narrowed.hits] == [ids["b"]]  # the copy the filter leaves is the hit


def test_discipline_facet_counts_and_filter(copies):
    _hub, backend, ids, _works = copies
    result = backend.search(SearchRequest())
    assert {v.value: v.count for v in result.facets["discipline"]} == {"0805": 3, "0817": 1, "0809": 1, "0602": 1}
    narrowed = backend.search(SearchRequest(filters={"discipline": ["0809", "0602"]}))
    assert {h.id for h in narrowed.hits} == {ids["other"], ids["alone"]}
    chemistry = backend.search(SearchRequest(filters={"discipline": ["0817"]}))
    assert [h.id for h in chemistry.hits] == [ids["a"]] and chemistry.hits[0].doc["disciplines"] == ["0805", "0817"]


def test_regrouping_after_a_harvest_reindexes_the_records_that_moved(search_hub):
    hub = search_hub
    _, donghai = add_member(hub, "donghai", "Donghai University", "东海大学")
    _, nanhu = add_member(hub, "nanhu", "Nanhu Normal University", "南湖师范大学")
    first = add_record(hub, donghai, 21, title="Soil carbon in karst landscapes", doi="10.5555/karst.7")
    assert after_harvest(hub, Summary([first])).report(PipelineStage.INDEX)  # grouped alone, indexed
    backend = search_backend(hub)
    assert backend.get(first)["work_id"].startswith("w")
    # a later harvest of another member brings a copy: only the new record changed
    second = add_record(hub, nanhu, 22, title="Soil carbon in karst landscapes", doi="10.5555/karst.7")
    outcome = after_harvest(hub, Summary([second]))
    # the copy already indexed moved work too: indexed again, with the new record, in one index run
    assert outcome.report(PipelineStage.WORKS).records == sorted([first, second])
    index = outcome.report(PipelineStage.INDEX)
    assert (index.given, index.counts["indexed"]) == (2, 2), outcome.lines()
    with hub.db.session() as session:
        work = session.scalar(select(WorkMember.work_id).where(WorkMember.record_id == second))
    assert backend.get(first)["work_id"] == backend.get(second)["work_id"] == f"w{work}"
    result = backend.search(SearchRequest(q="karst"))
    assert (result.total, result.records, len(result.hits)) == (1, 2, 1)


def test_a_split_decision_reindexes_both_sides(copies):
    from hub.works.decisions import split

    hub, backend, ids, works = copies
    with hub.db.session() as session:
        report = split(session, works[ids["a"]], [ids["c"]], note="the preprint is another work")
    reports = {r.stage: r for r in follow(hub, regrouped(report))}
    assert set(reports) == {PipelineStage.INDEX, PipelineStage.SHOWCASE}  # the re-indexing, and the figures
    index = reports[PipelineStage.INDEX]
    assert index.counts["indexed"] == 3
    assert backend.get(ids["c"])["work_id"] != backend.get(ids["a"])["work_id"]
    assert backend.search(SearchRequest(q="graphene")).total == 3


def test_an_sqlite_index_written_before_works_gets_its_work_column(tmp_path):
    import sqlite3

    from hub.search.sqlite import SQLiteSearch

    url = f"sqlite:///{tmp_path / 'old.db'}"
    docs = [{"id": n, "version": "v", "title": f"Old record {n}", "year": 2000 + n, "work_id": "w1"} for n in (1, 2)]
    SQLiteSearch(url, {}).index_documents(docs)
    with sqlite3.connect(tmp_path / "old.db") as conn:  # the layout of an index built before work_id existed
        conn.execute("DROP INDEX docs_g1_work")
        conn.execute("ALTER TABLE docs_g1 DROP COLUMN work_id")
    backend = SQLiteSearch(url, {})
    result = backend.search(SearchRequest(q="old"))
    assert (result.total, result.records) == (2, 2)  # each old document a work of its own until re-indexed
    backend.index_documents(docs)
    assert backend.search(SearchRequest(q="old record")).total == 1
    backend.close()


def test_pages_skip_a_works_many_records_on_every_backend(search_url):
    """One work's records fill the first rows read for a page: the next works still come in order."""
    from hub.search import make_backend

    backend = make_backend({"SEARCH_URL": search_url, "SEARCH_MAX_RESULTS": 50})
    docs = [{"id": n, "version": "v", "title": f"Many copies {n}", "year": 2020, "date_sort": f"2020-01-0{n}",
             "work_id": "w1"} for n in range(1, 6)]
    docs += [{"id": 6, "version": "v", "title": "Second work", "year": 2010, "date_sort": "2010-01-01", "work_id": "w2"},
             {"id": 7, "version": "v", "title": "Third work", "year": 2005, "date_sort": "2005-01-01", "work_id": "w3"}]
    try:
        backend.index_documents(docs)
        backend.refresh()
        pages = [backend.search(SearchRequest(sort="newest", page=p, size=1)) for p in (1, 2, 3)]
        assert [[h.id for h in r.hits] for r in pages] == [[5], [6], [7]]
        assert (pages[1].total, pages[1].records) == (3, 7)
        assert [h.id for h in backend.search(SearchRequest(sort="newest", size=2)).hits] == [5, 6]
    finally:
        backend.drop()
        backend.close()
