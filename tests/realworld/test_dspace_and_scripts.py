"""DSpace@MIT tombstones keep their sets; Russian, Ukrainian and Chinese records are stored exactly."""

from __future__ import annotations

import unicodedata

from hub.states import RunState
from tests.realworld.conftest import dspace_tombstones, harvest, recorded, register, stored, zenodo_nonlatin

MIT = "dspace/ListRecords_oai_dc_with_tombstone_derived.xml"
NONLATIN = "zenodo/ListRecords_nonlatin_derived.xml"


def test_dspace_tombstones_keep_their_sets(hub, replay):
    server = replay(dspace_tombstones())
    repo_id = register(hub, server)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    rows, source = stored(hub, repo_id), recorded([MIT])
    assert set(rows) == set(source)
    deleted = {i for i, r in source.items() if r.deleted}
    assert deleted and {i for i, r in rows.items() if r.deleted} == deleted
    assert summary.counts["deleted"] == len(deleted)
    for ident in deleted:
        assert sorted(rows[ident].sets) == sorted(source[ident].sets)
    for ident, record in source.items():
        if not record.deleted:
            assert [t["value"] for t in rows[ident].meta["titles"]] == record.dc["title"]
    before = {i: (r.hub_datestamp, r.deleted) for i, r in rows.items()}
    again = harvest(hub, repo_id)
    assert again.state == RunState.SUCCEEDED, again.message
    assert {i: (r.hub_datestamp, r.deleted) for i, r in stored(hub, repo_id).items()} == before


def test_non_latin_titles_and_creators_are_stored_exactly(hub, replay):
    server = replay(zenodo_nonlatin())
    repo_id = register(hub, server)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows, source = stored(hub, repo_id), recorded([NONLATIN])
    assert set(rows) == set(source)
    for ident, record in source.items():
        meta = rows[ident].meta
        assert [t["value"] for t in meta["titles"]] == [unicodedata.normalize("NFC", t) for t in record.dc["title"]]
        assert [c["name"] for c in meta["creators"]] == [unicodedata.normalize("NFC", c) for c in record.dc["creator"]]
    assert rows["oai:zenodo.org:20637409"].meta["languages"] == ["rus"]
    assert rows["oai:zenodo.org:19368471"].meta["languages"] == ["ukr"]
    assert rows["oai:zenodo.org:19371553"].meta["titles"][0]["value"] == "國際貿易中隱私保護的法律協調全球趨勢綜述研究"
    assert [c["name"] for c in rows["oai:zenodo.org:19371553"].meta["creators"]] == ["萬庚鑫", "葉雪晶"]
