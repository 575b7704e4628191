"""The gather stage: walk a repository page by page through its platform plugin.

Every page is imported and committed together with the run's checkpoint and
heartbeat, so a harvest killed at any point resumes after its last committed page.
A failure of the source (after the HTTP client's retries) ends the run FAILED with a
clear message and its checkpoint intact; the next harvest resumes it.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pluggy
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.db import Database
from hub.harvest.importer import import_page
from hub.harvest.prefetch import prefetch
from hub.harvest.runs import HarvestConflict, open_run
from hub.harvest.sweep import prune_memberships, sweep_unseen
from hub.http import HarvestError, HttpClient
from hub.models import HarvestRun, ItemError, Repository, utcnow, utcnow_precise
from hub.platform import Page, Platform, SourceConfig
from hub.plugins import crosswalks, platforms
from hub.redaction import Credentials
from hub.states import WARNING_KINDS, ImportOutcome, NoticeKind, RepositoryState, RunKind, RunState, Stage
from oai.client import ListRestartFailed

log = logging.getLogger(__name__)

ProgressCallback = Callable[[HarvestRun], None]
PAGE_ATTEMPTS = 3


class UnknownPlatform(Exception):
    """The repository names a platform no loaded plugin provides."""


@dataclass
class HarvestSummary:
    """What one harvest did, for the CLI and the tasks."""

    repository_id: int
    run_id: int | None
    state: RunState
    resumed: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    duration: float | None = None
    message: str = ""
    errors: int = 0
    # Ids of records the run created or changed, for the follow-up stages. A compact array of
    # 64-bit ints: a list cost 36 bytes a record and made a harvest's memory grow with the source.
    changed_ids: Sequence[int] = field(default_factory=lambda: array("q"))
    retryable: bool = False  # a failed run that trying again later may finish (resumes at its checkpoint)
    warnings: list[str] = field(default_factory=list)  # what a person must know although the run finished

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["state"] = self.state.value
        data.pop("changed_ids")
        return data


def make_platform(repo: Repository, pm: pluggy.PluginManager, http: HttpClient) -> Platform:
    """Instantiate the repository's platform plugin."""
    available = platforms(pm)
    cls = available.get(repo.platform)
    if cls is None:
        raise UnknownPlatform(f"platform {repo.platform!r} is not provided by any loaded plugin "
                              f"(available: {', '.join(sorted(available)) or 'none'})")
    http.authenticate(repo.base_url, Credentials.from_text(repo.credentials))  # basic auth, that origin only
    return cls(SourceConfig.from_repository(repo), http, crosswalks(pm))


def _since(repo: Repository, settings: Mapping[str, Any], kind: RunKind):
    """Where an incremental harvest starts: the source's last responseDate minus the overlap."""
    if kind == RunKind.FULL or not repo.high_water_mark:
        return None
    from oai.client import parse_datestamp

    return parse_datestamp(repo.high_water_mark) - timedelta(seconds=settings["HARVEST_OVERLAP_SECONDS"])


def harvest_repository(db: Database, pm: pluggy.PluginManager, settings: Mapping[str, Any], repository_id: int,
                       *, full: bool = False, progress: ProgressCallback | None = None,
                       http: HttpClient | None = None, confirm_deletions: bool = False) -> HarvestSummary:
    """Harvest one repository (resuming its last unfinished run); never raises for source faults.

    The high-water mark moves only when every list of the run finished. A full run whose lists all
    finished tombstones the records the source no longer lists (see :mod:`hub.harvest.sweep`);
    ``confirm_deletions`` lifts the guard against tombstoning a large share at once.
    """
    http = http or HttpClient(settings)
    with db.session() as session:
        repo = session.get(Repository, repository_id)
        if repo is None:
            raise LookupError(f"no repository with id {repository_id}")
        if repo.removed:
            return HarvestSummary(repository_id, None, RunState.FAILED,
                                  message="repository was deleted (its records are kept as deleted records)")
        if repo.state == RepositoryState.PAUSED:
            return HarvestSummary(repository_id, None, RunState.FAILED, message="repository is paused")
        try:
            platform = make_platform(repo, pm, http)
            run, resumed = open_run(session, repo, settings, full)
        except (UnknownPlatform, HarvestConflict) as exc:
            return HarvestSummary(repository_id, None, RunState.FAILED, message=str(exc))
        since = None if resumed else _since(repo, settings, run.kind)
        if since is not None and not run.from_date:
            run.from_date = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        run_id = run.id
    changed = array("q")
    retryable = False
    with db.session() as session:
        run = session.get(HarvestRun, run_id)
        checkpoint = run.checkpoint.get("list") if resumed else None
        try:
            for page in prefetch(platform.gather(since=since, checkpoint=checkpoint)):
                changed.extend(commit_page(session, run, platform, pm, page, settings))
                if progress:
                    progress(run)
        except ListRestartFailed as exc:
            # Everything read is stored; the list is restarted whole next time: resumable, mark unmoved.
            session.rollback()
            _stop_unfinished(session, run, repository_id, str(exc))
            retryable = True
        except HarvestError as exc:
            session.rollback()
            _fail(session, run, repository_id, exc.__class__.__name__, str(exc))
            retryable = exc.retryable
        except Exception as exc:  # a plugin bug: record it on the run, keep the checkpoint
            log.exception("harvest of repository %s failed", repository_id)
            retryable = False
            session.rollback()
            _fail(session, run, repository_id, "internal-error", f"{type(exc).__name__}: {exc}")
        else:
            if run.kind == RunKind.FULL:
                changed.extend(sweep_unseen(session, run, settings, confirmed=confirm_deletions))
            run.state = RunState.PARTIAL if run.failed else RunState.SUCCEEDED
            run.finished_at = utcnow_precise()
            run.checkpoint = {key: value for key, value in run.checkpoint.items() if key != "unfinished"}
            repo = session.get(Repository, repository_id)
            if run.checkpoint.get("response_date"):
                repo.high_water_mark = run.checkpoint["response_date"]
            session.commit()
        warnings = run_warnings(session, run.id)
        if warnings and run.state.finished and not run.message:
            run.message = "Warning: " + " | ".join(warnings)
            session.commit()
        errors = len(run.errors)
        summary = HarvestSummary(repository_id, run.id, run.state, resumed, run.counts(), run.pages,
                                 run.duration, run.message, errors, changed, retryable, warnings)
    return summary


