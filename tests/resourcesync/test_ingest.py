"""The ``resourcesync`` platform harvests a ResourceSync source: baseline, changes, faults, resumption, check.

The source is a real local server (werkzeug, in a thread) serving documents written here in the
shape of ANSI/NISO Z39.99-2017: a Source Description, a Capability List, a Resource List (or a
Resource List Index of parts), a Change List Index of a closed and an open Change List, and
oai_dc metadata documents with md5 and sha-256 hashes and lengths. Its clock is fixed in 2026,
far from the test machine's, so a mark taken from local time would show.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import insert, select
from werkzeug.wrappers import Request, Response

from hub.models import ItemError, Repository
from hub.states import RunState
from tests.core.servers import serve_app
from tests.platforms.conftest import check, harvest, records, register

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
RS = "http://www.openarchives.org/rs/terms/"


def dc_document(title: str, creator: str = "Wang, Wei") -> bytes:
    """An oai_dc metadata document."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/'
            f'oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(title)}</dc:title>'
            f'<dc:creator>{escape(creator)}</dc:creator><dc:type>article</dc:type></oai_dc:dc>').encode()


@dataclass
class Change:
    """One entry of a Change List."""

    name: str
    change: str  # created, updated, deleted
    moment: str


@dataclass
class ChangeList:
    """A Change List: its period (``until`` '' while open) and its changes."""

    start: str
    until: str
    changes: list[Change]


