"""The interactive API reference at /api/v1/docs: made on the server from the OpenAPI document,
with a "try it" form per GET operation sent by the theme's script (checked in Chromium)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from lxml import html

from hub.pipeline.index import index_records
from hub.web.api_docs import description_parts, operations, type_name
from hub.web.openapi import document
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record


@pytest.fixture
def records(hub) -> list[int]:
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    ids = [add_record(hub, pku, n, title=f"机器学习 paper {n}", year=2010 + n) for n in range(1, 5)]
    index_records(hub, ids)
    return ids


def docs_page(client, lang: str = "en") -> html.HtmlElement:
    response = client.get(f"/api/v1/docs?lang={lang}")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    return html.fromstring(response.get_data(as_text=True))


def test_every_operation_and_schema_of_the_document_is_on_the_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = docs_page(client)
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            section = page.get_element_by_id(f"op-{operation['operationId']}")
            assert section.xpath("string(.//h2)").split() == [method.upper(), path]
            rows = {row.xpath("string(td[1]/code)") for row in section.xpath(".//table[caption='Parameters']/tbody/tr")}
            assert rows == {p["name"] for p in operation.get("parameters", [])}
            assert set(section.xpath(".//table[caption='Responses']/tbody/tr/td[1]/text()")) == set(operation["responses"])
            if method != "get":  # only reads have a "try it" form
                continue
            form = section.xpath(".//form[@class='try-it']")[0]
            assert form.get("data-path") == path and form.get("data-base") == "/api/v1"
            assert {f.get("name") for f in form.xpath(".//input | .//select")} == rows
    for name in spec["components"]["schemas"]:
        assert page.get_element_by_id(f"schema-{name}") is not None
    assert page.xpath("//a[@id='openapi-link']/@href") == ["/api/v1/openapi.json"]


def test_the_page_needs_nothing_from_elsewhere_and_nothing_inline(client):
    page = docs_page(client)
    scripts = page.xpath("//script")
    assert [s.get("src") for s in scripts] == ["/static/api-docs.js"] and not any(s.text for s in scripts)
    assert not page.xpath("//*[@style] | //style")
    for url in page.xpath("//script/@src | //link/@href"):
        assert url.startswith("/"), url
    assert client.get("/static/api-docs.js").status_code == 200
    assert client.get("/static/css/api-docs.css").status_code == 200


def test_forms_without_path_parameters_work_without_script(client, records):
    """A form's plain submission (every field, empty ones too) is a valid request of the list."""
    page = docs_page(client)
    form = page.get_element_by_id("op-listRecords").xpath(".//form")[0]
    assert form.get("action") == "/api/v1/records" and form.get("method") == "get"
    fields = {f.get("name"): "" for f in form.xpath(".//input | .//select")}
    body = client.get(form.get("action"), query_string={**fields, "per_page": "2"}).get_json()
    assert len(body["items"]) == 2 and body["total"] == 4
    record = page.get_element_by_id("op-getRecord").xpath(".//form")[0]
    assert record.get("data-needs-script") == "true"


def test_the_page_is_in_both_languages(client):
    assert docs_page(client, "zh").xpath("string(//h1)") == "API 参考"
    assert docs_page(client, "en").xpath("string(//h1)") == "API reference"


def test_helpers_name_types_and_split_code():
    assert type_name({"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}) == "Hit[]"
    assert type_name({"type": ["integer", "null"]}) == "integer | null"
    assert type_name({"anyOf": [{"$ref": "#/x/Work"}, {"type": "null"}]}) == "Work | null"
    assert description_parts("use `page` and `per_page`.") == [(False, "use "), (True, "page"), (False, " and "),
                                                               (True, "per_page"), (False, ".")]
    ops = operations(document("https://hub.example.org/api/v1"))
    assert [o.id for o in ops if o.has_path_parameters] == ["getRecord", "getInstitution", "getResearcher", "getDiscipline",
                                                            "harvestRepository", "pauseRepository", "resumeRepository",
                                                            "getQualityReport"]


@pytest.fixture
def live(app, records) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_try_it_in_chromium(live, records):
    with chromium_page(height=1000) as page:
        page.goto(live + "/api/v1/docs?lang=en")
        form = page.locator("#op-listRecords form.try-it")
        form.locator("input[name=per_page]").fill("2")
        form.locator("select[name=deleted]").select_option("true")
        form.locator("button[type=submit]").click()
        result = form.locator(".try-body")
        result.wait_for(state="visible")
        assert form.locator(".try-status").inner_text().startswith("200")
        answer = json.loads(result.inner_text())
        assert [r["id"] for r in answer["items"]] == records[:2] and answer["total"] == 4
        assert "per_page=2" in form.locator(".try-url").inner_text()
        assert "机器学习" in result.inner_text()  # UTF-8 JSON shown as sent
        one = page.locator("#op-getRecord form.try-it")
        one.locator("input[name=id]").fill(str(records[1]))
        one.locator("button[type=submit]").click()
        one.locator(".try-body").wait_for(state="visible")
        assert json.loads(one.locator(".try-body").inner_text())["id"] == records[1]
        assert one.locator(".try-url").inner_text() == f"/api/v1/records/{records[1]}"
        page.locator("#op-getRecord").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
        missing = page.locator("#op-getInstitution form.try-it")
        missing.locator("input[name=slug]").fill("nobody <b>")
        missing.locator("button[type=submit]").click()
        missing.locator(".try-body").wait_for(state="visible")
        assert missing.locator(".try-status").inner_text().startswith("404")
        assert json.loads(missing.locator(".try-body").inner_text())["error"] == "not_found"
