"""The hub as a ResourceSync source: documents, hashes, paging, change lists, dumps, and ``resync``.

Every document fetched is validated against the sitemap and ResourceSync schemas
(tests/schemas/resourcesync). Records come from the provider factories (two members, three
repositories, tombstones, untitled records) or from a real harvest of a fake OAI-PMH repository;
full texts are real objects in the hub's object store. The reference client ``resync`` (PyPI
2.0.1) synchronises from the hub served on loopback by a real server thread.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import event, select, update

from hub.fulltext.states import FileState
from hub.models import Institution, Record, RecordFile, Repository, StoredFile, utcnow
from hub.states import FulltextState, RunState
from tests.core.servers import serve_app
from tests.provider.factories import BASE_DATE, Network, populate

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "resourcesync"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RS = "{http://www.openarchives.org/rs/terms/}"
BASE = "https://hub.example.org"


@cache
def _schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser))


def assert_valid(body: bytes) -> etree._Element:
    """Parse a ResourceSync document, validate it (urlset or sitemapindex) and return its root."""
    root = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    validator = _schema("urlset_rs.xsd" if root.tag == f"{SM}urlset" else "sitemapindex_rs.xsd")
    if not validator.validate(root):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in list(validator.error_log)[:10])
        raise AssertionError(f"not valid against the sitemap/ResourceSync schemas:\n{errors}\n{body[:2000]!r}")
    return root


def path_of(url: str) -> str:
    """The path of a hub URL (the test client is addressed by path)."""
    return urlsplit(url).path


def fetch(client, url: str) -> etree._Element:
    """GET a ResourceSync document by URL, assert 200 and validity, return its root."""
    response = client.get(path_of(url))
    assert response.status_code == 200, (url, response.status_code)
    return assert_valid(response.get_data())


def capability(root: etree._Element) -> str:
    return root.find(f"{RS}md").get("capability")


def entries(root: etree._Element) -> list[etree._Element]:
    tag = f"{SM}url" if root.tag == f"{SM}urlset" else f"{SM}sitemap"
    return root.findall(tag)


def loc(entry: etree._Element) -> str:
    return entry.findtext(f"{SM}loc")


def walk(client, url: str) -> Iterator[etree._Element]:
    """The ``<url>`` entries of a list, following a sitemap index to its component lists."""
    root = fetch(client, url)
    if root.tag == f"{SM}sitemapindex":
        for part in entries(root):
            yield from entries(fetch(client, loc(part)))
    else:
        yield from entries(root)


def hashes(entry: etree._Element) -> dict[str, str]:
    value = entry.find(f"{RS}md").get("hash") or ""
    return dict(item.split(":", 1) for item in value.split())


def add_stored_file(hub, record_id: int, data: bytes, mime_type: str = "application/pdf") -> str:
    """Put ``data`` in the object store as a downloaded full text of a record; returns its sha256."""
    from storage.base import file_key

    sha256 = hashlib.sha256(data).hexdigest()
    hub.store.put_bytes(file_key(sha256), data, mime_type)
    with hub.db.session() as session:
        if session.get(StoredFile, sha256) is None:
            session.add(StoredFile(sha256=sha256, size=len(data), mime_type=mime_type))
        session.add(RecordFile(record_id=record_id, url=f"http://ir.example.edu.cn/{sha256[:8]}.pdf",
                               sha256=sha256, mime_type=mime_type, size=len(data), state=FileState.STORED))
        session.commit()
    return sha256


@pytest.fixture
def overrides(overrides: dict[str, object]) -> dict[str, object]:
    """A public base URL and small lists, so that sets need indexes of several pages."""
    return {**overrides, "BASE_URL": BASE, "RESOURCESYNC_PAGE_SIZE": 8}


@pytest.fixture
def network(hub) -> Network:
    """40 records of mixed kinds (tombstones, untitled) in three repositories of two members."""
    with hub.db.session() as session:
        built = populate(session, 40)
        session.commit()
        return built


# --- documents --------------------------------------------------------------------------------

def test_source_description_links_a_capability_list_per_live_set(client, hub, network):
    with hub.db.session() as session:  # a removed repository and a removed member are not published
        session.execute(update(Repository).where(Repository.id == network.repositories[1].id)
                        .values(removed_at=utcnow()))
        gone = Institution(slug="gone", name_en="Closed Institute", removed_at=utcnow())
        session.add(gone)
        session.commit()
    root = fetch(client, "/.well-known/resourcesync")
    assert capability(root) == "description"
    lists = [loc(e) for e in entries(root)]
    repos = [network.repositories[0].id, network.repositories[2].id]
    assert lists == [f"{BASE}/resourcesync/hub/capabilitylist.xml",
                     f"{BASE}/resourcesync/members/fudan/capabilitylist.xml",
                     f"{BASE}/resourcesync/members/pku/capabilitylist.xml",
                     *(f"{BASE}/resourcesync/repositories/{r}/capabilitylist.xml" for r in repos)]
    assert all(e.find(f"{RS}md").get("capability") == "capabilitylist" for e in entries(root))
    for url in lists:
        listing = fetch(client, url)
        assert capability(listing) == "capabilitylist"
        assert listing.find(f"{RS}ln").attrib == {"rel": "up", "href": f"{BASE}/.well-known/resourcesync"}
        base = url.removesuffix("capabilitylist.xml")
        assert {loc(e): e.find(f"{RS}md").get("capability") for e in entries(listing)} == {
            f"{base}resourcelist.xml": "resourcelist", f"{base}changelist.xml": "changelist"}
        assert capability(fetch(client, f"{base}resourcelist.xml")) == "resourcelist"
        assert capability(fetch(client, f"{base}changelist.xml")) == "changelist"
    assert client.get(f"/resourcesync/repositories/{network.repositories[1].id}/capabilitylist.xml").status_code == 404
    assert client.get("/resourcesync/members/gone/capabilitylist.xml").status_code == 404
    assert client.get("/resourcesync/hub/resourcedump.xml").status_code == 404  # none built yet


def test_resource_list_holds_every_live_record_and_served_file_with_exact_hashes(client, hub, network):
    with hub.db.session() as session:
        live = session.scalars(select(Record).where(Record.deleted.is_(False)).order_by(Record.id)).all()
        dead = session.scalars(select(Record).where(Record.deleted.is_(True)).order_by(Record.id)).all()
        titled = [r.id for r in live if r.meta.get("titles")]
        untitled = [r.id for r in live if not r.meta.get("titles")]
        datestamps = {r.id: r.hub_datestamp for r in live}
    served = add_stored_file(hub, live[0].id, b"%PDF-1.4 served full text\n")
    hidden = add_stored_file(hub, dead[0].id, b"%PDF-1.4 held only by a tombstone\n")
    listed = list(walk(client, "/resourcesync/hub/resourcelist.xml"))
    urls = [loc(e) for e in listed]
    assert len(urls) == len(set(urls))
    assert set(urls) == ({f"{BASE}/resourcesync/records/{i}.xml" for i in titled}
                         | {f"{BASE}/resourcesync/records/{r.id}.json" for r in live}
                         | {f"{BASE}/files/{served}"})
    assert untitled and f"{BASE}/files/{hidden}" not in urls
    for entry in listed:
        response = client.get(path_of(loc(entry)))
        assert response.status_code == 200
        body = response.get_data()
        md = entry.find(f"{RS}md")
        assert int(md.get("length")) == len(body)
        assert hashes(entry) == {"md5": hashlib.md5(body).hexdigest(), "sha-256": hashlib.sha256(body).hexdigest()}
        record_id = int(path_of(loc(entry)).rsplit("/", 1)[1].split(".")[0]) if "/records/" in loc(entry) else None
        if record_id is not None:
            expected = datestamps[record_id].strftime("%Y-%m-%dT%H:%M:%SZ")
            assert entry.findtext(f"{SM}lastmod") == expected
            assert md.get("type") == ("application/xml" if loc(entry).endswith(".xml") else "application/json")
        else:
            assert md.get("type") == "application/pdf"
    for record in dead:
        assert client.get(f"/resourcesync/records/{record.id}.json").status_code == 404
    api = client.get(f"/api/v1/records/{live[0].id}").get_json()  # the JSON is the API's record
    assert {k: v for k, v in api.items() if k not in ("work", "relations")} == json.loads(
        client.get(f"/resourcesync/records/{live[0].id}.json").get_data())
    dc = assert_valid_oai_dc(client.get(f"/resourcesync/records/{titled[0]}.xml").get_data())
    assert dc.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"


def assert_valid_oai_dc(body: bytes) -> etree._Element:
    """A record's oai_dc document validates against the official oai_dc schema."""
    local = Path(__file__).resolve().parent.parent / "schemas" / "local" / "oai_dc.xsd"
    schema = etree.XMLSchema(etree.parse(str(local), etree.XMLParser(no_network=True)))
    root = etree.fromstring(body)
    assert schema.validate(root), schema.error_log
    return root