def run_warnings(session: Session, run_id: int) -> list[str]:
    """The distinct messages of a run's warning notices (a restarted list, a held sweep...), oldest first."""
    rows = session.execute(select(ItemError.message).where(
        ItemError.run_id == run_id, ItemError.kind.in_(sorted(WARNING_KINDS))).order_by(ItemError.id))
    return list(dict.fromkeys(message for (message,) in rows))


def commit_page(session: Session, run: HarvestRun, platform: Platform, pm: pluggy.PluginManager,
                page: Page, settings: Mapping[str, Any] | None = None) -> list[int]:
    """Import a page and commit it with the run's counters and checkpoint, atomically; the ids it changed.

    The one import path: a harvest's pages and a completeness repair's GetRecord batch both come here.

    Two workers may upsert the same record at once (overlapping sets, a re-delivered
    task); the loser's unique-constraint violation rolls the page back and it is
    imported again, now seeing the winner's row, so no record is ever duplicated.
    """
    for attempt in range(PAGE_ATTEMPTS):
        try:
            result = import_page(session, run, platform, pm, page.items, settings)
            outs = result.outcomes
            run.seen += len(page.items)
            run.new += outs[ImportOutcome.NEW]
            run.updated += outs[ImportOutcome.UPDATED]
            run.unchanged += outs[ImportOutcome.UNCHANGED]
            run.deleted += outs[ImportOutcome.DELETED]
            run.failed += outs[ImportOutcome.FAILED]
            run.pages += 1
            first_date = run.checkpoint.get("response_date") or page.response_date
            unidentified = run.checkpoint.get("unidentified", 0) + result.unidentified
            run.checkpoint = {**run.checkpoint, "list": page.checkpoint, "response_date": first_date,
                              "unidentified": unidentified}
            run.heartbeat_at = utcnow()
            for notice in page.notices:
                session.add(ItemError(run_id=run.id, repository_id=run.repository_id, stage=Stage.GATHER,
                                      kind=notice.kind[:64], message=notice.message))
            changed = result.changed_ids
            if run.kind == RunKind.FULL and page.list_done and page.list_set is not None:
                changed = changed + prune_memberships(session, run, page.list_set)
            session.commit()
            return changed
        except IntegrityError:
            session.rollback()
            if attempt == PAGE_ATTEMPTS - 1:
                raise
    return []


def _stop_unfinished(session: Session, run: HarvestRun, repository_id: int, message: str) -> None:
    """End a run PARTIAL with a list left unfinished: resumable, the high-water mark left where it was."""
    run.state = RunState.PARTIAL
    run.finished_at = utcnow_precise()
    run.checkpoint = {**run.checkpoint, "unfinished": True}
    run.message = f"{message} (resumable: the next harvest restarts the unfinished list)"
    session.add(ItemError(run_id=run.id, repository_id=repository_id, stage=Stage.GATHER,
                          kind=NoticeKind.LIST_RESTART_FAILED, message=message))
    session.commit()


def _fail(session: Session, run: HarvestRun, repository_id: int, kind: str, message: str) -> None:
    run.state = RunState.FAILED
    run.finished_at = utcnow_precise()
    run.message = f"{message} (resumable from page {run.pages})"
    session.add(ItemError(run_id=run.id, repository_id=repository_id, stage=Stage.GATHER, kind=kind[:64],
                          message=message))
    session.commit()
