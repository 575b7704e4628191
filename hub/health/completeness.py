"""Completeness check: the source's identifiers (ListIdentifiers, or the platform's own listing)
compared with the hub's records, and the repair of what is missing or stale.

- missing: listed live by the source, absent from the hub (or a tombstone in the hub);
- stale: in both, but the source's datestamp differs from the one the hub stored, or the source
  lists a tombstone for a record the hub still shows;
- extra: live in the hub, no longer listed by the source at all (removed without a tombstone).

Repair harvests the missing and stale records one by one with GetRecord (a run of their own, so
every error is listed like a harvest's) and tombstones the extra ones (the source dropped them
without a tombstone, as ``deletedRecord`` ``transient`` or ``no`` sources do), with the sweep's guard
against tombstoning a large share at once (:mod:`hub.harvest.sweep`); or it queues a full re-harvest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.harvest.gather import commit_page, make_platform
from hub.harvest.runs import latest_run, reconcile_runs, this_worker
from hub.harvest.sweep import tombstone_unlisted
from hub.http import HarvestError
from hub.models import CompletenessReport, HarvestRun, ItemError, Record, Repository, utcnow, utcnow_precise
from hub.platform import CapabilityMissing, Page, Platform, SourceEntry
from hub.states import RunKind, RunState, Stage

if TYPE_CHECKING:
    from hub.context import Hub

MAX_LISTED = 5000  # entries kept per list in a report
MAX_REPAIR = 1000  # records fetched one by one; more than that asks for a full re-harvest


def source_listing(platform: Platform) -> Iterator[SourceEntry]:
    """(identifier, datestamp, deleted) of every record the source lists, honouring sets (the platform's
    :meth:`~hub.platform.Platform.list_source_identifiers`)."""
    yield from platform.list_source_identifiers()


def compare(source: dict[str, tuple[str, bool]], hub: dict[str, tuple[str, bool]]) -> dict[str, list[dict[str, Any]]]:
    """Missing, stale and extra records with the reason for each."""
    missing, stale, extra = [], [], []
    for identifier, (datestamp, deleted) in source.items():
        known = hub.get(identifier)
        if known is None:
            if not deleted:
                missing.append({"identifier": identifier, "source_datestamp": datestamp, "hub_datestamp": "",
                                "reason": "listed by the source, never harvested"})
            continue
        hub_datestamp, hub_deleted = known
        if deleted and not hub_deleted:
            stale.append({"identifier": identifier, "source_datestamp": datestamp, "hub_datestamp": hub_datestamp,
                          "reason": "deleted at the source, still shown by the hub"})
        elif not deleted and hub_deleted:
            missing.append({"identifier": identifier, "source_datestamp": datestamp, "hub_datestamp": hub_datestamp,
                            "reason": "live at the source, a tombstone in the hub"})
        elif datestamp != hub_datestamp:
            stale.append({"identifier": identifier, "source_datestamp": datestamp, "hub_datestamp": hub_datestamp,
                          "reason": "the source's datestamp differs from the harvested one"})
    for identifier, (hub_datestamp, hub_deleted) in hub.items():
        if identifier not in source and not hub_deleted:
            extra.append({"identifier": identifier, "source_datestamp": "", "hub_datestamp": hub_datestamp,
                          "reason": "no longer listed by the source (removed without a deletion record)"})
    return {"missing": missing, "stale": stale, "extra": extra}


def check_completeness(hub: Hub, repository_id: int) -> int:
    """Sweep a repository's identifiers, store and return the id of the report (errors are stored too)."""
    with hub.db.session() as session:
        repo = session.get(Repository, repository_id)
        if repo is None:
            raise LookupError(f"no repository with id {repository_id}")
        platform = make_platform(repo, hub.pm, hub.http(repository_id))
        held = {identifier: (datestamp, deleted) for identifier, datestamp, deleted in session.execute(
            select(Record.source_identifier, Record.source_datestamp, Record.deleted)
            .where(Record.repository_id == repository_id))}
    report = CompletenessReport(repository_id=repository_id, created_at=utcnow(), hub_count=len(held),
                                missing=[], extra=[], stale=[], error="", repair_note="")
    try:
        source = {identifier: (datestamp, deleted) for identifier, datestamp, deleted in source_listing(platform)}
    except (HarvestError, CapabilityMissing) as exc:
        report.error = f"the source's identifiers could not be listed: {exc}"
    else:
        report.source_count = len(source)
        found = compare(source, held)
        report.missing = found["missing"][:MAX_LISTED]
        report.stale = found["stale"][:MAX_LISTED]
        report.extra = found["extra"][:MAX_LISTED]
    with hub.db.session() as session:
        session.add(report)
        from hub.health.status import status_of

        status_of(session, repository_id).last_completeness_at = report.created_at
        session.flush()
        return report.id