@dataclass
class FakeSource:
    """A ResourceSync source: records by name, lists built from them, faults on demand."""

    url: str = ""
    records: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # name -> (document, lastmod)
    at: str = "2026-02-01T00:00:00Z"
    change_lists: list[ChangeList] = field(default_factory=list)
    parts: int = 1  # >1: the Resource List is an index of that many parts
    bad_hash: set[str] = field(default_factory=set)  # declared hash does not match the bytes
    fail_after: int | None = None  # every request after this many answers HTTP 500
    html_lists: bool = False  # the Resource List is a login page
    extra_capability_lists: int = 0
    dump: bool = False  # the Capability List offers a Resource Dump of one package
    tampered_package: bool = False  # the package is not the bytes the dump declares
    missing: set[str] = field(default_factory=set)  # listed, but answering 404
    busy_once: set[str] = field(default_factory=set)  # answering 503 with Retry-After once
    log: list[str] = field(default_factory=list)

    def record_url(self, name: str) -> str:
        return f"{self.url}/records/{name}.xml"

    @staticmethod
    def urlset(capability: str, entries: list[str], md: str = "", index: bool = False) -> Response:
        root = "sitemapindex" if index else "urlset"
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{SITEMAP}" xmlns:rs="{RS}">'
                f'<rs:md capability="{capability}"{md}/>' + "".join(entries) + f"</{root}>")
        return Response(body, content_type="application/xml")

    def resource_entry(self, name: str, extra: str = "") -> str:
        document, lastmod = self.records[name]
        md5 = hashlib.md5(document).hexdigest()
        if name in self.bad_hash:
            md5 = hashlib.md5(document + b"tampered").hexdigest()
        sha = hashlib.sha256(document).hexdigest()
        return (f"<url><loc>{self.record_url(name)}</loc><lastmod>{lastmod}</lastmod><rs:md hash=\"md5:{md5} "
                f"sha-256:{sha}\" length=\"{len(document)}\" type=\"application/xml\"{extra}/></url>")

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.log.append(request.path)
        if self.fail_after is not None and len(self.log) > self.fail_after:
            return Response("", status=500)(environ, start_response)
        return self.route(request.path)(environ, start_response)

    def route(self, path: str) -> Response:
        caplists = ["/rs/capabilitylist.xml"] + [f"/rs/other-{n}.xml" for n in range(self.extra_capability_lists)]
        if path == "/.well-known/resourcesync":
            return self.urlset("description", [f'<url><loc>{self.url}{p}</loc><rs:md capability="capabilitylist"/>'
                                               "</url>" for p in caplists])
        if path in caplists:
            entries = [f'<url><loc>{self.url}/rs/resourcelist.xml</loc><rs:md capability="resourcelist"/></url>']
            if self.dump:
                entries.append(f'<url><loc>{self.url}/rs/resourcedump.xml</loc><rs:md capability="resourcedump"/>'
                               "</url>")
            if self.change_lists:
                entries.append(f'<url><loc>{self.url}/rs/changelists.xml</loc><rs:md capability="changelist"/></url>')
            if path != caplists[0]:
                entries = []  # another set's capability list: nothing in it
            return self.urlset("capabilitylist", entries)
        names = sorted(self.records)
        if path == "/rs/resourcelist.xml":
            if self.html_lists:
                return Response("<html><body>Please sign in</body></html>", content_type="text/html")
            if self.parts > 1:
                return self.urlset("resourcelist", [f"<sitemap><loc>{self.url}/rs/resourcelist-{n}.xml</loc></sitemap>"
                                                    for n in range(self.parts)], f' at="{self.at}"', index=True)
            return self.urlset("resourcelist", [self.resource_entry(n) for n in names], f' at="{self.at}"')
        if path.startswith("/rs/resourcelist-"):
            part = int(path.removeprefix("/rs/resourcelist-").removesuffix(".xml"))
            return self.urlset("resourcelist", [self.resource_entry(n) for n in names[part::self.parts]],
                               f' at="{self.at}"')
        if path == "/rs/changelists.xml":
            return self.urlset("changelist", [
                f'<sitemap><loc>{self.url}/rs/changelist-{n}.xml</loc><rs:md capability="changelist" '
                f'from="{cl.start}"' + (f' until="{cl.until}"' if cl.until else "") + "/></sitemap>"
                for n, cl in enumerate(self.change_lists)], index=True)
        if path.startswith("/rs/changelist-"):
            cl = self.change_lists[int(path.removeprefix("/rs/changelist-").removesuffix(".xml"))]
            entries = [self.resource_entry(c.name, f' change="{c.change}" datetime="{c.moment}"')
                       if c.change != "deleted" else
                       f'<url><loc>{self.record_url(c.name)}</loc><rs:md change="deleted" datetime="{c.moment}"/></url>'
                       for c in cl.changes]
            return self.urlset("changelist", entries, f' from="{cl.start}"' + (f' until="{cl.until}"' if cl.until
                                                                               else ""))
        if path == "/rs/resourcedump.xml":
            package = self.package()
            md5, sha = hashlib.md5(package).hexdigest(), hashlib.sha256(package).hexdigest()
            return self.urlset("resourcedump", [
                f'<url><loc>{self.url}/dumps/part-0.zip</loc><rs:md type="application/zip" length="{len(package)}" '
                f'hash="md5:{md5} sha-256:{sha}"/><rs:ln rel="contents" href="{self.url}/dumps/part-0.xml" '
                'type="application/xml"/></url>'], f' at="{self.at}"')
        if path == "/dumps/part-0.zip":
            package = self.package()
            return Response(package + (b"x" if self.tampered_package else b""), content_type="application/zip")
        if path.startswith("/records/"):
            name = path.removeprefix("/records/").removesuffix(".xml")
            if name in self.busy_once:
                self.busy_once.discard(name)
                return Response("busy", status=503, headers={"Retry-After": "0"})
            if name in self.records and name not in self.missing:
                return Response(self.records[name][0], content_type="application/xml")
        return Response("not found", status=404)

    def package(self) -> bytes:
        """The dump's one package: manifest.xml and every record under resources/."""
        names = sorted(self.records)
        manifest = self.urlset("resourcedump-manifest", [self.resource_entry(n, f' path="/resources/{n}.xml"')
                                                         for n in names], f' at="{self.at}"').get_data()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.xml", manifest)
            for name in names:
                archive.writestr(f"resources/{name}.xml", self.records[name][0])
        return buffer.getvalue()

    def count(self, fragment: str) -> int:
        return sum(1 for line in self.log if fragment in line)


@pytest.fixture
def source() -> Iterator[FakeSource]:
    fake = FakeSource()
    for n in range(1, 6):
        fake.records[f"r{n}"] = (dc_document(f"Record {n}"), f"2026-01-0{n}T08:00:00Z")
    with serve_app(fake) as url:
        fake.url = url.rstrip("/")
        yield fake


def name_of(row) -> str:
    """The record name of a stored record (its source identifier is the resource's URL)."""
    return row.source_identifier.rsplit("/", 1)[1].removesuffix(".xml")


def live_titles(hub, repo_id: int) -> dict[str, str]:
    return {name_of(r): r.meta["titles"][0]["value"] for r in records(hub, repo_id) if not r.deleted}


def tombstones(hub, repo_id: int) -> set[str]:
    return {name_of(r) for r in records(hub, repo_id) if r.deleted}


def mark(hub, repo_id: int) -> str:
    with hub.db.session() as session:
        return session.get(Repository, repo_id).high_water_mark or ""


