"""The JSON API: real responses validated against the schemas of its own OpenAPI document."""

from __future__ import annotations

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub.pipeline.index import index_records
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
    second = check(api, _path(first["links"]["next"]))
    assert [r["id"] for r in second["items"]] == ids[2:4]
    assert "after=" in first["links"]["next"]  # a keyset: the last page costs what the first costs
    old_style = check(api, f"/api/v1/records?limit=2&after={ids[1]}")
    assert [r["id"] for r in old_style["items"]] == ids[2:4] and old_style["page"] is None
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


def _path(url: str) -> str:
    """The path and query of an absolute URL the API wrote (its base URL is the test config's)."""
    return "/api/" + url.split("/api/", 1)[1]


LISTS = ["/api/v1/records?deleted=true", "/api/v1/institutions", "/api/v1/repositories", "/api/v1/dumps",
         "/api/v1/search?q=paper"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_pages_the_same_way(api, hub, path):
    """page/per_page in; total, page, per_page, pages, links (self, first, last, next, prev) out;
    following links.next from the first page reads every item once."""
    from hub.exchange.dumps.build import build_dumps
    from hub.models import Repository
    from tests.search.conftest import add_member

    for n in range(3):  # more members and repositories, so that every list has pages of one
        add_member(hub, f"m{n}", f"Member {n}", f"成员{n}")
    with hub.db.session() as session:
        assert session.query(Repository).count() >= 4
    build_dumps(hub)
    joiner = "&" if "?" in path else "?"
    whole = check(api, f"{path}{joiner}per_page=100")
    key = "hits" if "/search" in path else "items"
    everything = whole[key]
    assert whole["total"] == len(everything) >= 3 and whole["pages"] == 1 and "next" not in whole["links"]
    first = check(api, f"{path}{joiner}per_page=1")
    assert (first["page"], first["per_page"], first["pages"], first["total"]) == (1, 1, len(everything), len(everything))
    assert "prev" not in first["links"] and "page=1" in first["links"]["first"]
    assert f"page={len(everything)}" in first["links"]["last"]
    seen, page = [], first
    while True:
        seen += page[key]
        if "next" not in page["links"]:
            break
        page = check(api, _path(page["links"]["next"]))
        assert "prev" in page["links"]
    assert [x.get("id", x.get("slug", x.get("name"))) for x in seen] == \
        [x.get("id", x.get("slug", x.get("name"))) for x in everything]
    second = check(api, f"{path}{joiner}per_page=1&page=2")
    assert second[key] == everything[1:2] and second["page"] == 2
    assert check(api, _path(second["links"]["prev"]))[key] == everything[:1]


def test_older_paging_parameters_still_work(api):
    assert check(api, "/api/v1/search?q=paper&size=2")["per_page"] == 2
    assert len(check(api, "/api/v1/search?q=paper&size=2")["hits"]) == 2
    assert len(check(api, "/api/v1/records?limit=3")["items"]) == 3
    assert check(api, "/api/v1/records?limit=3&per_page=1")["per_page"] == 1  # the new name wins


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=101", "per_page=1.5"])
@pytest.mark.parametrize("path", ["/api/v1/records", "/api/v1/institutions", "/api/v1/repositories",
                                  "/api/v1/dumps", "/api/v1/search"])
def test_bad_paging_is_a_json_400(api, path, query):
    body = check(api, f"{path}?{query}", 400)
    assert body["error"] == "bad_request" and ("page" in body["message"] or "size" in body["message"].lower())


def test_answers_are_utf8_json_without_escapes(api):
    client, *_ = api
    resp = client.get("/api/v1/institutions")
    assert resp.headers["Content-Type"].startswith("application/json")
    raw = resp.get_data()
    assert "北京大学".encode() in raw and b"\\u" not in raw
    assert "机器学习".encode() in client.get("/api/v1/records").get_data()


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/records/1/more", "/api/v2/records", "/api/",
                                  "/api/v1/records/abc"])
def test_unknown_api_paths_are_json_404(api, path):
    client, *_ = api
    resp = client.get(path)
    assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("application/json")
    assert resp.get_json()["error"] == "not_found" and resp.get_json()["message"]


def test_methods_the_api_does_not_take_are_json_405(api):
    client, *_ = api
    for method in ("post", "put", "delete", "patch"):
        resp = getattr(client, method)("/api/v1/records", json={"x": 1})
        assert resp.status_code == 405, method
        assert resp.get_json()["error"] == "method_not_allowed" and "GET" in resp.headers["Allow"]
    assert client.post("/api/v1/docs").get_json()["error"] == "method_not_allowed"
    portal = client.post("/")  # outside the API, errors keep their pages
    assert portal.status_code == 405 and not portal.headers["Content-Type"].startswith("application/json")


def test_the_openapi_document_explains_the_paging(api):
    _client, spec, _registry, _ids = api
    assert "links.next" in spec["info"]["description"] and "per_page" in spec["info"]["description"]
    for template, methods in ((t, m) for t, m in spec["paths"].items() if "get" in m):  # the token's POSTs page nothing
        schema = methods["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        required = spec["components"]["schemas"][schema.rsplit("/", 1)[1]].get("required", [])
        if "{" not in template:  # every list
            names = {p["name"] for p in methods["get"]["parameters"]}
            assert {"page", "per_page"} <= names, template
            assert {"total", "page", "per_page", "pages", "links"} <= set(required), template
