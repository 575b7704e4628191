"""The DSpace platform against fake DSpace 7 and DSpace 6 repositories (OAI-PMH + REST)."""

from __future__ import annotations

import pytest
from lxml import etree

from hub.pipeline.dispatch import run_stage
from hub.pipeline.graph import PipelineStage
from hub.states import RunState
from plugins.dspace.dim import crosswalk_dim
from plugins.dspace.mods import crosswalk_mods
from plugins.dspace.platform import choose_format, handle_of
from tests.platforms.conftest import check, links, records, register
from tests.platforms.conftest import harvest as harvest_records
from tests.platforms.fake_dspace import ORCID, FakeDSpace, make_items, render_dim, render_mods


def harvest(hub, repo_id: int):
    """A harvest's records, then the files stage over them (where the REST API is asked), as the pipeline
    runs them; the harvest's summary."""
    summary = harvest_records(hub, repo_id)
    run_stage(hub, PipelineStage.FILES, summary.changed_ids)
    return summary


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


def test_the_import_asks_no_rest_api_the_files_stage_does(hub, served):
    """No request inside the import's page transaction: the records are committed with their own links
    before the files stage asks the REST API, once per live record, outside any transaction."""
    fake = _mount(served, "d7", 7)
    repo_id = register(hub, "dspace", fake.base_url)
    summary = harvest_records(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED
    assert served.site.count("/discover/search/objects") == 0 and served.site.count("/bitstreams/") == 0
    assert all("/api/core/bitstreams/" not in link["url"] for link in links(records(hub, repo_id), "open"))
    report = run_stage(hub, PipelineStage.FILES, summary.changed_ids)
    live, _deleted = fake.held()
    assert served.site.count("/discover/search/objects") == live
    rows = records(hub, repo_id)
    assert len(links(rows, "open")) == fake.files_held("open") > 0
    assert set(report.records) == {r.id for r in rows if not r.deleted and r.fulltext_links}
    served.site.reset()
    run_stage(hub, PipelineStage.FILES, summary.changed_ids)  # the same files: nothing new to store
    assert served.site.count("/discover/search/objects") == live


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


def _findings(report) -> dict:
    return {f["key"]: f for f in report["findings"]}


@pytest.mark.parametrize("discovery", ["404", "empty", "403"])
def test_dspace7_finds_items_through_pid_find_when_discovery_fails(hub, served, discovery):
    """A discovery index that is missing (404), lagging (finds nothing) or restricted (403): the item is
    found by handle through /pid/find (a 302 to /core/items/<uuid>) and read with its embeds."""
    fake = _mount(served, "d7", 7, discovery=discovery)
    repo_id = register(hub, "dspace", fake.base_url)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows = records(hub, repo_id)
    live, _deleted = fake.held()
    assert len(links(rows, "open")) == fake.files_held("open") > 0
    assert len(links(rows, "embargoed")) == fake.files_held("embargo") > 0
    assert links(rows, "restricted") == []
    assert {link["embargo_until"] for link in links(rows, "embargoed")} == {"2099-01-01"}
    assert all(link["checksum"].startswith("md5:") and link["mime_type"] == "application/pdf"
               for link in links(rows, "open"))
    assert served.site.count("/discover/search/objects") == live
    assert served.site.count("/api/pid/find?id=") == live
    # the redirect was followed, then the item read again with the bundle embeds
    assert served.site.count("/api/core/items/") == 2 * live
    assert served.site.count("embed=bundles%2Fbitstreams%2Fformat") == 2 * live


def test_dspace7_check_says_which_way_found_the_items(hub, served):
    fake = _mount(served, "d7", 7)
    report = check(hub, register(hub, "dspace", fake.base_url))
    sampled = report["facts"]["fulltext_sample"]["records"]
    assert report["facts"]["rest_lookup"] == {"discovery search": sampled}
    assert _findings(report)["rest_lookup"]["ok"] and "discovery search" in _findings(report)["rest_lookup"]["detail"]

    lagging = _mount(served, "lag", 7, discovery="empty")
    report = check(hub, register(hub, "dspace", lagging.base_url))
    finding = _findings(report)["rest_lookup"]
    assert report["facts"]["rest_lookup"] == {"pid/find": sampled}
    assert finding["ok"] and "pid/find" in finding["detail"] and "found nothing" in finding["detail"]
    assert report["facts"]["fulltext_sample"]["with_reachable_pdf"] > 0


def test_dspace7_item_unknown_to_both_ways_is_a_failed_check_finding(hub, served):
    items = make_items(6)
    fake = _mount(served, "gone", 7, items=items, discovery="404")
    for item in items:  # the REST API no longer knows the items the OAI-PMH endpoint still lists
        item.number += 1000
    report = check(hub, register(hub, "dspace", fake.base_url))
    finding = _findings(report)["rest_lookup"]
    assert not finding["ok"] and "not found" in finding["detail"] and finding["advice_zh"]
    assert not report["ok"]


@pytest.mark.parametrize("handle_endpoint", ["404", "500"])
def test_dspace6_finds_items_by_metadata_field_when_the_handle_endpoint_fails(hub, served, handle_endpoint):
    fake = _mount(served, "d6", 6, handle_endpoint=handle_endpoint)
    repo_id = register(hub, "dspace", fake.base_url)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows = records(hub, repo_id)
    live, _deleted = fake.held()
    assert len(links(rows, "open")) == fake.files_held("open") > 0
    assert all(link["url"].startswith(f"{served.url}/d6/rest/bitstreams/") for link in links(rows, "open"))
    assert served.site.count("/rest/items/find-by-metadata-field?expand=bitstreams") == live
    report = check(hub, repo_id)
    assert report["facts"]["rest_lookup"] == {"find-by-metadata-field": report["facts"]["fulltext_sample"]["records"]}
    assert _findings(report)["rest_lookup"]["ok"]


def test_dspace6_check_reports_the_handle_endpoint(hub, served):
    fake = _mount(served, "d6", 6)
    report = check(hub, register(hub, "dspace", fake.base_url))
    assert report["facts"]["rest_lookup"] == {"rest/handle": report["facts"]["fulltext_sample"]["records"]}
    assert served.site.count("find-by-metadata-field") == 0