def errors(hub, repo_id: int) -> list[ItemError]:
    with hub.db.session() as session:
        rows = session.scalars(select(ItemError).where(ItemError.repository_id == repo_id)).all()
        session.expunge_all()
        return list(rows)


def test_baseline_then_change_lists_give_exactly_the_sources_records_and_tombstones(hub, source):
    source.parts = 2  # a Resource List Index of two parts
    repo = register(hub, "resourcesync", f"{source.url}/.well-known/resourcesync", {"page_size": 2})
    summary = harvest(hub, repo)
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert live_titles(hub, repo) == {f"r{n}": f"Record {n}" for n in range(1, 6)}
    assert mark(hub, repo) == "2026-02-01T00:00:00Z"  # the Resource List's rs:md at, not local time

    source.records["r6"] = (dc_document("Record 6"), "2026-02-05T00:00:00Z")
    source.records["r2"] = (dc_document("Record 2, revised"), "2026-02-06T00:00:00Z")
    source.change_lists = [
        ChangeList("2026-02-01T00:00:00Z", "2026-02-10T00:00:00Z",
                   [Change("r6", "created", "2026-02-05T00:00:00Z"), Change("r2", "updated", "2026-02-06T00:00:00Z"),
                    Change("r4", "updated", "2026-02-07T00:00:00Z")]),
        ChangeList("2026-02-10T00:00:00Z", "", [Change("r3", "deleted", "2026-02-12T00:00:00Z"),
                                                Change("r4", "updated", "2026-02-11T00:00:00Z")]),
    ]
    source.records["r4"] = (dc_document("Record 4"), "2026-02-11T00:00:00Z")  # changed twice: read once
    del source.records["r3"]
    source.log.clear()
    summary = harvest(hub, repo)
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert (summary.counts["new"], summary.counts["updated"], summary.counts["deleted"]) == (1, 2, 1)
    assert source.count("/records/r4.xml") == 1  # its older change (an older state's hash) is left out
    assert live_titles(hub, repo) == {"r1": "Record 1", "r2": "Record 2, revised", "r4": "Record 4",
                                      "r5": "Record 5", "r6": "Record 6"}
    assert tombstones(hub, repo) == {"r3"}
    assert source.count("/rs/resourcelist") == 0  # the increment read the changes only
    assert source.count("/records/r1.xml") == 0
    assert mark(hub, repo) == "2026-02-12T00:00:00Z"  # the open Change List's newest change

    before = {r.id: (r.hub_datestamp, r.content_hash) for r in records(hub, repo)}
    summary = harvest(hub, repo)
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert (summary.counts["new"], summary.counts["updated"], summary.counts["deleted"]) == (0, 0, 0)
    assert {r.id: (r.hub_datestamp, r.content_hash) for r in records(hub, repo)} == before
    assert mark(hub, repo) == "2026-02-12T00:00:00Z"


def test_a_hash_mismatch_is_one_item_error_with_its_bytes_and_the_rest_goes_on(hub, source):
    source.bad_hash = {"r4"}
    repo = register(hub, "resourcesync", f"{source.url}/rs/capabilitylist.xml")
    summary = harvest(hub, repo)
    assert summary.state == RunState.PARTIAL, summary.message
    assert set(live_titles(hub, repo)) == {"r1", "r2", "r3", "r5"}
    found = [e for e in errors(hub, repo) if e.kind == "hash-mismatch"]
    assert len(found) == 1 and found[0].source_identifier == source.record_url("r4")
    assert found[0].raw == source.records["r4"][0]
    assert "md5" in found[0].message


def test_a_missing_resource_is_one_item_error_and_a_busy_one_is_retried(hub, source):
    source.missing, source.busy_once = {"r2"}, {"r3"}
    repo = register(hub, "resourcesync", f"{source.url}/rs/capabilitylist.xml")
    summary = harvest(hub, repo)
    assert summary.state == RunState.PARTIAL, summary.message
    assert set(live_titles(hub, repo)) == {"r1", "r3", "r4", "r5"}
    assert source.count("/records/r3.xml") == 2  # 503 with Retry-After, then the document
    assert [(e.kind, e.source_identifier) for e in errors(hub, repo)] == [("resource-unavailable",
                                                                           source.record_url("r2"))]


def test_change_lists_that_begin_after_the_mark_mean_the_baseline_is_read_again(hub, source):
    repo = register(hub, "resourcesync", f"{source.url}/rs/capabilitylist.xml")
    assert harvest(hub, repo).state == RunState.SUCCEEDED
    source.change_lists = [ChangeList("2026-03-01T00:00:00Z", "", [])]  # the source dropped older lists
    source.at = "2026-03-02T00:00:00Z"
    source.log.clear()
    summary = harvest(hub, repo)
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert source.count("/rs/resourcelist.xml") == 1
    assert any(e.kind == "baseline-again" for e in errors(hub, repo))
    assert mark(hub, repo) == "2026-03-02T00:00:00Z"