def repair_with_getrecord(hub: Hub, report_id: int, *, confirm_deletions: bool = False) -> dict[str, Any]:
    """Fetch the missing and stale records of a report with GetRecord and tombstone its extra ones,
    in a run of their own (``confirm_deletions`` lifts the guard on tombstoning a large share)."""
    with hub.db.session() as session:
        report = session.get(CompletenessReport, report_id)
        if report is None:
            raise LookupError(f"no completeness report {report_id}")
        identifiers = [e["identifier"] for e in (report.missing + report.stale)]
        extra = [e["identifier"] for e in report.extra]
        if not identifiers and not extra:
            return {"run_id": None, "fetched": 0, "note": "nothing to repair"}
        if len(identifiers) > MAX_REPAIR:
            raise ValueError(f"{len(identifiers)} records to repair: start a full re-harvest instead")
        repo = session.get(Repository, report.repository_id)
        reconcile_runs(session, hub.settings, repo.id)
        last = latest_run(session, repo.id)
        if last is not None and last.state == RunState.RUNNING:
            raise ValueError(f"repository {repo.id} is being harvested (run {last.id}); repair after it ends")
        platform = make_platform(repo, hub.pm, hub.http(repo.id))
        if not platform.fetches_items:
            raise ValueError(f"platform {repo.platform} has no GetRecord: start a full re-harvest instead")
        run = HarvestRun(repository_id=repo.id, kind=RunKind.INCREMENTAL, state=RunState.RUNNING,
                         worker=this_worker(), started_at=utcnow_precise(), heartbeat_at=utcnow(), checkpoint={},
                         message=f"completeness repair (report {report_id}): GetRecord of {len(identifiers)} "
                                 f"records, {len(extra)} no longer listed")
        session.add(run)
        session.flush()
        items = []
        for identifier in identifiers:
            try:
                items.append(platform.fetch_item(identifier))
            except HarvestError as exc:
                session.add(ItemError(run_id=run.id, repository_id=repo.id, stage=Stage.GATHER, kind="oai-error",
                                      source_identifier=identifier[:1024], message=str(exc)))
                run.failed += 1
        run.seen = len(identifiers) - len(items)  # the GetRecords that failed; the import counts the others
        session.commit()  # the run and its errors stand before the import (which may roll a page back)
        imported = commit_page(session, run, platform, hub.pm, Page(items=items, checkpoint={}), hub.settings) \
            if items else []
        unlisted = list(session.scalars(select(Record.id).where(
            Record.repository_id == repo.id, Record.deleted.is_(False), Record.source_identifier.in_(extra))))
        swept = tombstone_unlisted(session, run, unlisted, hub.settings, confirmed=confirm_deletions,
                                   how=f"the identifier sweep of completeness report {report_id}",
                                   confirm_with=f"chair completeness {repo.id} --repair --confirm-deletions")
        changed_ids = list(imported) + swept
        run.pages = 1
        run.state = RunState.PARTIAL if run.failed else RunState.SUCCEEDED
        run.finished_at = utcnow_precise()
        report.repaired_at = utcnow()
        held = len(unlisted) if unlisted and not swept else 0
        report.repair_note = (f"run {run.id}: {run.new} new, {run.updated} updated, {run.deleted} deleted, "
                              f"{run.failed} failed" + (f", {held} tombstones held (confirm them with "
                                                        f"--confirm-deletions)" if held else ""))
        return {"run_id": run.id, "fetched": len(items), "note": report.repair_note, "changed_ids": changed_ids,
                "held": held}