def test_resource_list_index_is_keyset_paged(client, hub, network):
    statements: list[tuple[str, int]] = []
    engine = hub.db.engine

    def remember(conn, cursor, statement, parameters, context, executemany):
        offset = parameters[-1] if "OFFSET ?" in statement and parameters else 0  # SQLite writes LIMIT ? OFFSET 0
        statements.append((statement, offset))

    index = fetch(client, "/resourcesync/hub/resourcelist.xml")
    assert index.tag == f"{SM}sitemapindex" and capability(index) == "resourcelist"
    md = index.find(f"{RS}md")
    assert md.get("at") and md.get("completed")
    pages = [loc(e) for e in entries(index)]
    with hub.db.session() as session:
        live = session.scalars(select(Record.id).where(Record.deleted.is_(False))
                               .order_by(Record.hub_datestamp, Record.id)).all()
    assert len(pages) == -(-len(live) // 4)  # 8 URLs a page: 4 records of two URLs each
    event.listen(engine, "before_cursor_execute", remember)
    try:
        seen: list[int] = []
        for page in pages:
            listing = fetch(client, page)
            assert listing.find(f"{RS}ln[@rel='index']").get("href") == f"{BASE}/resourcesync/hub/resourcelist.xml"
            ids = [int(path_of(loc(e)).rsplit("/", 1)[1].split(".")[0]) for e in entries(listing)]
            assert len(entries(listing)) <= 8
            seen += list(dict.fromkeys(ids))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert seen == list(live)  # every live record once, in keyset order, across the pages
    assert statements and all(offset == 0 for _, offset in statements)  # keyset, never an offset
    assert not any("OFFSET" in sql and "%(param" in sql for sql, _ in statements)
    assert client.get("/resourcesync/hub/resourcelist/records/20240301T080000Z-0x1.xml").status_code == 404
    assert client.get("/resourcesync/hub/resourcelist/files/nothex.xml").status_code == 404


def test_member_and_repository_sets_hold_only_their_records(client, hub, network):
    pku_repos = {r.id for r in network.repositories if r.institution_id == network.institutions[0].id}
    with hub.db.session() as session:
        by_repo = dict(session.execute(select(Record.id, Record.repository_id).where(Record.deleted.is_(False))).all())
    member = {int(path_of(loc(e)).rsplit("/", 1)[1].split(".")[0])
              for e in walk(client, "/resourcesync/members/pku/resourcelist.xml")}
    assert member == {i for i, repo in by_repo.items() if repo in pku_repos}
    repo = network.repositories[2].id
    single = {int(path_of(loc(e)).rsplit("/", 1)[1].split(".")[0])
              for e in walk(client, f"/resourcesync/repositories/{repo}/resourcelist.xml")}
    assert single == {i for i, r in by_repo.items() if r == repo}


# --- change lists -----------------------------------------------------------------------------

def changes(client, url: str) -> dict[str, tuple[str, str]]:
    """URL -> (change, datetime) over every Change List of an index (the latest change wins); the
    hash and length of every change that is not a deletion are those of the bytes served."""
    index = fetch(client, url)
    assert index.tag == f"{SM}sitemapindex" and capability(index) == "changelist"
    found: dict[str, tuple[str, str]] = {}
    for part in entries(index):
        listing = fetch(client, loc(part))
        assert capability(listing) == "changelist"
        head = listing.find(f"{RS}md")
        assert head.get("from") == part.find(f"{RS}md").get("from")
        for entry in entries(listing):
            md = entry.find(f"{RS}md")
            assert head.get("from") <= md.get("datetime") < (head.get("until") or "9999")
            found[loc(entry)] = (md.get("change"), md.get("datetime"))
            response = client.get(path_of(loc(entry)))
            if md.get("change") == "deleted":
                assert response.status_code == 404 and md.get("hash") is None
            else:
                body = response.get_data()
                assert int(md.get("length")) == len(body)
                assert hashes(entry) == {"md5": hashlib.md5(body).hexdigest(),
                                         "sha-256": hashlib.sha256(body).hexdigest()}
    return found


def test_change_lists_by_day_say_created_updated_deleted(client, hub, network):
    day1 = BASE_DATE
    with hub.db.session() as session:
        records = session.scalars(select(Record).where(Record.deleted.is_(False),
                                                       Record.meta["titles"].as_string().is_not(None))
                                  .order_by(Record.id)).all()
        changed, removed = records[0], records[1]
        later = day1 + timedelta(days=2, hours=3)
        session.execute(update(Record).where(Record.id == changed.id).values(hub_datestamp=later))
        session.execute(update(Record).where(Record.id == removed.id).values(deleted=True, hub_datestamp=later))
        changed_id, removed_id = changed.id, removed.id
        session.commit()
    found = changes(client, "/resourcesync/hub/changelist.xml")
    index = fetch(client, "/resourcesync/hub/changelist.xml")
    days = sorted({loc(e).rsplit("/changelist/", 1)[1][:10] for e in entries(index)})
    assert days == ["2024-03-01", "2024-03-03"]
    for part in entries(index):
        if "2024-03-01" in loc(part):
            assert part.find(f"{RS}md").get("until") == "2024-03-02T00:00:00Z"
    stamp = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert found[f"{BASE}/resourcesync/records/{changed_id}.json"] == ("updated", stamp)
    assert found[f"{BASE}/resourcesync/records/{changed_id}.xml"] == ("updated", stamp)
    assert found[f"{BASE}/resourcesync/records/{removed_id}.json"] == ("deleted", stamp)
    assert found[f"{BASE}/resourcesync/records/{removed_id}.xml"] == ("deleted", stamp)
    assert found[f"{BASE}/resourcesync/records/{records[2].id}.json"][0] == "created"
    with hub.db.session() as session:  # tombstones stay in the lists for good, removed repositories too
        tombstones = session.scalars(select(Record.id).where(Record.deleted.is_(True))).all()
    assert all(found[f"{BASE}/resourcesync/records/{i}.json"][0] == "deleted" for i in tombstones)
    assert client.get("/resourcesync/hub/changelist/2024-02-30.xml").status_code == 404


# --- harvest, then resync ---------------------------------------------------------------------

class Deferred:
    """A WSGI app whose target is set once the hub knows the address it is served at."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture
def live_hub(overrides, tmp_path, monkeypatch):
    """The hub (with a fake OAI-PMH member repository) served on loopback; yields (hub, base URL, fake)."""
    from hub.app import create_app
    from hub.context import Hub
    from tests.platforms.site import Site

    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    site, front = Site(), Deferred()
    with serve_app(site) as source_url, serve_app(front) as hub_url:
        base = hub_url.rstrip("/")
        instance = tmp_path / "live-instance"
        instance.mkdir()
        made = Hub.create(overrides={**overrides, "BASE_URL": base, "RESOURCESYNC_PAGE_SIZE": 6},
                          instance_path=instance)
        front.app = create_app(hub=made)
        yield made, base, site, source_url.rstrip("/")
        made.db.dispose()


def _fake_repository(site, source_url: str):
    from tests.platforms.fake_oai import FakeOAI, OAIItem

    def render(item: OAIItem) -> str:
        return ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{item.about or item.identifier}</dc:title>'
                "<dc:creator>Wang, Wei</dc:creator><dc:type>article</dc:type></oai_dc:dc>")

    items = [OAIItem(f"oai:member.example.edu.cn:{n}", f"2024-01-0{1 + n % 9}T00:00:00Z") for n in range(9)]
    fake = FakeOAI(f"{source_url}/member/oai", items, {"oai_dc": render},
                   {"oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}, page_size=4)
    site.mount("member", lambda request, parts: fake(request))
    return fake


def hub_resources(client_get, base: str) -> dict[str, bytes]:
    """Every resource of the hub's Resource List (path -> served bytes), hashes checked on the way."""
    found: dict[str, bytes] = {}
    for entry in _walk_http(client_get, f"{base}/resourcesync/hub/resourcelist.xml"):
        body = client_get(loc(entry))
        assert hashlib.sha256(body).hexdigest() == hashes(entry)["sha-256"]
        found[path_of(loc(entry)).lstrip("/")] = body
    return found


def _walk_http(client_get, url: str) -> Iterator[etree._Element]:
    root = assert_valid(client_get(url))
    if root.tag == f"{SM}sitemapindex":
        for part in entries(root):
            yield from entries(assert_valid(client_get(loc(part))))
    else:
        yield from entries(root)


def on_disk(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_resync_baseline_then_incremental_ends_with_exactly_the_hubs_resources(live_hub, tmp_path, monkeypatch):
    from urllib.request import urlopen

    from resync.client import Client

    from hub.fulltext.records import refresh_records
    from tests.platforms.conftest import harvest, register

    hub, base, site, source_url = live_hub
    fake = _fake_repository(site, source_url)
    repo_id = register(hub, "oai", fake.base_url, slug="pku")
    assert harvest(hub, repo_id).state is RunState.SUCCEEDED
    with hub.db.session() as session:
        ids = session.scalars(select(Record.id).where(Record.repository_id == repo_id).order_by(Record.id)).all()
    assert len(ids) == 9
    kept_file = add_stored_file(hub, ids[0], b"%PDF-1.4 kept\n")
    lost_file = add_stored_file(hub, ids[1], b"%PDF-1.4 lost with its record\n")

    def get(url: str) -> bytes:
        with urlopen(url, timeout=30) as answer:  # noqa: S310 - the hub on loopback
            return answer.read()

    sd = assert_valid(get(f"{base}/.well-known/resourcesync"))
    capability_list = loc(entries(sd)[0])
    assert capability_list == f"{base}/resourcesync/hub/capabilitylist.xml"
    monkeypatch.chdir(tmp_path)  # resync keeps its state file in the working directory
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    logging.getLogger("resync").setLevel(logging.WARNING)
    client = Client(hashes=["md5", "sha-256"])
    client.set_mappings([base, str(mirror)])
    client.capability_list_uri = capability_list
    client.baseline_or_audit(allow_deletion=True)
    before = hub_resources(get, base)
    assert on_disk(mirror) == before
    assert f"files/{kept_file}" in before and f"files/{lost_file}" in before and len(before) == 9 * 2 + 2

    # The member changes a record, adds one and deletes one; the hub harvests it again.
    fake.items[2].about = "A corrected title"
    fake.items[2].datestamp = "2024-02-01T00:00:00Z"
    fake.items[1].deleted, fake.items[1].datestamp = True, "2024-02-01T00:00:00Z"
    fake.items.append(type(fake.items[0])("oai:member.example.edu.cn:new", "2024-02-01T00:00:00Z"))
    assert harvest(hub, repo_id, full=True).state is RunState.SUCCEEDED
    # ... and the files stage stores a full text of another record (which bumps its datestamp)
    new_file = add_stored_file(hub, ids[3], b"%PDF-1.4 arrived later\n")
    with hub.db.session() as session:
        refresh_records(session, [ids[3]])
        session.commit()
        assert session.get(Record, ids[3]).fulltext_state in (FulltextState.STORED, FulltextState.EXTRACTED)

    # resync 2.0.1 reads one Change List at a time (its ChangeList refuses a sitemapindex, whose
    # entries carry no change): walk the hub's Change List Index and apply each list in order.
    index = assert_valid(get(f"{base}/resourcesync/hub/changelist.xml"))
    assert capability(index) == "changelist"
    latest: dict[str, str] = {}
    for part in entries(index):
        for entry in entries(assert_valid(get(loc(part)))):
            latest[path_of(loc(entry)).lstrip("/")] = entry.find(f"{RS}md").get("change")
        client.incremental(allow_deletion=True, change_list_uri=loc(part))
    with hub.db.session() as session:
        new_id = session.scalar(select(Record.id).where(Record.source_identifier == "oai:member.example.edu.cn:new"))
    assert latest[f"resourcesync/records/{ids[1]}.json"] == latest[f"resourcesync/records/{ids[1]}.xml"] == "deleted"
    assert latest[f"files/{lost_file}"] == "deleted" and latest[f"files/{new_file}"] == "created"
    assert latest[f"resourcesync/records/{new_id}.json"] == "created"
    after = hub_resources(get, base)
    assert on_disk(mirror) == after
    assert f"files/{lost_file}" not in after and f"files/{new_file}" in after
    assert f"resourcesync/records/{ids[1]}.json" not in after
    assert b"A corrected title" in after[f"resourcesync/records/{ids[2]}.xml"]
    assert len([p for p in after if p.endswith(".json")]) == 9


# --- dumps ------------------------------------------------------------------------------------

def test_resource_dumps_built_by_the_cli_match_the_lists_and_are_reused(client, hub, network):
    from hub.cli import cli

    with hub.db.session() as session:
        first_live = session.scalar(select(Record.id).where(Record.deleted.is_(False)).order_by(Record.id))
    add_stored_file(hub, first_live, b"%PDF-1.4 in the dump\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["resourcesync", "dump", "--json"], obj={"hub": hub})
    assert result.exit_code == 0, result.output
    built = json.loads(result.output)
    assert built["set"] == "hub" and not built["reused"]
    again = json.loads(runner.invoke(cli, ["resourcesync", "dump", "--json"], obj={"hub": hub}).output)
    assert again["reused"] and again["name"] == built["name"]
    member = runner.invoke(cli, ["resourcesync", "dump", "--member", "pku"], obj={"hub": hub})
    assert member.exit_code == 0 and "members/pku" in member.output
    assert runner.invoke(cli, ["resourcesync", "dump", "--member", "nobody"], obj={"hub": hub}).exit_code == 1

    capabilities = fetch(client, "/resourcesync/hub/capabilitylist.xml")
    assert f"{BASE}/resourcesync/hub/resourcedump.xml" in [loc(e) for e in entries(capabilities)]
    document = fetch(client, "/resourcesync/hub/resourcedump.xml")
    assert capability(document) == "resourcedump"
    (package,) = entries(document)
    body = client.get(path_of(loc(package))).get_data()
    assert int(package.find(f"{RS}md").get("length")) == len(body)
    assert hashes(package) == {"md5": hashlib.md5(body).hexdigest(), "sha-256": hashlib.sha256(body).hexdigest()}
    manifest_url = package.find(f"{RS}ln[@rel='contents']").get("href")
    archive = zipfile.ZipFile(io.BytesIO(body))
    manifest_bytes = archive.read("manifest.xml")
    assert client.get(path_of(manifest_url)).get_data() == manifest_bytes
    manifest = assert_valid(manifest_bytes)
    assert capability(manifest) == "resourcedump-manifest"
    listed = {loc(e) for e in walk(client, "/resourcesync/hub/resourcelist.xml")}
    assert {loc(e) for e in entries(manifest)} == listed
    for entry in entries(manifest):
        inside = archive.read(entry.find(f"{RS}md").get("path").lstrip("/"))
        assert inside == client.get(path_of(loc(entry))).get_data()
        assert hashes(entry)["sha-256"] == hashlib.sha256(inside).hexdigest()

    with hub.db.session() as session:  # a change makes the next dump a new one
        session.execute(update(Record).where(Record.id == first_live)
                        .values(hub_datestamp=datetime.now(UTC).replace(microsecond=0)))
        session.commit()
    rebuilt = json.loads(runner.invoke(cli, ["resourcesync", "dump", "--json"], obj={"hub": hub}).output)
    assert not rebuilt["reused"] and rebuilt["name"] != built["name"]
