"""Repository health derived from harvest runs, and the ok -> failing transition that sends a notice.

Health is read from the latest run that ended: succeeded or partial is OK, failed or interrupted
is FAILING. The last health seen is kept in ``repository_status`` so that a notice goes out once,
when a repository that was OK starts failing, whoever ran the harvest (scheduler, CLI, worker).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.harvest.runs import reconcile_runs
from hub.health.notify import notify_failing
from hub.models import HarvestRun, Health, Repository, RepositoryStatus, utcnow
from hub.states import RunState

ENDED = (RunState.SUCCEEDED, RunState.PARTIAL, RunState.FAILED, RunState.INTERRUPTED)


def health_of(state: RunState | None) -> Health:
    """The health a run's state stands for."""
    if state is None:
        return Health.UNKNOWN
    if state in (RunState.SUCCEEDED, RunState.PARTIAL):
        return Health.OK
    if state in (RunState.FAILED, RunState.INTERRUPTED):
        return Health.FAILING
    return Health.UNKNOWN


def status_of(session: Session, repository_id: int) -> RepositoryStatus:
    """The repository's status row, created on first use."""
    status = session.get(RepositoryStatus, repository_id)
    if status is None:
        status = RepositoryStatus(repository_id=repository_id, health=Health.UNKNOWN, last_notice="")
        session.add(status)
        session.flush()
    return status


def latest_ended_runs(session: Session, repository_id: int | None = None) -> dict[int, HarvestRun]:
    """Per repository, its latest run that ended."""
    newest = select(HarvestRun.repository_id, func.max(HarvestRun.id).label("id")).where(
        HarvestRun.state.in_(ENDED)).group_by(HarvestRun.repository_id)
    if repository_id is not None:
        newest = newest.where(HarvestRun.repository_id == repository_id)
    sub = newest.subquery()
    runs = session.scalars(select(HarvestRun).join(sub, HarvestRun.id == sub.c.id))
    return {run.repository_id: run for run in runs}


def update_health(session: Session, settings: Mapping[str, Any], repository_id: int | None = None) -> list[str]:
    """Bring every (or one) repository's stored health up to date; notify ok -> failing. Lines of what happened."""
    reconcile_runs(session, settings, repository_id)
    session.flush()
    lines: list[str] = []
    for repo_id, run in latest_ended_runs(session, repository_id).items():
        status = status_of(session, repo_id)
        health = health_of(run.state)
        if health == status.health:
            continue
        previous, status.health, status.health_since = status.health, health, utcnow()
        lines.append(f"repository {repo_id}: {previous.value} -> {health.value}")
        if previous == Health.OK and health == Health.FAILING:
            repo = session.get(Repository, repo_id)
            sent = notify_failing(settings, repo, run)
            if sent:
                status.last_notice_at = utcnow()
                status.last_notice = "; ".join(sent)
                lines.extend(f"  {line}" for line in sent)
    return lines
