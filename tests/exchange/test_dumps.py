"""Bulk dumps: lines equal to the API's records, incremental rebuilds, listings and downloads.

Two sample repositories of two members (a DSpace-style and an EPrints-style one, served on
loopback) are harvested for real; the dumps are built into a local object store whose files are
watched to tell a rewrite from a reuse, and once on each object store (the real S3 server too when
``CHAIR_TEST_STORAGE_URL`` names one), whose writes are counted where the store commits them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import traceback
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from hub.app import create_app
from hub.cli import cli
from hub.context import Hub
from hub.exchange.dumps.build import build_dumps
from hub.exchange.dumps.manifest import load_manifest
from hub.harvest.gather import harvest_repository
from hub.members import remove_institution
from hub.models import Record
from tests.harvest.conftest import register, site  # noqa: F401 - site: the sample server fixture
from tests.storage.backends import STORE_PARAMS, cleanup_store, store_url


def harvest(hub, repo_id, **kwargs):
    summary = harvest_repository(hub.db, hub.pm, hub.settings, repo_id, **kwargs)
    assert summary.state.value == "succeeded", summary.message
    return summary


@pytest.fixture
def members(hub, site):  # noqa: F811 - the imported fixture
    """Both sample repositories registered and harvested an hour ago: {member slug: (sample, repository id)}.

    (Parts younger than SETTLE are rewritten by every build: hub datestamps are in seconds.)"""
    found = {}
    for style in ("dspace", "eprints"):
        sample = site.repo(style)
        repo_id = register(hub, site.url, sample)
        harvest(hub, repo_id)
        found[sample.institution.slug] = (sample, repo_id)
    with hub.db.session() as session:
        for record in session.scalars(select(Record)):
            record.hub_datestamp -= timedelta(hours=1)
    return found


def objects(hub) -> Path:
    return Path(hub.settings["STORAGE_URL"].removeprefix("file://"))


def dump_files(hub) -> dict[str, tuple[int, int]]:
    """Every stored object under dumps/: key -> (inode, mtime) (a rewrite changes both)."""
    root = objects(hub)
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (root / "dumps").rglob("*") if p.is_file()}


def manifest(hub, name: str) -> dict:
    return json.loads((objects(hub) / "dumps" / f"{name}.json").read_text())


def api_records(client, institution: str = "") -> dict[int, dict]:
    """Every record the API lists (tombstones included), by id, following links.next."""
    found: dict[int, dict] = {}
    url = "/api/v1/records?limit=100&deleted=true" + (f"&institution={institution}" if institution else "")
    while url:
        body = client.get(url).get_json()
        found.update({item["id"]: item for item in body["items"]})
        url = body["links"].get("next", "").split("127.0.0.1:5000", 1)[-1] or None
    return found


def download(client, name: str):
    resp = client.get(f"/data/dumps/{name}.jsonl.gz")
    assert resp.status_code == 200, resp.status_code
    return resp


def dump_lines(client, name: str) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(download(client, name).get_data()).splitlines()]


def test_dump_lines_are_the_api_records_with_their_oai_identifiers(hub, client, members):
    build_dumps(hub)
    prefix = hub.settings["OAI_IDENTIFIER_PREFIX"]
    for name, institution in [("hub", ""), *((f"member-{slug}", slug) for slug in members)]:
        lines = dump_lines(client, name)
        api = api_records(client, institution)
        assert len(lines) == len({line["id"] for line in lines}) == len(api)
        for line in lines:
            assert line.pop("oai_identifier") == f"oai:{prefix}:{line['id']}"
            assert line == api[line["id"]]
        tombstones = [line for line in lines if line["deleted"]]
        assert tombstones and all(line["metadata"] == {} for line in tombstones)
    assert len(api_records(client)) == sum(sample.records for sample, _ in members.values())
    line = next(x for x in dump_lines(client, "hub") if x["deleted"])
    oai = client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={line['oai_identifier']}").get_data()
    assert b'status="deleted"' in oai and line["oai_identifier"].encode() in oai


def test_rebuild_after_nothing_changed_writes_nothing(hub, client, members):
    first = build_dumps(hub)
    assert first.parts_written == 2 and all(d.changed for d in first.dumps)
    before = dump_files(hub)
    again = build_dumps(hub)
    assert again.parts_written == 0 and again.parts_reused == 2
    assert not any(d.changed for d in again.dumps)
    assert dump_files(hub) == before  # not one object written again, not one added or removed
    assert not list((objects(hub) / ".tmp").glob("*"))


def test_a_harvest_changing_one_repository_rebuilds_only_its_part(hub, client, members):
    sample, repo_id = members["xiling"]
    build_dumps(hub)
    before = dump_files(hub)
    old_xiling = manifest(hub, "member-xiling")["parts"][0]["key"]
    donghai = manifest(hub, "member-donghai")["parts"][0]["key"]
    sample.revision = 1  # every touch_every-th record of the EPrints repository changes
    assert harvest(hub, repo_id, full=True).counts["updated"] > 0
    report = build_dumps(hub)
    assert report.parts_written == 1 and report.parts_reused == 1
    assert {d.name: d.changed for d in report.dumps} == {"member-donghai": False, "member-xiling": True,
                                                         "hub": True}
    after = dump_files(hub)
    new_xiling = manifest(hub, "member-xiling")["parts"][0]["key"]
    assert new_xiling != old_xiling and new_xiling not in before
    for key in (donghai, "dumps/member-donghai.json", old_xiling):  # kept as they were (the old part one generation)
        assert after[key] == before[key]
    assert [p["key"] for p in manifest(hub, "hub")["parts"]] == [donghai, new_xiling]
    lines = {x["id"]: x for x in dump_lines(client, "member-xiling")}
    for record_id, item in api_records(client, "xiling").items():
        lines[record_id].pop("oai_identifier")
        assert lines[record_id] == item
    build_dumps(hub)  # the next build drops the part no dump uses any more
    assert old_xiling not in dump_files(hub) and donghai in dump_files(hub)


def _schema_validator(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:chair-api", Resource.from_contents(spec, default_specification=DRAFT202012))
    schema = spec["paths"]["/dumps"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({"$ref": "urn:chair-api" + schema["$ref"]}, registry=registry)


def test_page_and_api_list_the_dumps_with_their_true_figures(hub, client, members):
    hub.configure(METADATA_LICENSE="CC-BY-4.0")
    build_dumps(hub)
    body = client.get("/api/v1/dumps").get_json()
    _schema_validator(client).validate(body)
    assert body["license"] == {"id": "CC-BY-4.0", "url": "https://spdx.org/licenses/CC-BY-4.0.html"}
    assert [d["name"] for d in body["items"]] == ["hub", "member-donghai", "member-xiling"]
    page_en = client.get("/data?lang=en").get_data(as_text=True)
    page_zh = client.get("/data?lang=zh").get_data(as_text=True)
    for item in body["items"]:
        data = download(client, item["name"]).get_data()
        lines = gzip.decompress(data).splitlines()
        assert item["size"] == len(data) and item["sha256"] == hashlib.sha256(data).hexdigest()
        assert item["records"] == len(lines) and item["deleted"] == sum(b'"deleted":true' in x for x in lines)
        assert item["url"].endswith(f"/data/dumps/{item['name']}.jsonl.gz")
        for page in (page_en, page_zh):
            assert f"/data/dumps/{item['name']}.jsonl.gz" in page and item["sha256"] in page
            assert f'data-records="{item["records"]}"' in page and f'data-size="{item["size"]}"' in page
    assert body["items"][0]["records"] == 500
    assert "Open data" in page_en and "Metadata licence" in page_en and "CC-BY-4.0" in page_en
    assert "开放数据" in page_zh and "元数据许可协议" in page_zh and "西岭" in page_zh
    assert "<script" not in page_en and "style=" not in page_en
    assert 'id="footer-data"' in client.get("/?lang=en").get_data(as_text=True)


def test_page_and_api_before_any_build(hub, client):
    body = client.get("/api/v1/dumps").get_json()
    _schema_validator(client).validate(body)
    assert body["license"] == {"id": "CC0-1.0", "url": "https://spdx.org/licenses/CC0-1.0.html"}
    assert body["items"] == [] and body["total"] == 0  # the API's one paging style: total, page, links
    assert "No dumps have been built yet." in client.get("/data?lang=en").get_data(as_text=True)


def test_download_is_the_stored_bytes_and_gunzips_to_json_lines(hub, client, members):
    build_dumps(hub)
    described = manifest(hub, "hub")
    stored = b"".join((objects(hub) / part["key"]).read_bytes() for part in described["parts"])
    resp = download(client, "hub")
    assert resp.get_data() == stored
    assert resp.headers["Content-Length"] == str(len(stored)) and resp.headers["Content-Type"] == "application/gzip"
    assert resp.headers["ETag"] == f'"{described["sha256"]}"'
    assert client.get("/data/dumps/hub.jsonl.gz", headers={"If-None-Match": resp.headers["ETag"]}).status_code == 304
    assert client.head("/data/dumps/hub.jsonl.gz").headers["Content-Length"] == str(len(stored))
    text = gzip.decompress(stored).decode("utf-8")
    assert text.endswith("\n") and all(json.loads(line)["id"] for line in text.splitlines())


def test_bad_dump_names_are_not_found(hub, client, members):
    build_dumps(hub)
    for path in ("/data/dumps/nothing.jsonl.gz", "/data/dumps/index.jsonl.gz", "/data/dumps/member-nobody.jsonl.gz",
                 "/data/dumps/hub.jsonl", "/data/dumps/..%2Fdumps%2Fhub.jsonl.gz", "/data/dumps/hub.json",
                 "/data/dumps/parts.jsonl.gz", "/data/dumps/member-%00.jsonl.gz", "/data/dumps/" + "x" * 300 + ".jsonl.gz"):
        assert client.get(path).status_code == 404, path


def test_a_member_that_left_loses_its_dump(hub, client, members):
    build_dumps(hub)
    with hub.db.session() as session:
        remove_institution(session, "xiling")
    report = build_dumps(hub)
    assert report.dumps_removed == ["member-xiling"]
    assert client.get("/data/dumps/member-xiling.jsonl.gz").status_code == 404
    assert [d["name"] for d in client.get("/api/v1/dumps").get_json()["items"]] == ["hub", "member-donghai"]
    assert {line["institution"] for line in dump_lines(client, "hub")} == {"donghai"}  # as the API hides it


def test_an_empty_hub_has_an_empty_valid_dump(hub, client):
    build_dumps(hub)
    data = download(client, "hub").get_data()
    assert data and gzip.decompress(data) == b""


def test_cli_builds_one_member_or_all(hub, client, members):
    runner = CliRunner()

    def chair(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
        if result.exc_info and not isinstance(result.exception, SystemExit):
            traceback.print_exception(*result.exc_info)
        assert result.exit_code == code, result.output
        return result.output

    one = json.loads(chair("dumps", "build", "--member", "donghai", "--json"))
    assert [d["name"] for d in one["dumps"]] == ["member-donghai"] and one["parts_written"] == 1
    assert "no member 'nobody'" in chair("dumps", "build", "--member", "nobody", code=1)
    text = chair("dumps", "build")
    assert "3 dumps (2 changed): 1 parts written, 1 reused" in text
    listed = json.loads(chair("dumps", "list", "--json"))
    assert [d["name"] for d in listed] == ["hub", "member-donghai", "member-xiling"]
    assert listed[0]["records"] == 500
    assert "member-xiling.jsonl.gz" in chair("dumps", "list")


@pytest.fixture(params=STORE_PARAMS)
def store_hub(request, overrides, tmp_path):
    """A hub whose object store is of each kind (the local directory; the real S3 server when configured)."""
    url = store_url(request.param, tmp_path)
    instance = tmp_path / "store-instance"
    instance.mkdir()
    made = Hub.create(overrides={**overrides, "STORAGE_URL": url}, instance_path=instance)
    yield made
    made.db.dispose()
    cleanup_store(url)


def test_dumps_on_each_object_store_write_only_what_changed(store_hub, site, monkeypatch):  # noqa: F811
    hub = store_hub
    repos = {}
    for style in ("dspace", "eprints"):
        sample = site.repo(style)
        repos[sample.institution.slug] = (sample, register(hub, site.url, sample))
        harvest(hub, repos[sample.institution.slug][1])
    with hub.db.session() as session:
        for record in session.scalars(select(Record)):
            record.hub_datestamp -= timedelta(hours=1)
    store = hub.store
    build_dumps(hub)
    written: list[str] = []
    deleted: list[str] = []
    real_commit, real_delete = store._commit, store.delete

    def commit(spool, key, content_type):
        written.append(key)
        return real_commit(spool, key, content_type)

    def delete(key):
        deleted.append(key)
        return real_delete(key)

    monkeypatch.setattr(store, "_commit", commit)
    monkeypatch.setattr(store, "delete", delete)
    build_dumps(hub)
    assert written == [] and deleted == []
    sample, repo_id = repos["xiling"]
    sample.revision = 1
    harvest(hub, repo_id, full=True)
    build_dumps(hub)
    new_part = load_manifest(store, "member-xiling").parts[0].key
    assert sorted(written) == sorted([new_part, "dumps/member-xiling.json", "dumps/hub.json"]) and deleted == []
    described = load_manifest(store, "hub")
    client = create_app(hub=hub).test_client()
    body = client.get("/data/dumps/hub.jsonl.gz").get_data()
    assert body == b"".join(chunk for part in described.parts for chunk in store.iter_chunks(part.key))
    assert hashlib.sha256(body).hexdigest() == described.sha256 and len(body) == described.size
    assert len(gzip.decompress(body).splitlines()) == described.records == 500


def test_a_full_text_state_change_without_a_new_datestamp_rebuilds_the_part(hub, client, members):
    from hub.states import FulltextState

    build_dumps(hub)
    _, repo_id = members["donghai"]
    with hub.db.session() as session:  # as the files stage does: stored -> extracted keeps the datestamp
        record = session.scalars(select(Record).where(Record.repository_id == repo_id, Record.deleted.is_(False))
                                 .order_by(Record.id)).first()
        record.fulltext_state, record_id = FulltextState.EXTRACTED, record.id
    report = build_dumps(hub)
    assert report.parts_written == 1 and [d.name for d in report.dumps if d.changed] == ["member-donghai", "hub"]
    line = next(x for x in dump_lines(client, "member-donghai") if x["id"] == record_id)
    assert line["fulltext_state"] == "extracted" == client.get(f"/api/v1/records/{record_id}").get_json()["fulltext_state"]