def test_a_killed_harvest_resumes_at_its_checkpoint(hub, source):
    source.records["r6"] = (dc_document("Record 6"), "2026-01-06T08:00:00Z")
    repo = register(hub, "resourcesync", f"{source.url}/rs/capabilitylist.xml", {"page_size": 2})
    source.fail_after = 5  # capability list, resource list, r1, r2, r3: then the source breaks
    summary = harvest(hub, repo)
    assert summary.state == RunState.FAILED and summary.retryable
    assert set(live_titles(hub, repo)) == {"r1", "r2"}  # the first page was committed with its checkpoint
    assert mark(hub, repo) == ""  # an unfinished list never moves the mark
    source.fail_after, source.log = None, []
    summary = harvest(hub, repo)
    assert summary.state == RunState.SUCCEEDED and summary.resumed, summary.message
    assert set(live_titles(hub, repo)) == {f"r{n}" for n in range(1, 7)}
    assert source.count("/records/r1.xml") == source.count("/records/r2.xml") == 0
    assert source.count("/records/r3.xml") == 1
    assert mark(hub, repo) == "2026-02-01T00:00:00Z"


def test_a_list_that_is_not_resourcesync_fails_the_run_clearly_and_resumably(hub, source):
    source.html_lists = True
    repo = register(hub, "resourcesync", f"{source.url}/rs/capabilitylist.xml")
    summary = harvest(hub, repo)
    assert summary.state == RunState.FAILED and summary.retryable
    assert "resourcelist.xml is not a ResourceSync document" in summary.message
    assert records(hub, repo) == []


def test_options_choose_the_capability_list_and_are_validated(hub, source):
    source.extra_capability_lists = 2
    with pytest.raises(ValueError, match="unknown resourcesync options"):
        register(hub, "resourcesync", f"{source.url}/.well-known/resourcesync", {"set": "x"})
    with pytest.raises(ValueError, match="capability_list"):
        register(hub, "resourcesync", f"{source.url}/.well-known/resourcesync", {"capability_list": "ftp://x"})
    empty = register(hub, "resourcesync", f"{source.url}/.well-known/resourcesync",
                     {"capability_list": f"{source.url}/rs/other-1.xml"})
    summary = harvest(hub, empty)
    assert summary.state == RunState.FAILED and "offers no Resource List" in summary.message
    assert source.count("/rs/other-1.xml") == 1 and source.count("/rs/resourcelist.xml") == 0


def test_check_says_what_was_found_and_is_never_ok_without_a_record_read(hub, source):
    source.change_lists = [ChangeList("2026-02-01T00:00:00Z", "", [])]
    repo = register(hub, "resourcesync", source.url)  # the site root: /.well-known/resourcesync is found
    report = check(hub, repo)
    assert report["ok"], report["findings"]
    facts = report["facts"]
    assert facts["capabilities"] == ["changelist", "resourcelist"]
    assert (facts["resource_list_entries"], facts["resources_with_hash"], facts["change_lists"]) == (5, 5, 1)
    assert facts["sample_titles"] == ["Record 1", "Record 2", "Record 3"]

    source.records.clear()
    report = check(hub, repo)
    assert not report["ok"]
    read = next(f for f in report["findings"] if f["key"] == "records-read")
    assert not read["ok"] and "nothing could be verified" in read["detail"] and read["advice_zh"]


def test_a_full_harvest_reads_the_resource_dump_when_offered(hub, source):
    source.dump = True
    source.bad_hash = {"r5"}  # its manifest entry does not match its bytes in the package
    repo = register(hub, "resourcesync", f"{source.url}/.well-known/resourcesync", {"page_size": 2})
    summary = harvest(hub, repo)
    assert summary.state == RunState.PARTIAL, summary.message
    assert live_titles(hub, repo) == {f"r{n}": f"Record {n}" for n in range(1, 5)}
    assert [e.raw for e in errors(hub, repo) if e.kind == "hash-mismatch"] == [source.records["r5"][0]]
    assert source.count("/records/") == 0 and source.count("/rs/resourcelist") == 0
    assert source.count("/dumps/part-0.zip") == 1
    assert mark(hub, repo) == "2026-02-01T00:00:00Z"  # the dump's rs:md at

    lists = register(hub, "resourcesync", f"{source.url}/rs/capabilitylist.xml", {"use_dumps": False}, slug="other")
    source.log.clear()
    assert harvest(hub, lists).state == RunState.PARTIAL
    assert source.count("/dumps/") == 0 and source.count("/records/r1.xml") == 1


