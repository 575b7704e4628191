"""A faithful copy (issue 13): dead tokens, set unions, bounded values, empty updates, the sweep.

A fake OAI-PMH repository (tests/platforms/fake_oai.py) serves records whose datestamps are NOT in
list order, as Zenodo, DOAJ and DSpace do, so a restart from the newest datestamp seen would lose
records; tokens are killed by a wrapper that answers badResumptionToken.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from hub.harvest.gather import harvest_repository
from hub.hookspecs import hookimpl
from hub.members import add_institution, add_repository
from hub.models import HarvestRun, ItemError, Record, Repository, RepositoryStatus
from hub.states import NoticeKind, RunState
from tests.core.servers import serve_app
from tests.platforms.fake_oai import FakeOAI, OAIItem
from tests.platforms.site import Site

DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def dc(item: OAIItem) -> str:
    """oai_dc of a fake item: its title is its identifier, unless the test set one in ``about``."""
    title = item.about or f"Title of {item.identifier}"
    return (f'<oai_dc:dc xmlns:oai_dc="{DC}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{title}</dc:title><dc:creator>Wang, Wei</dc:creator></oai_dc:dc>")


@dataclass
class Source:
    """A fake repository on a loopback site, with tokens that can be killed."""

    fake: FakeOAI
    site: Site
    dead: set[str] = field(default_factory=set)  # token substrings that expire on their first use
    always_dead: set[str] = field(default_factory=set)  # token substrings that never work

    def __call__(self, request: Request, parts: list[str]) -> Response:
        token = request.values.get("resumptionToken") or ""
        expired = {fragment for fragment in self.dead if fragment in token}
        self.dead -= expired
        if token and (expired or any(fragment in token for fragment in self.always_dead)):
            return Response(self.fake.envelope(dict(request.values), self.fake.error(
                "badResumptionToken", "expired")), content_type="text/xml")
        return self.fake(request)

    def items(self) -> list[OAIItem]:
        return self.fake.items


@pytest.fixture
def source() -> Iterator[Source]:
    site = Site()
    with serve_app(site) as url:
        # Twelve records, four a page, datestamps shuffled: page 2 holds records older than page 1's newest.
        days = [5, 9, 2, 8, 1, 7, 3, 6, 4, 11, 10, 12]
        items = [OAIItem(f"oai:fake:{n}", f"2024-01-{day:02d}T10:00:00Z", sets=["A"] if n % 2 else ["B"])
                 for n, day in enumerate(days, 1)]
        fake = FakeOAI(f"{url.rstrip('/')}/repo/oai", items, {"oai_dc": dc}, {"oai_dc": DC}, style="dspace",
                       page_size=4, sets=[("A", "Set A"), ("B", "Set B")], deleted_record="transient")
        src = Source(fake, site)
        site.mount("repo", src)
        yield src


def register(hub, source: Source, **kwargs: Any) -> int:
    with hub.db.session() as session:
        add_institution(session, "member", "Member University", "成员大学")
        repo = add_repository(session, hub.pm, hub.settings, member="member", platform="oai",
                              base_url=source.fake.base_url, **kwargs)
        session.commit()
        return repo.id


def harvest(hub, repo_id: int, **kwargs: Any):
    return harvest_repository(hub.db, hub.pm, hub.settings, repo_id, http=hub.http(repo_id), **kwargs)


def stored(hub, repo_id: int) -> dict[str, Record]:
    with hub.db.session() as session:
        rows = session.scalars(select(Record).where(Record.repository_id == repo_id)).all()
        session.expunge_all()
    return {r.source_identifier: r for r in rows}


def notes(hub, run_id: int, kind: str) -> list[ItemError]:
    with hub.db.session() as session:
        rows = session.scalars(select(ItemError).where(ItemError.run_id == run_id, ItemError.kind == kind)).all()
        session.expunge_all()
    return list(rows)


def high_water_mark(hub, repo_id: int) -> str:
    with hub.db.session() as session:
        return session.get(Repository, repo_id).high_water_mark or ""


# -- 1. dead tokens ------------------------------------------------------------------------------

def test_a_dead_token_restarts_the_list_from_its_original_from_and_loses_nothing(hub, source):
    repo_id = register(hub, source)
    source.dead.add("/8")  # the token of page 3 (offset 8) has expired
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED
    assert set(stored(hub, repo_id)) == {i.identifier for i in source.items()}  # all twelve, once each
    assert summary.counts["new"] == 12 and summary.counts["unchanged"] == 8  # pages 1-2 read again, unchanged
    # The restart is a warning the run's summary shows, not a quiet notice.
    assert summary.warnings and "restarted the whole list" in summary.warnings[0]
    with hub.db.session() as session:
        assert session.get(HarvestRun, summary.run_id).message.startswith("Warning: ")
    assert notes(hub, summary.run_id, NoticeKind.TOKEN_FALLBACK)


def test_a_dead_token_in_an_incremental_list_restarts_from_that_lists_from(hub, source):
    repo_id = register(hub, source)
    harvest(hub, repo_id)
    mark = high_water_mark(hub, repo_id)
    for item in source.items():  # every record changes after the first harvest, in shuffled order
        item.datestamp = item.datestamp.replace("2024-01", "2025-04")  # after the first harvest's responseDate
        item.about = f"Changed {item.identifier}"
    source.dead.add("/8")
    summary = harvest(hub, repo_id)
    requests = [line for line in source.site.log if "ListRecords" in line and "metadataPrefix" in line]
    assert len(requests) >= 3 and len(set(requests[1:])) == 1  # the restart repeats the list's own first request
    assert all("from=" in line for line in requests[1:])
    assert summary.state == RunState.SUCCEEDED and summary.counts["updated"] == 12
    assert {r.title for r in stored(hub, repo_id).values()} == {f"Changed {i.identifier}" for i in source.items()}
    assert high_water_mark(hub, repo_id) >= mark


def test_a_token_that_dies_again_ends_partial_resumable_and_keeps_the_mark(hub, source):
    repo_id = register(hub, source)
    harvest(hub, repo_id)
    mark = high_water_mark(hub, repo_id)
    source.always_dead.add("/")  # every token dies: the list can never finish
    summary = harvest(hub, repo_id, full=True)
    assert summary.state == RunState.PARTIAL and summary.retryable
    with hub.db.session() as session:
        run = session.get(HarvestRun, summary.run_id)
        assert run.resumable and "died again" in run.message and "next harvest restarts" in run.message
    assert high_water_mark(hub, repo_id) == mark  # never moved past a list that did not finish
    assert notes(hub, summary.run_id, NoticeKind.LIST_RESTART_FAILED)
    assert all(not r.deleted for r in stored(hub, repo_id).values())  # an unfinished list sweeps nothing
    source.always_dead.clear()
    again = harvest(hub, repo_id)
    assert again.resumed and again.run_id == summary.run_id and again.state == RunState.SUCCEEDED


# -- 2. sets --------------------------------------------------------------------------------------

def test_a_record_in_two_harvested_sets_keeps_both_and_a_reharvest_changes_nothing(hub, source):
    for item in source.items()[:4]:
        item.sets = ["A", "B"]  # in both sets; each set's list names only its own set in the header
    original = source.fake.record

    def one_set_header(item: OAIItem, prefix: str) -> str:
        xml = original(item, prefix)
        return xml.replace("<setSpec>A</setSpec><setSpec>B</setSpec>", f"<setSpec>{listed[0]}</setSpec>")

    listed = ["A"]
    source.fake.record = one_set_header

    def route(request: Request, parts: list[str]) -> Response:
        listed[0] = request.values.get("set") or listed[0]
        return source(request, parts)

    source.site.mount("repo", route)
    repo_id = register(hub, source, sets=("A", "B"))
    first = harvest(hub, repo_id, full=True)
    records = stored(hub, repo_id)
    assert all(records[f"oai:fake:{n}"].sets == ["A", "B"] for n in range(1, 5))
    assert records["oai:fake:5"].sets == ["A"] and records["oai:fake:6"].sets == ["B"]
    datestamps = {k: r.hub_datestamp for k, r in records.items()}
    second = harvest(hub, repo_id, full=True)
    assert first.state == second.state == RunState.SUCCEEDED
    assert second.counts["updated"] == 0 and second.counts["new"] == 0 and second.counts["deleted"] == 0
    assert {k: r.hub_datestamp for k, r in stored(hub, repo_id).items()} == datestamps
    # The source moves oai:fake:1 out of set B: a full harvest, whose B list no longer has it, sees it leave B.
    source.items()[0].sets = ["A"]
    third = harvest(hub, repo_id, full=True)
    records = stored(hub, repo_id)
    assert records["oai:fake:1"].sets == ["A"] and records["oai:fake:2"].sets == ["A", "B"]
    assert third.counts["updated"] == 1 and records["oai:fake:1"].id in third.changed_ids
    assert "left it: oai:fake:1" in notes(hub, third.run_id, NoticeKind.SET_LEFT)[0].message
    fourth = harvest(hub, repo_id, full=True)  # and nothing changes after that
    assert fourth.counts["updated"] == 0 and stored(hub, repo_id)["oai:fake:1"].sets == ["A"]


# -- 8. bounded values, empty updates ---------------------------------------------------------------

def test_a_huge_title_is_cut_with_a_note_and_the_raw_metadata_kept(hub, source):
    hub.configure(HARVEST_MAX_VALUE_CHARS=5_000)
    source.items()[0].about = "长" * 2_000_000  # a 2-million-character title
    repo_id = register(hub, source)
    summary = harvest(hub, repo_id)
    record = stored(hub, repo_id)["oai:fake:1"]
    assert len(record.title) == 5_000 and record.title.endswith("…")
    assert len(record.raw_metadata) > 2_000_000
    [note] = notes(hub, summary.run_id, NoticeKind.VALUE_CUT)
    assert "titles[0].value was 2,000,000 characters" in note.message and note.source_identifier == "oai:fake:1"
    assert summary.state == RunState.SUCCEEDED


def test_an_update_without_metadata_keeps_the_stored_record(hub, source):
    repo_id = register(hub, source)
    harvest(hub, repo_id)
    before = stored(hub, repo_id)["oai:fake:2"]
    husk = source.items()[1]
    husk.datestamp = "2099-01-01T00:00:00Z"
    source.fake.render["oai_dc"] = lambda item: (dc(item) if item is not husk else (
        f'<oai_dc:dc xmlns:oai_dc="{DC}" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title></dc:title>'
        "</oai_dc:dc>"))
    summary = harvest(hub, repo_id, full=True)
    after = stored(hub, repo_id)["oai:fake:2"]
    assert after.title == before.title and after.meta == before.meta
    assert after.hub_datestamp == before.hub_datestamp and after.source_datestamp == before.source_datestamp
    [note] = notes(hub, summary.run_id, NoticeKind.EMPTY_METADATA)
    assert "stored record was kept" in note.message and "2099" in note.message
    assert summary.state == RunState.PARTIAL and summary.counts["failed"] == 1
    assert not after.deleted  # a record kept for its failed update is seen, never swept


# -- 12. the sweep ---------------------------------------------------------------------------------

def test_a_full_harvest_tombstones_what_the_source_no_longer_lists(hub, source):
    repo_id = register(hub, source)
    harvest(hub, repo_id)
    gone = source.fake.items.pop(4)  # withdrawn without a tombstone (deletedRecord=transient)
    incremental = harvest(hub, repo_id)
    assert not stored(hub, repo_id)[gone.identifier].deleted  # only a full listing shows it gone
    assert incremental.counts["deleted"] == 0
    summary = harvest(hub, repo_id, full=True)
    records = stored(hub, repo_id)
    assert records[gone.identifier].deleted and records[gone.identifier].sets == gone.sets
    assert records[gone.identifier].title  # the tombstone keeps its metadata
    assert records[gone.identifier].id in summary.changed_ids
    assert sum(r.deleted for r in records.values()) == 1 and summary.counts["deleted"] == 1
    [note] = notes(hub, summary.run_id, NoticeKind.SWEPT)
    assert gone.identifier in note.message
    assert any("no longer listed" in w for w in summary.warnings)
    # It comes back: live again.
    source.fake.items.append(gone)
    harvest(hub, repo_id, full=True)
    assert not stored(hub, repo_id)[gone.identifier].deleted


def test_a_source_that_suddenly_lists_little_is_an_outage_not_a_mass_deletion(hub, source):
    repo_id = register(hub, source)
    harvest(hub, repo_id)
    kept = source.fake.items[:3]
    source.fake.items[:] = kept  # 9 of 12 records vanish at once
    summary = harvest(hub, repo_id, full=True)
    assert summary.state == RunState.SUCCEEDED
    assert not any(r.deleted for r in stored(hub, repo_id).values())
    [note] = notes(hub, summary.run_id, NoticeKind.SWEEP_HELD)
    assert "9 of 12 live records (75%)" in note.message and "--confirm-deletions" in note.message
    with hub.db.session() as session:
        assert session.get(RepositoryStatus, repo_id).sweep_held == 9
    confirmed = harvest(hub, repo_id, full=True, confirm_deletions=True)
    assert sum(r.deleted for r in stored(hub, repo_id).values()) == 9 and confirmed.counts["deleted"] == 9
    with hub.db.session() as session:
        assert session.get(RepositoryStatus, repo_id).sweep_held == 0


def test_the_sweep_skips_a_run_with_unidentifiable_records(hub, source):
    repo_id = register(hub, source)
    harvest(hub, repo_id)
    source.fake.items.pop(0)
    source.fake.record = lambda item, prefix, original=source.fake.record: (
        original(item, prefix).replace(f"<identifier>{item.identifier}</identifier>", "")
        if item.identifier == "oai:fake:2" else original(item, prefix))
    summary = harvest(hub, repo_id, full=True)
    assert not any(r.deleted for r in stored(hub, repo_id).values())
    assert any("without an identifier" in n.message for n in notes(hub, summary.run_id, NoticeKind.SWEEP_HELD))


# -- 11. the import tells the provider what it rewrites -----------------------------------------------

class WriteLog:
    """A plugin that records the import's write hooks, as the OAI-PMH provider's dissemination marks use them."""

    def __init__(self) -> None:
        self.rewriting: list[list[int]] = []
        self.written: list[list[int]] = []

    @hookimpl
    def records_rewriting(self, connection, record_ids, pm):
        self.rewriting.append(sorted(record_ids))

    @hookimpl
    def records_written(self, connection, record_ids, pm):
        self.written.append(sorted(record_ids))


def test_the_import_announces_the_records_it_rewrites_before_and_after(hub, source):
    log = WriteLog()
    hub.pm.register(log)
    repo_id = register(hub, source)
    harvest(hub, repo_id)
    ids = {r.source_identifier: r.id for r in stored(hub, repo_id).values()}
    assert sorted(i for page in log.written for i in page) == sorted(ids.values()) and log.rewriting == []
    source.items()[2].about = "A new title"
    log.written.clear()
    harvest(hub, repo_id, full=True)
    assert log.rewriting == [[ids["oai:fake:3"]]] and log.written == [[ids["oai:fake:3"]]]
