"""Every metadata fault of QUIRKS.md, injected into a sample repository: the harvest survives it.

Transient faults are retried within the run; faults that retrying cannot fix fail the run
with a clear message and a checkpoint, and the next harvest resumes it. In every case the
hub ends with exactly the records the repository holds.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.harvest.gather import harvest_repository
from hub.models import ItemError
from hub.samples.faults import attach_faults
from hub.samples.server import serve
from hub.states import RunState, Stage
from tests.harvest.conftest import expected_identifiers, register, sample_repos, stored_identifiers


def harvest_with_faults(hub, style: str, specs: list[str], records: int = 250):
    repos = sample_repos(records)
    sample = next(r for r in repos if r.style.value == style)
    attach_faults([sample], specs)
    server, _thread, url = serve([sample])
    try:
        repo_id = register(hub, url, sample)
        first = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
        second = None
        if not first.state.finished:
            second = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
    finally:
        server.shutdown()
        server.server_close()
    return sample, repo_id, first, second


TRANSIENT = [
    "page=2:http500:times=2",
    "page=2:http504",
    "page=2:http429:retry-after=1",
    "page=3:http503:retry-after=1:times=2",
    "page=2:http503:retry-after-date=1",
    "page=2:empty-body",
    "page=2:truncated",
    "page=2:bad-token",
    "page=2:empty-page",
    "past-size",
]


@pytest.mark.parametrize("style", ["dspace", "eprints"])
@pytest.mark.parametrize("spec", TRANSIENT)
def test_transient_faults_are_survived_within_the_run(hub, style, spec):
    sample, repo_id, first, second = harvest_with_faults(hub, style, [spec])
    assert first.state == RunState.SUCCEEDED, first.message
    assert stored_identifiers(hub, repo_id) == expected_identifiers(sample)


def test_token_fallback_is_recorded_on_the_run(hub):
    _, repo_id, first, _ = harvest_with_faults(hub, "eprints", ["page=2:bad-token"])
    with hub.db.session() as session:
        kinds = set(session.scalars(select(ItemError.kind).where(ItemError.run_id == first.run_id)))
    assert "token_fallback" in kinds


def test_html_login_page_on_the_first_request_fails_the_run_clearly(hub):
    sample, repo_id, first, second = harvest_with_faults(hub, "dspace", ["page=1:html-login"])
    assert first.state == RunState.FAILED
    assert "HTML" in first.message and "Login" in first.message
    assert second.state == RunState.SUCCEEDED
    assert stored_identifiers(hub, repo_id) == expected_identifiers(sample)


def test_html_page_on_a_resumed_token_falls_back_to_from(hub):
    sample, repo_id, first, _ = harvest_with_faults(hub, "eprints", ["page=2:html-login"])
    assert first.state == RunState.SUCCEEDED
    assert stored_identifiers(hub, repo_id) == expected_identifiers(sample)
    with hub.db.session() as session:
        kinds = set(session.scalars(select(ItemError.kind).where(ItemError.run_id == first.run_id)))
    assert "token_fallback" in kinds


def test_long_retry_after_fails_resumably_and_the_next_harvest_resumes_at_the_checkpoint(hub):
    sample, repo_id, first, second = harvest_with_faults(hub, "dspace", ["page=3:http503:retry-after=3600"])
    assert first.state == RunState.FAILED
    assert "3600" in first.message and "resumable from page 2" in first.message
    assert second.resumed and second.run_id == first.run_id
    assert second.state == RunState.SUCCEEDED
    assert second.counts["seen"] == sample.records, "the resumed run read each page once"
    assert stored_identifiers(hub, repo_id) == expected_identifiers(sample)


def test_illegal_character_is_dropped_and_its_record_stored(hub):
    """The record is mended, not lost (quarantine of records that stay broken: tests/harvest/test_repairs.py)."""
    sample, repo_id, first, _ = harvest_with_faults(hub, "dspace", ["page=2:illegal-char:char=0b"])
    assert first.state.finished and first.counts["failed"] == 0
    assert stored_identifiers(hub, repo_id) == expected_identifiers(sample)
    with hub.db.session() as session:
        assert not session.scalars(select(ItemError).where(ItemError.run_id == first.run_id,
                                                           ItemError.stage == Stage.GATHER,
                                                           ItemError.kind == "unreadable-record")).all()


def test_repeated_token_stops_the_run_as_runaway(hub):
    _, repo_id, first, second = harvest_with_faults(hub, "dspace", ["page=2:repeat-token"])
    assert first.state == RunState.FAILED
    assert "token" in first.message.lower()


def test_seconds_rejected_by_a_day_server_falls_back_to_days(hub):
    from datetime import UTC, datetime

    from hub.models import Repository

    repos = sample_repos()
    sample = repos[0]
    attach_faults([sample], ["reject-seconds"])
    server, _thread, url = serve([sample])
    try:
        repo_id = register(hub, url, sample)
        with hub.db.session() as session:  # an incremental harvest sends from= with a time part
            session.get(Repository, repo_id).high_water_mark = datetime(2024, 1, 1, tzinfo=UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
        summary = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
    finally:
        server.shutdown()
        server.server_close()
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert stored_identifiers(hub, repo_id) == expected_identifiers(sample)
    with hub.db.session() as session:
        kinds = set(session.scalars(select(ItemError.kind).where(ItemError.run_id == summary.run_id)))
    assert "granularity_fallback" in kinds


def test_unreachable_repository_fails_with_a_clear_message(hub):
    from hub.members import add_institution, add_repository

    with hub.db.session() as session:
        add_institution(session, "gone", "Gone University")
        repo = add_repository(session, hub.pm, hub.settings, member="gone", platform="oai",
                              base_url="http://127.0.0.1:9/oai")
        repo_id = repo.id
    hub.configure(HTTP_MAX_RETRIES=1)
    summary = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
    assert summary.state == RunState.FAILED
    assert "127.0.0.1:9" in summary.message
