"""The JSON API: real responses validated against the schemas of its own OpenAPI document."""

from __future__ import annotations

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub.search.indexing import index_records
from tests.search.conftest import add_member, add_record


@pytest.fixture
def api(hub, client):
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    ids = [add_record(hub, pku, n, title=f"机器学习 paper {n}", year=2010 + n, doi=f"10.1/{n}") for n in range(1, 6)]
    ids.append(add_record(hub, pku, 9, title="gone", deleted=True))
    index_records(hub, ids)
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:chair-api", Resource.from_contents(spec, default_specification=DRAFT202012))
    return client, spec, registry, ids


def check(api, path: str, status: int = 200):
    """GET ``path``, check the status, CORS and that the body matches the documented response schema."""
    client, spec, registry, _ids = api
    resp = client.get(path, headers={"Origin": "https://elsewhere.example"})
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.headers["Access-Control-Allow-Origin"] in ("*", "https://elsewhere.example")
    template = _match(spec, path.split("?")[0].removeprefix("/api/v1"))
    schema = spec["paths"][template]["get"]["responses"][str(status)]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator({"$ref": "urn:chair-api" + schema["$ref"]}, registry=registry)
    validator.validate(resp.get_json())
    return resp.get_json()


def _match(spec, path: str) -> str:
    for template in spec["paths"]:
        parts, want = template.strip("/").split("/"), path.strip("/").split("/")
        if len(parts) == len(want) and all(p.startswith("{") or p == w for p, w in zip(parts, want, strict=True)):
            return template
    raise AssertionError(f"{path} is not documented")


def test_openapi_document_is_valid_3_1(api):
    _client, spec, _registry, _ids = api
    assert spec["openapi"] == "3.1.0"
    for schema in spec["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_search_with_facets_and_links(api):
    body = check(api, "/api/v1/search?q=机器学习&size=2&institution=pku")
    assert body["total"] == 5 and len(body["hits"]) == 2 and body["pages"] == 3
    assert "page=2" in body["links"]["next"] and "prev" not in body["links"]
    assert {f["value"] for f in body["facets"]["year"]} == {"2011", "2012", "2013", "2014", "2015"}
    assert "<mark>机器学习</mark>" in body["hits"][0]["highlights"]["title"][0]
    last = check(api, "/api/v1/search?q=机器学习&size=2&page=3&facets=false")
    assert len(last["hits"]) == 1 and "next" not in last["links"] and last["facets"] == {}


def test_errors_are_json_with_status(api):
    assert check(api, '/api/v1/search?q="open', 400)["message"].startswith("unbalanced quote")
    assert check(api, "/api/v1/search?colour=red", 200)["total"] == 5  # unknown arguments are ignored
    assert check(api, "/api/v1/records/99999", 404)["error"] == "not_found"
    assert check(api, "/api/v1/records?limit=0", 400)["error"] == "bad_request"
    assert check(api, "/api/v1/institutions/nobody", 404)["error"] == "not_found"


def test_records_keyset_paging_and_one_record(api):
    _client, _spec, _registry, ids = api
    first = check(api, "/api/v1/records?limit=2")
    assert [r["id"] for r in first["items"]] == ids[:2]
    second = check(api, first["links"]["next"].split("5000", 1)[1])
    assert [r["id"] for r in second["items"]] == ids[2:4]
    everything = check(api, "/api/v1/records?limit=100&deleted=true")
    assert len(everything["items"]) == 6 and "next" not in everything["links"]
    one = check(api, f"/api/v1/records/{ids[0]}")
    assert one["metadata"]["titles"][0]["value"] == "机器学习 paper 1" and one["institution"] == "pku"
    assert check(api, f"/api/v1/records/{ids[-1]}")["deleted"] is True


def test_institutions_and_repositories(api):
    items = check(api, "/api/v1/institutions")["items"]
    assert [(i["slug"], i["records"]) for i in items] == [("pku", 5)]
    one = check(api, "/api/v1/institutions/pku")
    assert one["name_zh"] == "北京大学" and len(one["repositories"]) == 1
    assert check(api, "/api/v1/repositories")["items"][0]["institution"] == "pku"
