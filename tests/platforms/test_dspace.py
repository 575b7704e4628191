"""The DSpace platform against fake DSpace 7 and DSpace 6 repositories (OAI-PMH + REST)."""

from __future__ import annotations

from lxml import etree

from hub.states import RunState
from plugins.dspace.dim import crosswalk_dim
from plugins.dspace.mods import crosswalk_mods
from plugins.dspace.platform import choose_format, handle_of
from tests.platforms.conftest import check, harvest, links, records, register
from tests.platforms.fake_dspace import ORCID, FakeDSpace, make_items, render_dim, render_mods


def _mount(served, slug: str, version: int, **kwargs) -> FakeDSpace:
    fake = FakeDSpace(slug, version, served.url, **kwargs)
    served.site.mount(slug, fake)
    return fake


def test_dspace7_harvest_dim_and_rest_files(hub, served):
    fake = _mount(served, "d7", 7)
    repo_id = register(hub, "dspace", fake.base_url)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    rows = records(hub, repo_id)
    live, deleted = fake.held()
    assert (sum(not r.deleted for r in rows), sum(r.deleted for r in rows)) == (live, deleted)
    assert {r.metadata_format for r in rows if not r.deleted} == {"dim"}
    assert len(links(rows, "open")) == fake.files_held("open")
    assert len(links(rows, "embargoed")) == fake.files_held("embargo")
    assert links(rows, "restricted") == []
    opened = links(rows, "open")
    assert all(link["checksum"].startswith("md5:") and link["size"] and link["mime_type"] == "application/pdf"
               for link in opened)
    assert all("/api/core/bitstreams/" in link["url"] and link["url"].endswith("/content") for link in opened)
    embargoed = links(rows, "embargoed")
    assert {link["embargo_until"] for link in embargoed} == {"2099-01-01"}
    # one REST request per harvested (live) record, no more
    assert served.site.count("/discover/search/objects") == live
    sample = next(r for r in rows if not r.deleted)
    assert sample.meta["issued"].startswith("20") and not sample.meta["issued"].startswith("2024")
    assert {"scheme": "handle", "value": handle_of(sample.source_identifier)} in sample.meta["identifiers"]
    dspace = sample.meta["extra"]["dspace"]
    assert dspace["communities"] == [{"spec": "com_123456789_1", "name": "理学院 School of Science"}]
    assert dspace["collections"][0]["name"] in ("学位论文 Theses", "期刊论文 Journal articles")


def test_dspace6_harvest_mods_and_rest_files(hub, served):
    fake = _mount(served, "d6", 6)
    repo_id = register(hub, "dspace", fake.base_url)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows = records(hub, repo_id)
    live, deleted = fake.held()
    assert (sum(not r.deleted for r in rows), sum(r.deleted for r in rows)) == (live, deleted)
    assert {r.metadata_format for r in rows if not r.deleted} == {"mods"}
    assert len(links(rows, "open")) == fake.files_held("open")
    assert links(rows, "embargoed") == [] and links(rows, "restricted") == []
    assert all(link["url"].startswith(f"{served.url}/d6/rest/bitstreams/") for link in links(rows, "open"))
    assert served.site.count("/rest/handle/") == live


def test_dspace_without_rest_api_uses_record_links(hub, served):
    fake = _mount(served, "old", 6, rest=False)
    repo_id = register(hub, "dspace", fake.base_url)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows = records(hub, repo_id)
    assert sum(not r.deleted for r in rows) == fake.held()[0]
    assert served.site.count("/rest/handle/") == 0


def test_check_chooses_format_and_rest_and_stores_them(hub, served):
    fake = _mount(served, "d7", 7)
    repo_id = register(hub, "dspace", fake.base_url)
    report = check(hub, repo_id)
    assert report["reachable"]
    assert report["stored_options"]["metadata_prefix"] == "dim"
    assert report["stored_options"]["rest_version"] == 7
    assert report["stored_options"]["rest_url"] == f"{served.url}/d7/server/api"
    facts = report["facts"]
    assert facts["resumption"] is True and facts["page2_records"] > 0
    assert facts["fulltext_sample"]["with_reachable_pdf"] > 0
    assert "DSpace 7 REST" in facts["strategy"]
    served.site.reset()
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    # the stored options spare the harvest its format and REST look-ups
    assert served.site.count("verb=ListMetadataFormats") == 0
    assert served.site.log.count("/d7/server/api") == 0 and served.site.count("/discover/search/objects") > 0


def test_choose_format_prefers_the_richest_readable():
    assert choose_format({"oai_dc", "qdc", "dim", "mods"}, {"oai_dc", "dim", "mods"}) == "dim"
    assert choose_format({"oai_dc", "qdc", "mods"}, {"oai_dc", "dim", "mods"}) == "mods"
    assert choose_format({"oai_dc", "xoai"}, {"oai_dc", "dim"}) == "oai_dc"
    assert handle_of("oai:dspace.mit.edu:1721.1/12345") == "1721.1/12345"


def test_dim_crosswalk_picks_issued_authors_and_orcid():
    item = make_items(1)[0]
    record = crosswalk_dim(etree.fromstring(render_dim(item)))
    assert record.issued == f"20{10 + item.number % 10}-05"
    assert [p.name for p in record.creators] == ["Wang, Li", "张伟"]
    assert record.creators[0].orcid == ORCID
    assert [p.name for p in record.contributors] == ["Chen, Ming"]
    assert [a.value for a in record.abstracts] == ["A study of groundwater recharge."]
    assert record.source == ["水文学报"]
    assert record.license_url.startswith("https://creativecommons.org/licenses/by/4.0")
    assert {t.lang for t in record.titles} == {"eng", "zho"}
    assert record.extra["dspace"]["dates"]["accessioned"] == ["2024-01-02T08:00:00Z"]


def test_mods_crosswalk():
    item = make_items(1)[0]
    record = crosswalk_mods(etree.fromstring(render_mods(item)))
    assert record.titles[0].value.startswith("Groundwater")
    assert [p.name for p in record.creators] == ["Wang, Li"]
    assert record.issued == f"20{10 + item.number % 10}-05"
    assert record.languages == ["zho"]
    assert record.resource_type
