"""The showcase's JSON API (/api/v1/disciplines, /api/v1/disciplines/<code>, /api/v1/collaboration):
real answers validated against the OpenAPI document's schemas, bad input answered as JSON 400/404."""

from __future__ import annotations

import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.showcase.showcase_seed import seed_network
from tests.web.test_api import check


@pytest.fixture
def api(hub, client):
    ids = seed_network(hub)
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:chair-api", Resource.from_contents(spec, default_specification=DRAFT202012))
    return client, spec, registry, ids


def test_showcase_paths_are_documented(api):
    _client, spec, _registry, _ids = api
    for path in ("/disciplines", "/disciplines/{code}", "/collaboration"):
        assert path in spec["paths"], path
    assert {"400", "404"} <= set(spec["paths"]["/disciplines/{code}"]["get"]["responses"])


def test_discipline_list_pages_like_every_list(api):
    body = check(api, "/api/v1/disciplines")
    assert [d["code"] for d in body["items"]] == ["0501", "0701", "0812", "1201"]
    cs = body["items"][2]
    assert cs["name_zh"] == "计算机科学与技术" and cs["category"] == {"code": "08", "name_zh": "工学",
                                                                 "name_en": "Engineering"}
    assert (cs["records"], cs["members"], cs["open_access"], cs["fulltext"]) == (8, 3, 3, 1)
    assert cs["growth"] == {"year": 2020, "window": 3, "recent": 7, "previous": 1, "change": 6.0}
    assert cs["page"].endswith("/disciplines/0812")
    page = check(api, "/api/v1/disciplines?per_page=2&page=2")
    assert [d["code"] for d in page["items"]] == ["0812", "1201"] and "prev" in page["links"]
    assert check(api, "/api/v1/disciplines?per_page=0", 400)["error"] == "bad_request"


def test_one_discipline(api):
    body = check(api, "/api/v1/disciplines/0812")
    assert body["records"] == 8 and body["by_year"][0] == {"year": 2016, "records": 1}
    pku = body["members"][0]
    assert pku["institution"]["slug"] == "pku" and pku["by_year"] == [
        {"year": 2016, "records": 1}, {"year": 2019, "records": 3}, {"year": 2020, "records": 1}]
    assert [r["name_latin"] for r in body["researchers"]] == ["Wang, Wei", "Li, Na"]
    assert body["subjects"][0] == {"subject": "机器学习", "records": 2}
    assert body["csv"].endswith("/disciplines/0812.csv")
    assert check(api, "/api/v1/disciplines/0501")["year_unknown"] == 1


@pytest.mark.parametrize(("path", "status"), [("/api/v1/disciplines/08", 400), ("/api/v1/disciplines/abcd", 400),
                                              ("/api/v1/disciplines/0899", 404),
                                              ("/api/v1/collaboration?institution=nobody", 404),
                                              ("/api/v1/collaboration?institution=" + "x" * 80, 400)])
def test_bad_input_is_json(api, path, status):
    body = check(api, path, status)
    assert body["error"] == {400: "bad_request", 404: "not_found"}[status] and body["message"]


def test_collaboration_network_and_one_member(api):
    body = check(api, "/api/v1/collaboration")
    assert body["institution"] is None
    assert [(p["a"]["slug"], p["b"]["slug"], p["works"], p["researchers"]) for p in body["items"]] == [
        ("pku", "fdu", 1, 1), ("fdu", "zju", 1, 0)]
    assert body["meeting"][0]["works"] == 2 and body["meeting"][0]["a"]["code"] == "0701"
    assert [w["title"] for w in body["crossing"]] == ["跨学科", "C"]
    one = check(api, "/api/v1/collaboration?institution=zju")
    assert one["institution"]["slug"] == "zju" and [p["a"]["slug"] for p in one["items"]] == ["fdu"]
    assert [len(w["disciplines"]) for w in one["crossing"]] == [3]


def test_collaboration_pages_its_pairs(api):
    first = check(api, "/api/v1/collaboration?per_page=1")
    assert first["total"] == 2 and first["pages"] == 2 and len(first["items"]) == 1
    assert first["meeting"] and first["crossing"]  # beside every page of pairs
    second = check(api, "/api/v1" + first["links"]["next"].split("/api/v1", 1)[1])
    assert [p["b"]["slug"] for p in second["items"]] == ["zju"] and "next" not in second["links"]
    one = check(api, "/api/v1/collaboration?institution=pku&per_page=1")
    assert "institution=pku" in one["links"]["self"] and one["total"] == 1
    assert check(api, "/api/v1/collaboration?page=0", 400)["error"] == "bad_request"
