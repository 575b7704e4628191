"""A national hub harvests a regional hub (the project's own OAI-PMH provider), provenance kept."""

from __future__ import annotations

from lxml import etree

from hub.context import Hub
from hub.states import RunState
from tests.core.servers import serve_app
from tests.platforms.conftest import harvest, records, register
from tests.platforms.fake_eprints import FakeEPrints

PROV = "{http://www.openarchives.org/OAI/2.0/provenance}"


def test_national_hub_aggregates_a_regional_hub(hub, served, overrides, tmp_path, app):
    fake = FakeEPrints("ep", served.url)
    served.site.mount("ep", fake)
    member_repo = register(hub, "eprints", fake.base_url)
    assert harvest(hub, member_repo).state == RunState.SUCCEEDED
    regional = records(hub, member_repo)
    national_dir = tmp_path / "national"
    national_dir.mkdir()
    national = Hub.create(overrides={**overrides, "DATABASE_URL": f"sqlite:///{national_dir / 'chair.db'}",
                                     "STORAGE_URL": f"file://{national_dir / 'objects'}",
                                     "SEARCH_URL": f"sqlite:///{national_dir / 'search.db'}"},
                          instance_path=national_dir)
    try:
        with serve_app(app) as regional_url:
            repo_id = register(national, "chair-hub", f"{regional_url}oai", slug="region")
            summary = harvest(national, repo_id)
            assert summary.state == RunState.SUCCEEDED, summary.message
        rows = records(national, repo_id)
        assert (sum(not r.deleted for r in rows), sum(r.deleted for r in rows)) == \
            (sum(not r.deleted for r in regional), sum(r.deleted for r in regional))
        live = [r for r in rows if not r.deleted]
        for row in live:
            provenance = etree.fromstring(row.meta["extra"]["provenance"].encode())
            origin = provenance.find(f"{PROV}originDescription")
            assert origin.findtext(f"{PROV}baseURL") == fake.base_url
            assert origin.findtext(f"{PROV}identifier").startswith("oai:eprints.example.edu.cn:")
        # the national hub's own provider nests the regional chain inside its originDescription
        from hub.app import create_app

        client = create_app(hub=national).test_client()
        oai_id = f"oai:{national.settings['OAI_IDENTIFIER_PREFIX']}:{live[0].id}"
        body = client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id}").data
        root = etree.fromstring(body)
        outer = root.find(f".//{PROV}provenance/{PROV}originDescription")
        inner = outer.find(f"{PROV}originDescription")
        assert inner is not None and inner.findtext(f"{PROV}baseURL") == fake.base_url
    finally:
        if "db" in national.__dict__:
            national.db.dispose()
