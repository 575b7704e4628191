"""Works and disciplines on the portal and in the API: one result per work with its copies, the record's
other copies and versions, the discipline facet and browse page, and the documented API answers."""

from __future__ import annotations

import re

import pytest

from hub.pipeline.index import index_records
from hub.works.grouping import regroup
from tests.search.conftest import add_member, add_record, attach_text
from tests.web.test_api import check

DOI = "10.5555/karst.2018.3"
TITLE = "Soil carbon in karst landscapes"
PUBLISHED, SUBMITTED = "info:eu-repo/semantics/publishedVersion", "info:eu-repo/semantics/submittedVersion"


@pytest.fixture
def shared(hub):
    """One work held by three members (the third copy a preprint), one record of its own; grouped, indexed."""
    repos = [add_member(hub, slug, en, zh)[1] for slug, en, zh in (
        ("donghai", "Donghai University", "东海大学"), ("nanhu", "Nanhu Normal University", "南湖师范大学"),
        ("xiling", "Xiling University", "西岭大学"))]
    ids = {
        "published": add_record(hub, repos[0], 31, title=TITLE, doi=DOI, year=2018, types=[PUBLISHED],
                                disciplines=["0713", "0903"]),
        "copy": add_record(hub, repos[1], 32, title=TITLE, doi=DOI, year=2018, types=[PUBLISHED],
                           disciplines=["0713"]),
        "preprint": add_record(hub, repos[2], 33, title=TITLE, doi=DOI, year=2017, types=[SUBMITTED],
                               disciplines=["0713"]),
        "alone": add_record(hub, repos[1], 34, title="Karst springs of Guizhou", year=2020, disciplines=["0709"]),
    }
    attach_text(hub, ids["copy"], "Soil organic carbon measured in karst.")
    with hub.db.session() as session:
        regroup(session, list(ids.values()))
    index_records(hub, ids.values())
    return ids


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def test_search_shows_one_result_per_work_with_its_copies(client, shared):
    page = _text(client.get("/search?q=karst&lang=zh"))
    assert len(re.findall(r'<li class="result">', page)) == 2
    copies = re.search(r'<p class="copies"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "3 个副本：" in copies
    for name, key in (("东海大学", "published"), ("南湖师范大学", "copy"), ("西岭大学", "preprint")):
        assert re.search(rf'href="/records/{shared[key]}"[^>]*>{name}</a>', copies), name
    assert "预印本" in copies  # the preprint copy says so
    assert "共 4 条记录" in page  # the records behind the two works
    english = _text(client.get("/search?q=karst&lang=en"))
    assert "3 copies:" in english and "Donghai University</a>" in english


def test_record_page_lists_other_copies_with_version_institution_and_full_text(client, shared):
    page = _text(client.get(f"/records/{shared['published']}?lang=en"))
    section = re.search(r'<section aria-labelledby="h-versions".*?</section>', page, re.S).group(0)
    assert "Other copies and versions" in section and "Other versions (same DOI)" not in page
    assert f'href="/records/{shared["copy"]}"' in section and f'href="/records/{shared["preprint"]}"' in section
    assert f'href="/records/{shared["published"]}"' not in section
    assert "Nanhu Normal University" in section and "Xiling University" in section
    assert "preprint" in section and section.count("Full text") == 1 and "Metadata only" in section
    zh = _text(client.get(f"/records/{shared['alone']}?lang=zh"))
    assert "其他副本与版本" in zh and "成员机构没有收藏该作品的其他副本或版本。" in zh


def test_discipline_facet_labels_filter_and_browse_page(client, shared):
    zh = _text(client.get("/search?lang=zh"))
    assert re.search(r'data-facet="discipline">生态学</a> <span class="count">3</span>', zh)
    en = _text(client.get("/search?lang=en"))
    assert re.search(r'data-facet="discipline">Ecology</a> <span class="count">3</span>', en)
    assert 'href="/search?discipline=0709"' in en
    geology = _text(client.get("/search?discipline=0709&lang=en"))
    assert "Karst springs of Guizhou" in geology and TITLE not in geology
    assert "Geology" in geology and "Remove filter" in geology  # the chip, labelled
    browse = _text(client.get("/browse/discipline?lang=zh"))
    assert re.search(r'<h2 id="cat-07">理学</h2>', browse) and re.search(r'<h2 id="cat-09">农学</h2>', browse)
    assert 'href="/search?discipline=0903">农业资源与环境</a>' in browse
    assert "按学科" in _text(client.get("/browse/?lang=zh"))


@pytest.fixture
def api(client, shared):
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:chair-api", Resource.from_contents(spec, default_specification=DRAFT202012))
    return client, spec, registry, shared


def test_api_search_answers_per_work_with_copies(api):
    ids = api[3]
    body = check(api, "/api/v1/search?q=karst")
    assert (body["total"], body["records"], len(body["hits"])) == (2, 4, 2)
    work_hit = next(h for h in body["hits"] if h["id"] != ids["alone"])
    work = work_hit["work"]
    assert work["size"] == 3 and work["doi"] == DOI
    assert [c["institution"] for c in work["copies"]][-1] == "xiling"
    assert {c["record_id"] for c in work["copies"]} == {ids["published"], ids["copy"], ids["preprint"]}
    assert work_hit["document"]["work_id"] == f"w{work['id']}"
    alone = next(h for h in body["hits"] if h["id"] == ids["alone"])
    assert alone["work"]["size"] == 1
    facets = check(api, "/api/v1/search?discipline=0713")["facets"]
    assert {f["value"]: f["count"] for f in facets["discipline"]} == {"0713": 3, "0903": 1}


def test_api_record_has_its_work_and_relations(api):
    ids = api[3]
    body = check(api, f"/api/v1/records/{ids['preprint']}")
    assert body["work"]["size"] == 3
    relations = {r["record_id"]: r["type"] for r in body["relations"]}
    assert relations == {ids["published"]: "IsVersionOf", ids["copy"]: "IsVersionOf"}
    published = check(api, f"/api/v1/records/{ids['published']}")
    assert published["work"] == body["work"]
    assert {r["record_id"]: r["type"] for r in published["relations"]} == {ids["copy"]: "IsIdenticalTo",
                                                                          ids["preprint"]: "HasVersion"}
    assert check(api, f"/api/v1/records/{ids['alone']}")["relations"] == []