def test_a_package_that_does_not_verify_fails_the_run_resumably(hub, source):
    source.dump, source.tampered_package = True, True
    repo = register(hub, "resourcesync", f"{source.url}/rs/capabilitylist.xml")
    summary = harvest(hub, repo)
    assert summary.state == RunState.FAILED and summary.retryable
    assert "part-0.zip does not verify: declared length" in summary.message
    assert records(hub, repo) == []


@pytest.mark.parametrize("prefix", ["chair-json", "oai_dc"])
def test_the_hub_harvests_another_hub_instance_through_the_resourcesync_platform(hub, overrides, tmp_path, prefix):
    from hub.app import create_app
    from hub.context import Hub
    from hub.models import Record, utcnow
    from tests.provider.factories import populate, record_values

    served: dict[str, object] = {}
    with serve_app(lambda environ, start: served["app"](environ, start)) as url:
        upstream_dir = tmp_path / "upstream"
        upstream_dir.mkdir()
        upstream = Hub.create(overrides={**overrides, "BASE_URL": url.rstrip("/"),
                                         "DATABASE_URL": f"sqlite:///{upstream_dir / 'chair.db'}",
                                         "STORAGE_URL": f"file://{upstream_dir / 'objects'}",
                                         "SEARCH_URL": f"sqlite:///{upstream_dir / 'search.db'}"},
                              instance_path=upstream_dir)
        try:
            served["app"] = create_app(hub=upstream)
            with upstream.db.session() as session:
                network = populate(session, 30)
                session.commit()

            def upstream_live() -> dict[int, list]:
                with upstream.db.session() as session:
                    rows = session.scalars(select(Record).where(Record.deleted.is_(False))).all()
                    titled = {r.id: r.meta.get("titles", []) for r in rows}
                return titled if prefix == "chair-json" else {k: v for k, v in titled.items() if v}

            def downstream_live() -> dict[int, list]:
                suffix = ".json" if prefix == "chair-json" else ".xml"
                rows = records(hub, repo)
                assert all(r.source_identifier.endswith(suffix) for r in rows)
                return {int(name_of(r).removesuffix(".json")): r.meta.get("titles", []) for r in rows if not r.deleted}

            repo = register(hub, "resourcesync", f"{url}.well-known/resourcesync",
                            {"capability_list": f"{url}resourcesync/hub/capabilitylist.xml"}, prefix=prefix)
            summary = harvest(hub, repo)
            assert summary.state == RunState.SUCCEEDED, summary.message
            live = downstream_live()
            if prefix == "chair-json":
                assert live == upstream_live()
            else:  # oai_dc gives the titles as one string each; which records, exactly
                assert set(live) == set(upstream_live())
            report = check(hub, repo)
            assert report["ok"], report["findings"]
            assert "resourcelist" in report["facts"]["capabilities"] and report["facts"]["sample_titles"]

            with upstream.db.session() as session:  # the upstream hub harvested: changed, added, deleted
                changed, removed = sorted(upstream_live())[:2]
                now = utcnow()
                record = session.get(Record, changed)
                record.meta = {**record.meta, "titles": [{"value": "Revised title", "lang": "eng"}]}
                record.hub_datestamp = now
                gone = session.get(Record, removed)
                gone.deleted, gone.hub_datestamp = True, now
                session.execute(insert(Record), [record_values(100, network.repositories[0], now)])
                session.commit()
            summary = harvest(hub, repo)
            assert summary.state == RunState.SUCCEEDED, summary.message
            assert (summary.counts["new"], summary.counts["updated"], summary.counts["deleted"]) == (1, 1, 1)
            live = downstream_live()
            assert set(live) == set(upstream_live()) and removed not in live
            assert "Revised title" in str(live[changed])
            assert {int(name_of(r).removesuffix(".json")) for r in records(hub, repo) if r.deleted} == {removed}
            before = {r.id: r.content_hash for r in records(hub, repo)}
            summary = harvest(hub, repo)
            assert (summary.counts["new"], summary.counts["updated"], summary.counts["deleted"]) == (0, 0, 0)
            assert {r.id: r.content_hash for r in records(hub, repo)} == before
        finally:
            if "db" in upstream.__dict__:
                upstream.db.dispose()
