"""The EPrints platform against a fake EPrints 3.4 (OAI-PMH quirks, EP3 exports, document security)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hub.states import RunState
from plugins.eprints.ep3 import export_name_in, parse_export
from plugins.eprints.sets import decode_set_spec, encode_set_spec
from tests.platforms.conftest import check, harvest, links, records, register
from tests.platforms.fake_eprints import REPO_ID, FakeEPrints

FIXTURES = Path(__file__).parent.parent / "fixtures" / "platforms"


def _mount(served, slug: str = "ep") -> FakeEPrints:
    fake = FakeEPrints(slug, served.url)
    served.site.mount(slug, fake)
    return fake


def test_eprints_harvest_end_to_end(hub, served):
    fake = _mount(served)
    repo_id = register(hub, "eprints", fake.base_url)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    rows = records(hub, repo_id)
    live, deleted = fake.held()
    assert (sum(not r.deleted for r in rows), sum(r.deleted for r in rows)) == (live, deleted)
    # escaped offset tokens were sent back encoded exactly once (the fake refuses anything else)
    assert served.site.count("resumptionToken=metadataPrefix%253Doai_dc%2526offset%253D") >= 2
    assert len(links(rows, "open")) == fake.files_held("open")
    assert len(links(rows, "embargoed")) == fake.files_held("embargo")
    assert links(rows, "restricted") == []
    assert not any(link["url"].endswith("indexcodes.txt") for r in rows for link in r.fulltext_links)
    assert all(link["checksum"].startswith("md5:") and link["size"] for link in links(rows, "open"))
    # one EP3 export per live record, plus one abstract page to learn the export file names
    assert served.site.count("/cgi/export/eprint/") == live
    assert served.site.count("/id/eprint/") == 1
    first = next(r for r in rows if not r.deleted)
    assert first.meta["extra"]["eprints"]["sets"][0].startswith("types=")
    assert "status=pub" in first.meta["extra"]["eprints"]["sets"]
    assert first.meta["creators"][0]["orcid"] == "0000-0002-1825-0097"


def test_eprints_incremental_harvest_despite_bogus_earliest_datestamp(hub, served):
    fake = _mount(served)
    repo_id = register(hub, "eprints", fake.base_url)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    fake.oai.items[0].datestamp = "2025-03-01T12:30:00Z"  # touched after the first harvest's responseDate
    served.site.reset()
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED
    assert served.site.count("from=2025-03-01T") == 1
    assert summary.counts["seen"] == 1
    report = check(hub, repo_id)
    earliest = next(f for f in report["findings"] if f["key"] == "earliest_datestamp")
    assert not earliest["ok"] and earliest["advice_en"] and earliest["advice_zh"]
    assert report["stored_options"]["export_name"] == REPO_ID


def test_readable_set_names_select_hex_sets(hub, served):
    fake = _mount(served)
    repo_id = register(hub, "eprints", fake.base_url)
    from hub.models import Repository

    with hub.db.session() as session:
        session.get(Repository, repo_id).sets_include = ["types=thesis"]
        session.commit()
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows = records(hub, repo_id)
    assert len(rows) == sum(1 for e in fake.eprints if e.kind == "thesis")
    assert served.site.count(f"set={encode_set_spec('types=thesis')}") == 1


def test_set_spec_decoding():
    assert decode_set_spec("74797065733D61727469636C65") == "types=article"
    assert encode_set_spec("types=article") == "74797065733D61727469636C65"
    assert decode_set_spec("com_123456789_1") == "com_123456789_1"
    assert decode_set_spec("CAFE") == "CAFE"


def test_real_caltech_export_keeps_public_main_documents_only():
    export = parse_export((FIXTURES / "caltechauthors_ep3xml_eprint_106567.xml").read_bytes(), today=date(2025, 1, 1))
    urls = [f.url for f in export.files]
    assert urls == ["https://authors.library.caltech.edu/106567/1/2009.09100.pdf",
                    "https://authors.library.caltech.edu/106567/3/09319250.pdf"]
    assert export.withheld == 1  # the security=internal published version
    assert export.files[0].checksum == "md5:8e4d3d63d119669fde1e503dd6f48f67" and export.files[0].size == 3573459


def test_export_name_from_abstract_page():
    page = (b'<link rel="alternate" href="https://ir.example.edu/cgi/export/eprint/12/XML/irdemo-eprint-12.xml" '
            b'type="application/vnd.eprints.data+xml; charset=utf-8" title="EP3 XML" />')
    assert export_name_in(page) == "irdemo"
    assert export_name_in(b"<html></html>") == ""
