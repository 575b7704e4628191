"""Harvesting sample DSpace- and EPrints-style repositories: exactly the records they hold."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.harvest.gather import harvest_repository
from hub.models import HarvestRun, Record, Repository
from hub.samples.records import HANDLE_PREFIX, hex_set, record_timestamp
from hub.states import FulltextState, RunKind, RunState
from tests.harvest.conftest import expected_identifiers, register, stored_identifiers


def harvest(hub, repo_id, **kwargs):
    return harvest_repository(hub.db, hub.pm, hub.settings, repo_id, **kwargs)


@pytest.mark.parametrize("style", ["dspace", "eprints"])
def test_full_harvest_holds_exactly_the_source_records(hub, site, style):
    sample = site.repo(style)
    repo_id = register(hub, site.url, sample)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED, summary.message
    live, deleted = expected_identifiers(sample)
    assert stored_identifiers(hub, repo_id) == (live, deleted)
    assert summary.counts["seen"] == sample.records
    assert summary.counts["new"] == len(live)
    assert summary.counts["deleted"] == len(deleted)
    assert summary.pages == 3
    with hub.db.session() as session:
        repo = session.get(Repository, repo_id)
        assert repo.high_water_mark.endswith("Z")
        record = session.scalars(select(Record).where(Record.repository_id == repo_id, Record.deleted.is_(False))
                                 ).first()
        assert record.raw_metadata.lstrip().startswith("<oai_dc:dc")
        assert record.meta["titles"]
        assert record.metadata_format == "oai_dc"
        with_links = session.scalars(select(Record).where(Record.repository_id == repo_id,
                                                          Record.fulltext_state == FulltextState.FOUND)).all()
        assert with_links and all(r.fulltext_links for r in with_links)
        assert all(link["url"].endswith(".pdf") for r in with_links for link in r.fulltext_links)


def test_reharvest_that_changes_nothing_rewrites_nothing(hub, site):
    sample = site.repo("dspace")
    repo_id = register(hub, site.url, sample)
    harvest(hub, repo_id)
    with hub.db.session() as session:
        before = dict(session.execute(select(Record.id, Record.hub_datestamp)).all())
    again = harvest(hub, repo_id, full=True)
    assert again.state == RunState.SUCCEEDED
    assert again.counts["unchanged"] == sample.records
    assert again.counts["new"] == again.counts["updated"] == 0
    with hub.db.session() as session:
        after = dict(session.execute(select(Record.id, Record.hub_datestamp)).all())
    assert after == before


def test_incremental_harvest_picks_up_changed_records_only(hub, site):
    from datetime import UTC, datetime, timedelta

    sample = site.repo("eprints")
    repo_id = register(hub, site.url, sample)
    harvest(hub, repo_id)
    sample.revision = 1  # every touch_every-th record changes, with a later datestamp
    # The sample's clock is fictional (2024); put the high-water mark just after its untouched records.
    newest_untouched = max(record_timestamp(sample, i) for i in range(sample.records) if i % sample.touch_every)
    mark = datetime.fromtimestamp(newest_untouched, UTC) + timedelta(seconds=hub.settings["HARVEST_OVERLAP_SECONDS"] + 1)
    with hub.db.session() as session:
        session.get(Repository, repo_id).high_water_mark = mark.strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = harvest(hub, repo_id)
    touched = len(range(0, sample.records, sample.touch_every))
    assert summary.state == RunState.SUCCEEDED, summary.message
    with hub.db.session() as session:
        run = session.get(HarvestRun, summary.run_id)
        assert run.kind == RunKind.INCREMENTAL and run.from_date
    assert summary.counts["seen"] == touched
    assert summary.counts["updated"] + summary.counts["unchanged"] == touched
    assert summary.counts["updated"] >= touched - 2  # tombstones among them may stay unchanged
    assert summary.counts["new"] == 0


def test_deletions_become_tombstones_that_keep_their_metadata(hub, site):
    sample = site.repo("dspace")
    sample.deleted_every = 10**9  # nothing deleted at first
    repo_id = register(hub, site.url, sample)
    harvest(hub, repo_id)
    sample.deleted_every = 97
    summary = harvest(hub, repo_id, full=True)
    _, deleted = expected_identifiers(sample)
    assert summary.counts["deleted"] == len(deleted) > 0
    with hub.db.session() as session:
        tombstones = session.scalars(select(Record).where(Record.deleted.is_(True))).all()
    assert {t.source_identifier for t in tombstones} == deleted
    assert all(t.meta.get("titles") and t.raw_metadata for t in tombstones)


def test_sets_include_and_exclude(hub, site):
    sample = site.repo("dspace")
    wanted = f"col_{HANDLE_PREFIX}_3"
    repo_id = register(hub, site.url, sample, sets=(wanted,))
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    live, deleted = expected_identifiers(sample, {wanted})
    assert stored_identifiers(hub, repo_id) == (live, deleted)
    assert 0 < len(live) < sample.records / 2

    eprints = site.repo("eprints")
    excluded = hex_set("types=article")
    other_id = register(hub, site.url, eprints, exclude_sets=(excluded,))
    assert harvest(hub, other_id).state == RunState.SUCCEEDED
    live_all, deleted_all = expected_identifiers(eprints)
    live_ex, deleted_ex = expected_identifiers(eprints, {excluded})
    assert live_ex, "the sample must have articles to exclude"
    assert stored_identifiers(hub, other_id) == (live_all - live_ex, deleted_all - deleted_ex)


def test_paused_repository_is_not_harvested(hub, site):
    from hub.members import set_state
    from hub.states import RepositoryState

    repo_id = register(hub, site.url, site.repo("dspace"))
    with hub.db.session() as session:
        set_state(session, repo_id, RepositoryState.PAUSED)
    summary = harvest(hub, repo_id)
    assert summary.run_id is None and "paused" in summary.message
    assert stored_identifiers(hub, repo_id) == (set(), set())


def test_private_addresses_are_refused_unless_allowed(hub, site):
    hub.configure(ALLOW_PRIVATE_ADDRESSES=False)
    with pytest.raises(ValueError, match="127.0.0.1"):
        register(hub, site.url, site.repo("dspace"))
