"""Plugins: built-ins and a third-party package load through the same entry-point group."""

from __future__ import annotations

import json
import sys
import textwrap
from importlib import metadata

import pytest
from sqlalchemy import select

from hub.harvest.gather import harvest_repository
from hub.members import add_institution, add_repository
from hub.models import Record
from hub.plugins import describe, get_plugin_manager, platforms
from tests.core.servers import serve_app

PLUGIN_SOURCE = textwrap.dedent('''
    """A third-party platform: a JSON list of records at a URL."""
    import json
    from hub.hookspecs import hookimpl
    from hub.normalise.record import LangString, NormalisedRecord
    from hub.platform import CheckReport, HarvestedItem, Page, Platform

    class JsonListPlatform(Platform):
        name = "example-jsonlist"
        label = "Example JSON list"

        def gather(self, *, since, checkpoint):
            body = self.http.get(self.source.base_url).body
            items = [HarvestedItem(source_identifier=r["id"], datestamp=r["date"], metadata_format="json",
                                   raw_metadata=json.dumps(r), metadata=r) for r in json.loads(body)]
            yield Page(items=items, checkpoint={"done": True}, response_date="2025-01-01T00:00:00Z")

        def normalise(self, item):
            return NormalisedRecord(titles=[LangString(item.metadata["title"])])

        def check(self):
            return CheckReport(reachable=True)

    @hookimpl
    def register_platforms():
        return [JsonListPlatform]
''')


@pytest.fixture
def external_plugin(tmp_path, monkeypatch):
    """Install a plugin package the way pip would: a module and a dist-info with an entry point."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "chair_example_plugin.py").write_text(PLUGIN_SOURCE)
    info = site / "chair_example_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: chair-example-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[chair.plugins]\nexample = chair_example_plugin\n")
    monkeypatch.syspath_prepend(str(site))
    yield "chair_example_plugin"
    sys.modules.pop("chair_example_plugin", None)


def test_builtin_platform_is_registered():
    pm = get_plugin_manager()
    assert "oai" in platforms(pm)
    assert any("oai" in info.platforms for info in describe(pm))


def test_builtins_come_through_the_entry_point_group_when_installed():
    names = {ep.value for ep in metadata.entry_points(group="chair.plugins")}
    assert "plugins.oai" in names, "pip install -e . registers the built-in plugins as entry points"


def test_external_plugin_is_loaded_and_harvests(external_plugin, hub):
    data = [{"id": "a1", "date": "2024-01-01", "title": "First"}, {"id": "a2", "date": "2024-01-02", "title": "第二"}]

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(data, ensure_ascii=False).encode()]

    pm = get_plugin_manager()
    assert "example-jsonlist" in platforms(pm)
    hub.pm = pm
    with serve_app(app) as url, hub.db.session() as session:
        add_institution(session, "ext", "External University")
        repo = add_repository(session, pm, hub.settings, member="ext", platform="example-jsonlist", base_url=url)
        session.commit()
        summary = harvest_repository(hub.db, pm, hub.settings, repo.id)
    assert summary.state.value == "succeeded", summary.message
    with hub.db.session() as session:
        titles = sorted(r.title for r in session.scalars(select(Record)))
    assert titles == ["First", "第二"]


def test_unknown_platform_is_refused(hub):
    with hub.db.session() as session:
        add_institution(session, "m1", "Member One")
        with pytest.raises(ValueError, match="unknown platform 'nope'"):
            add_repository(session, hub.pm, hub.settings, member="m1", platform="nope",
                           base_url="http://127.0.0.1:1/oai")
