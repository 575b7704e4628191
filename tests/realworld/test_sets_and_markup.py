"""Zenodo: one record in two harvested sets keeps both memberships; escaped HTML abstracts become clean text."""

from __future__ import annotations

import html
import re

from hub.states import RunState
from tests.realworld.conftest import (
    ZENODO_CHAIN,
    harvest,
    recorded,
    register,
    stored,
    zenodo,
    zenodo_two_sets,
)

SOFTWARE = "zenodo/ListRecords_set_software_trimmed.xml"
DRYAD = "zenodo/ListRecords_set_user-dryad_derived.xml"


def test_record_in_two_sets_keeps_both_and_a_reharvest_changes_nothing(hub, replay):
    server = replay(zenodo_two_sets())
    repo_id = register(hub, server, sets=("software", "user-dryad"))
    first = harvest(hub, repo_id)
    assert first.state == RunState.SUCCEEDED, first.message
    software, dryad = recorded([SOFTWARE]), recorded([DRYAD])
    rows = stored(hub, repo_id)
    assert set(rows) == set(software) | set(dryad)
    for ident, row in rows.items():
        expected = set()
        for listed, spec in ((software, "software"), (dryad, "user-dryad")):
            if ident in listed:
                expected |= set(listed[ident].sets) | {spec}
        assert set(row.sets) == expected, ident
    assert set(rows["oai:zenodo.org:8321258"].sets) == {"software", "user-dryad"}
    before = {i: (r.hub_datestamp, r.content_hash, sorted(r.sets)) for i, r in rows.items()}
    again = harvest(hub, repo_id, full=True)
    assert again.state == RunState.SUCCEEDED, again.message
    assert again.counts["new"] == again.counts["updated"] == 0, again.counts
    after = {i: (r.hub_datestamp, r.content_hash, sorted(r.sets)) for i, r in stored(hub, repo_id).items()}
    assert after == before


def _clean(escaped: str) -> str:
    """The recorded abstract as text: entities decoded twice (Zenodo escapes its HTML), tags dropped."""
    text = html.unescape(html.unescape(escaped))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def test_escaped_html_abstracts_become_clean_text_and_raw_stays_verbatim(hub, replay):
    server = replay(zenodo())
    repo_id = register(hub, server)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows = stored(hub, repo_id)
    source = recorded(ZENODO_CHAIN)
    pocket = rows["oai:zenodo.org:8435696"]
    abstract = pocket.meta["abstracts"][0]["value"]
    assert "<p>" not in abstract and "&lt;" not in abstract and "&amp;" not in abstract and "<br>" not in abstract
    assert abstract.startswith("A configuration layer for the analysis of CMS data in the NanoAOD format")
    assert "\n" in abstract, "paragraph breaks are kept"
    assert re.sub(r"\s+", " ", abstract).strip() == _clean(source["oai:zenodo.org:8435696"].dc["description"][0])
    assert "&amp;lt;p&amp;gt;A configuration layer" in pocket.raw_metadata, "raw metadata keeps the escaped text"
    for ident, row in rows.items():
        for value in row.meta.get("abstracts", []):
            assert not re.search(r"&(lt|gt|amp|nbsp|[a-z]+acute);|</?(p|br|ul|li|a)\b", value["value"]), ident
