"""Zenodo's recorded token chain: a dead token mid-list never loses records, and an unchanged source changes nothing.

Zenodo's lists are not ordered by datestamp: page 2 of the recording holds records older than
page 1's newest, so restarting from the newest datestamp seen would skip them.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.models import HarvestRun, ItemError, Repository
from hub.states import RunState, Stage
from tests.realworld.conftest import ZENODO_CHAIN, harvest, recorded, register, response_date, stored, zenodo
from tests.realworld.replay import DATA, Kill, RecordedPage

FIRST_TOKEN = RecordedPage.load(DATA / ZENODO_CHAIN[0]).token


def _expected():
    records = recorded(ZENODO_CHAIN)
    return ({i for i, r in records.items() if not r.deleted}, {i for i, r in records.items() if r.deleted})


def _stored_split(hub, repo_id):
    rows = stored(hub, repo_id)
    return {i for i, r in rows.items() if not r.deleted}, {i for i, r in rows.items() if r.deleted}


def test_recording_is_out_of_order():
    """The premise of these tests: page 2 holds records older than page 1's newest."""
    page1, page2 = recorded(ZENODO_CHAIN[:1]), recorded(ZENODO_CHAIN[1:2])
    assert min(r.datestamp for r in page2.values()) < max(r.datestamp for r in page1.values())


def test_full_harvest_stores_every_recorded_record_once(hub, replay):
    server = replay(zenodo())
    repo_id = register(hub, server)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert _stored_split(hub, repo_id) == _expected()
    assert summary.pages == len(ZENODO_CHAIN)
    with hub.db.session() as session:
        assert session.get(Repository, repo_id).high_water_mark == response_date(ZENODO_CHAIN[0])


def test_second_harvest_of_an_unchanged_source_changes_nothing(hub, replay):
    """The incremental harvest asks from the high-water mark; Zenodo answers noRecordsMatch with HTTP 422."""
    server = replay(zenodo())
    repo_id = register(hub, server)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    before = {i: (r.hub_datestamp, r.content_hash, r.deleted) for i, r in stored(hub, repo_id).items()}
    again = harvest(hub, repo_id)
    assert again.state == RunState.SUCCEEDED, again.message
    assert again.counts["new"] == again.counts["updated"] == again.counts["deleted"] == 0
    assert {i: (r.hub_datestamp, r.content_hash, r.deleted) for i, r in stored(hub, repo_id).items()} == before
    incremental = server.list_requests()[-1]
    assert incremental.get("from"), "the second harvest is incremental"
    with hub.db.session() as session:  # the finished (empty) list moves the mark to the source's new responseDate
        assert session.get(Repository, repo_id).high_water_mark == response_date("zenodo/error_noRecordsMatch_422.xml")


def test_dead_token_restarts_the_list_from_its_original_start(hub, replay):
    """Zenodo answers the expired token with its recorded 422 badResumptionToken, once."""
    kill = Kill(status=422, body="zenodo/error_badResumptionToken_422.xml", times=1)
    server = replay(zenodo({FIRST_TOKEN: kill}))
    repo_id = register(hub, server)
    summary = harvest(hub, repo_id)
    assert kill.hits >= 1, "the harvester asked for the killed token"
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert _stored_split(hub, repo_id) == _expected()
    requests = server.list_requests()
    killed_at = next(i for i, r in enumerate(requests) if r.get("resumptionToken") == FIRST_TOKEN)
    restart = requests[killed_at + 1]
    assert "resumptionToken" not in restart and "from" not in restart, \
        f"the list restarts from its original start (no from), not from a datestamp seen: {restart}"
    assert summary.counts["unchanged"] == len(recorded(ZENODO_CHAIN[:1])), "page 1 read again counts unchanged"
    with hub.db.session() as session:
        warnings = session.scalars(select(ItemError).where(ItemError.run_id == summary.run_id,
                                                           ItemError.stage == Stage.GATHER)).all()
        assert any("token" in w.kind for w in warnings), [w.kind for w in warnings]
        assert session.get(Repository, repo_id).high_water_mark == response_date(ZENODO_CHAIN[0])


def test_incremental_list_restarts_from_its_original_from(hub, replay):
    """An incremental harvest (from=) whose second page's token dies: restart with the same from."""
    server = replay(zenodo({"replay-zenodo-3-*": Kill(times=1)}))
    repo_id = register(hub, server)
    with hub.db.session() as session:
        session.get(Repository, repo_id).high_water_mark = "2023-10-12T00:00:00Z"
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    requests = server.list_requests()
    fresh = [r for r in requests if "resumptionToken" not in r]
    assert len(fresh) == 2, requests
    assert fresh[1]["from"] == fresh[0]["from"], "the restart keeps the list's original from"
    assert _stored_split(hub, repo_id) == _expected(), "no record older than the newest seen is lost"


def test_token_that_dies_again_ends_partial_and_resumable(hub, replay):
    kill = Kill(status=422, body="zenodo/error_badResumptionToken_422.xml", times=None)
    server = replay(zenodo({FIRST_TOKEN: kill}))
    repo_id = register(hub, server)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.PARTIAL, (summary.state, summary.message)
    assert summary.message and "token" in summary.message.lower()
    live, deleted = _stored_split(hub, repo_id)
    assert live | deleted == set(recorded(ZENODO_CHAIN[:1])), "what was read is kept"
    with hub.db.session() as session:
        run = session.get(HarvestRun, summary.run_id)
        assert run.state == RunState.PARTIAL
        assert not session.get(Repository, repo_id).high_water_mark, \
            "the high-water mark never moves past a list that did not finish"
