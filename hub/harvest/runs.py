"""Harvest run lifecycle: start, resume, heartbeat, finish, and the derived INTERRUPTED state.

A run's state is always derivable: a run marked RUNNING whose process is gone (same
host, dead pid) or whose heartbeat is older than ``HARVEST_STALE_SECONDS`` is shown as
INTERRUPTED and resumed from its checkpoint by the next harvest, with no manual repair.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import HarvestRun, Repository, utcnow, utcnow_precise
from hub.states import RunKind, RunState


class HarvestConflict(Exception):
    """A harvest of the repository is already running in a live process."""


def this_worker() -> str:
    """Identity of the current process: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_alive(worker: str) -> bool | None:
    """True/False when the run's process is on this host, None when it is elsewhere."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(run: HarvestRun, settings: Mapping[str, Any]) -> bool:
    """Whether a RUNNING run has lost its worker."""
    if run.state != RunState.RUNNING:
        return False
    alive = _process_alive(run.worker or "")
    if alive is False:
        return True
    if alive and run.worker == this_worker():
        return False
    beat = run.heartbeat_at or run.started_at or run.created_at
    return beat is not None and utcnow() - beat > timedelta(seconds=settings["HARVEST_STALE_SECONDS"])


def reconcile_runs(session: Session, settings: Mapping[str, Any], repository_id: int | None = None) -> int:
    """Mark every stale RUNNING run INTERRUPTED; returns how many were marked."""
    query = select(HarvestRun).where(HarvestRun.state == RunState.RUNNING)
    if repository_id is not None:
        query = query.where(HarvestRun.repository_id == repository_id)
    marked = 0
    for run in session.scalars(query):
        if is_stale(run, settings):
            run.state = RunState.INTERRUPTED
            run.message = (run.message + " " if run.message else "") + \
                f"Worker {run.worker or '?'} stopped without finishing; resumable from page {run.pages}."
            marked += 1
    return marked


def latest_run(session: Session, repository_id: int) -> HarvestRun | None:
    return session.scalars(
        select(HarvestRun).where(HarvestRun.repository_id == repository_id).order_by(HarvestRun.id.desc()).limit(1)
    ).first()


def open_run(session: Session, repo: Repository, settings: Mapping[str, Any], full: bool) -> tuple[HarvestRun, bool]:
    """The run to work on and whether it resumes an earlier one.

    A FAILED or INTERRUPTED last run is resumed from its checkpoint (unless ``full`` asks
    for a fresh full re-harvest); a live RUNNING one raises :class:`HarvestConflict`.
    """
    reconcile_runs(session, settings, repo.id)
    last = latest_run(session, repo.id)
    if last is not None and last.state == RunState.RUNNING:
        raise HarvestConflict(f"repository {repo.id} is being harvested by run {last.id} ({last.worker})")
    if last is not None and last.resumable and last.checkpoint.get("list") and not full:
        last.state = RunState.RUNNING
        last.worker = this_worker()
        last.heartbeat_at = utcnow()
        last.message = ""
        return last, True
    kind = RunKind.FULL if full or not repo.high_water_mark else RunKind.INCREMENTAL
    run = HarvestRun(repository_id=repo.id, kind=kind, state=RunState.RUNNING, worker=this_worker(),
                     started_at=utcnow_precise(), heartbeat_at=utcnow(), checkpoint={})
    session.add(run)
    session.flush()
    return run, False
