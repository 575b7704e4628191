"""The network health dashboard: one row per repository, computed with a handful of grouped queries
(never one query per repository), so it stays fast with hundreds of repositories and long histories."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from hub.health.snapshots import current_counts, trends
from hub.models import HarvestRun, Health, Repository, RepositoryStatus, utcnow
from hub.scheduling.schedule import next_run
from hub.states import RepositoryState, RunState

OK_STATES = (RunState.SUCCEEDED, RunState.PARTIAL)
BAD_STATES = (RunState.FAILED, RunState.INTERRUPTED)


@dataclass
class RepositoryHealth:
    """What the dashboard shows of one repository."""

    repository_id: int
    name: str
    institution_id: int
    institution_slug: str
    institution_name: str
    platform: str
    state: RepositoryState
    schedule: str
    last_run_state: RunState | None
    last_run_id: int | None
    last_success: datetime | None
    next_run: datetime | None
    runs_in_window: int
    failed_in_window: int
    records: int
    fulltexts: int
    trend: list[tuple[str, int, int]] = field(default_factory=list)
    failing: bool = False
    silent: bool = False
    sweep_held: int = 0  # records a full harvest found unlisted but kept, waiting for confirmation
    sweep_held_run_id: int | None = None

    @property
    def error_rate(self) -> float:
        """Share of the window's runs that failed or were interrupted."""
        return self.failed_in_window / self.runs_in_window if self.runs_in_window else 0.0

    @property
    def stands_out(self) -> bool:
        return self.failing or self.silent or bool(self.sweep_held)


def network_health(session: Session, settings: Mapping[str, Any], institution_ids: set[int] | None = None,
                   now: datetime | None = None) -> list[RepositoryHealth]:
    """Every repository's health (or only those of ``institution_ids``); failing and silent ones first."""
    now = now or utcnow()
    window_start = now - timedelta(days=settings["HEALTH_TREND_DAYS"])
    silent_after = timedelta(days=settings["HEALTH_SILENT_DAYS"])
    query = select(Repository).where(Repository.removed_at.is_(None)).options(joinedload(Repository.institution))
    if institution_ids is not None:
        query = query.where(Repository.institution_id.in_(institution_ids or {-1}))
    repos = list(session.scalars(query))
    latest_sub = select(func.max(HarvestRun.id).label("id")).group_by(HarvestRun.repository_id).subquery()
    latest = {r.repository_id: r for r in session.execute(
        select(HarvestRun.id, HarvestRun.repository_id, HarvestRun.state, HarvestRun.created_at)
        .join(latest_sub, HarvestRun.id == latest_sub.c.id))}
    last_success = dict(session.execute(
        select(HarvestRun.repository_id, func.max(HarvestRun.finished_at))
        .where(HarvestRun.state.in_(OK_STATES)).group_by(HarvestRun.repository_id)).all())
    window = {repo_id: (n, bad or 0) for repo_id, n, bad in session.execute(
        select(HarvestRun.repository_id, func.count(),
               func.sum(case((HarvestRun.state.in_(BAD_STATES), 1), else_=0)))
        .where(HarvestRun.created_at >= window_start).group_by(HarvestRun.repository_id))}
    statuses = {row.repository_id: row for row in session.execute(select(
        RepositoryStatus.repository_id, RepositoryStatus.last_enqueued_at, RepositoryStatus.sweep_held,
        RepositoryStatus.sweep_held_run_id))}
    enqueued = {repo_id: row.last_enqueued_at for repo_id, row in statuses.items()}
    counts = current_counts(session)
    trend = trends(session, settings["HEALTH_TREND_DAYS"], now)
    rows = []
    for repo in repos:
        run = latest.get(repo.id)
        previous = max([t for t in (run.created_at if run else None, enqueued.get(repo.id)) if t], default=None)
        success = last_success.get(repo.id)
        n, bad = window.get(repo.id, (0, 0))
        records, fulltexts = counts.get(repo.id, (0, 0))
        failing = run is not None and run.state in BAD_STATES
        reference = success or repo.created_at
        silent = (repo.state == RepositoryState.ACTIVE and bool(repo.schedule) and reference is not None
                  and now - reference > silent_after)
        rows.append(RepositoryHealth(
            repo.id, repo.label, repo.institution_id, repo.institution.slug, repo.institution.name_en,
            repo.platform, repo.state, repo.schedule, run.state if run else None, run.id if run else None, success,
            next_run(repo.schedule, previous, now) if repo.state == RepositoryState.ACTIVE else None,
            n, int(bad), records, fulltexts, trend.get(repo.id, []), failing, silent,
            *((statuses[repo.id].sweep_held or 0, statuses[repo.id].sweep_held_run_id) if repo.id in statuses
              else (0, None))))
    rows.sort(key=lambda r: (not r.stands_out, r.institution_slug, r.repository_id))
    return rows


def summary(rows: list[RepositoryHealth]) -> dict[str, int]:
    """Totals over the dashboard's rows."""
    return {"repositories": len(rows), "failing": sum(r.failing for r in rows),
            "silent": sum(r.silent for r in rows), "records": sum(r.records for r in rows),
            "sweeps_held": sum(bool(r.sweep_held) for r in rows),
            "fulltexts": sum(r.fulltexts for r in rows),
            "healthy": sum(not r.stands_out and r.last_run_state is not None for r in rows)}


def health_label(row: RepositoryHealth) -> Health:
    """The row's health as a Health value."""
    if row.failing:
        return Health.FAILING
    return Health.OK if row.last_run_state is not None else Health.UNKNOWN
