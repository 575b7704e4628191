"""/api/v1/researchers and /api/v1/researchers/<id>: answers validated against the OpenAPI document's
own schemas (as tests/web/test_api.py does), the evidence of each link, paging and bad input."""

from __future__ import annotations

from urllib.parse import urlsplit

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.people.test_profiles import build_people
from tests.web.test_api import check


@pytest.fixture
def api(hub, client):
    people = build_people(hub)
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:chair-api", Resource.from_contents(spec, default_specification=DRAFT202012))
    return client, spec, registry, people


def test_the_document_lists_and_validates_the_researcher_endpoints(api):
    _client, spec, _registry, _people = api
    assert {"/researchers", "/researchers/{id}"} <= set(spec["paths"])
    assert spec["paths"]["/researchers"]["get"]["operationId"] == "listResearchers"
    for name in ("Researcher", "ResearcherList", "ResearcherSummary", "ResearcherEvidence"):
        jsonschema.Draft202012Validator.check_schema(spec["components"]["schemas"][name])


def test_list_search_member_and_paging(api):
    people = api[3]
    body = check(api, "/api/v1/researchers")
    assert [r["id"] for r in body["items"]] == [people.wang, people.li, people.zhang, people.namesake]
    assert body["items"][0]["institution"]["slug"] == "pku" and body["items"][0]["disciplines"][0]["code"] == "0812"
    latin = check(api, "/api/v1/researchers?q=wang%20wei&institution=fudan")
    assert [r["id"] for r in latin["items"]] == [people.namesake] and latin["total"] == 1
    assert "institution=fudan" in latin["links"]["self"] and "q=wang+wei" in latin["links"]["self"]
    han = check(api, "/api/v1/researchers?q=王伟")
    assert [r["name"] for r in han["items"]] == ["王伟"]
    first = check(api, "/api/v1/researchers?per_page=3")
    assert first["pages"] == 2 and len(first["items"]) == 3
    nxt = urlsplit(first["links"]["next"])
    second = check(api, f"{nxt.path}?{nxt.query}")
    assert [r["id"] for r in second["items"]] == [people.namesake] and "next" not in second["links"]


def test_one_researcher_with_evidence(api):
    people = api[3]
    body = check(api, f"/api/v1/researchers/{people.wang}")
    assert body["orcid"] == "0000-0002-1825-0097" and body["by_year"] == [{"year": 2019, "records": 1},
                                                                         {"year": 2020, "records": 2}]
    assert body["undated"] == 1 and [n["name"] for n in body["names"]] == ["王伟", "Wang, Wei"]
    orcid = [e for e in body["evidence"] if e["kinds"] == ["orcid"]]
    assert orcid and orcid[0]["score"] == 1.0 and orcid[0]["with"] == f"{people.records['r1']}:王伟"
    assert any(e["evidence"] == ["pinyin", "member", "coauthors:1"] for e in body["evidence"])
    scopes = {c["name"]: c["scope"] for c in body["coauthors"]}
    assert scopes == {"李娜": "inside", "张三": "across"}
    assert [y["year"] for y in body["timeline"]] == [2020, 2019, None]


def test_bad_input_is_a_json_error(api):
    assert check(api, "/api/v1/researchers/999999", 404)["error"] == "not_found"
    assert check(api, "/api/v1/researchers?institution=nowhere", 404)["error"] == "not_found"
    assert check(api, "/api/v1/researchers?per_page=0", 400)["error"] == "bad_request"
    assert check(api, "/api/v1/researchers?page=x", 400)["error"] == "bad_request"
    assert check(api, "/api/v1/researchers?q=" + "王" * 101, 400)["error"] == "bad_request"
    client = api[0]
    resp = client.get("/api/v1/researchers/abc")
    assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"
