"""Formats without a crosswalk (arXiv's ``arXiv``) and MARC inside OAI-PMH (an Alma catalogue)."""

from __future__ import annotations

import pytest

from hub.states import RunState
from tests.realworld.conftest import alma, arxiv, harvest, recorded, register, stored

ARXIV = "arxiv/ListRecords_arXiv_cs_trimmed.xml"
ALMA = "alma/ListRecords_marc21_blacklight_derived.xml"
MARC = {"namespaces": {"marc": "http://www.loc.gov/MARC21/slim"},
        "fields": {"titles": "marc:datafield[@tag='245']",
                   "creators": "marc:datafield[@tag='100' or @tag='700']/marc:subfield[@code='a']",
                   "languages": "substring(marc:controlfield[@tag='008'], 36, 3)"}}
ARXIV_MAPPING = {"namespaces": {"a": "http://arxiv.org/OAI/arXiv/"},
                 "fields": {"titles": "a:title", "abstracts": "a:abstract", "dates": "a:created"}}


def test_prefix_without_crosswalk_is_refused_on_the_oai_platform(hub, replay):
    server = replay(arxiv())
    with pytest.raises(ValueError, match="oai-mapped"):
        register(hub, server, metadata_prefix="arXiv")


def test_prefix_without_crosswalk_harvests_through_a_mapping(hub, replay):
    server = replay(arxiv())
    repo_id = register(hub, server, platform="oai-mapped", metadata_prefix="arXiv", options=ARXIV_MAPPING)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    rows = stored(hub, repo_id)
    source = recorded([ARXIV])
    assert set(rows) == set(source)
    for ident, row in rows.items():
        assert row.metadata_format == "arXiv"
        assert row.meta.get("titles"), ident
        assert row.raw_metadata.lstrip().startswith("<arXiv")


def test_marc_inside_oai_names_without_trailing_punctuation(hub, replay):
    server = replay(alma())
    repo_id = register(hub, server, platform="oai-mapped", metadata_prefix="marc21", sets=("blacklight",),
                       options=MARC)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    rows = stored(hub, repo_id)
    source = recorded([ALMA])
    assert set(rows) == set(source)
    assert {i for i, r in rows.items() if r.deleted} == {i for i, r in source.items() if r.deleted}
    assert all("blacklight" in r.sets for r in rows.values())
    etzioni = rows["oai:alma.01TULI_INST:991000000269703811"].meta
    assert [c["name"] for c in etzioni["creators"]] == ["Etzioni, Amitai"]
    assert etzioni["creators"][0]["family"] == "Etzioni" and etzioni["creators"][0]["given"] == "Amitai"
    assert [t["value"] for t in etzioni["titles"]] == ["Readings on modern organizations"]
    bevan = rows["oai:alma.01TULI_INST:991022063789703811"].meta
    assert bevan["languages"] == ["eng"], "008/35-37 (the recorded 008 of Etzioni's record lost its spacing)"
    assert [c["name"] for c in bevan["creators"]] == ["Bevan, Joseph Gurney", "Benezet, Anthony"]
    assert [t["value"] for t in bevan["titles"]] == [
        "A summary of the history, doctrine, and discipline, of Friends: [electronic resource] : "
        "written at the desire of the Meeting for Sufferings, in London"], "subfields joined with a space"
