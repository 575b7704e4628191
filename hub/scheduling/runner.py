"""Starting harvests and the scheduler tick.

:func:`start_harvest` is what the admin buttons call: the dispatcher queues the Celery task (broker)
or harvests in a background thread (a web request never waits for a harvest). :func:`tick` runs once a minute (``chair beat`` or the in-process
:class:`SchedulerThread`): health and snapshots brought up to date, due repositories harvested,
the completeness sweep of each scheduled repository run at most daily, the change feed's
webhook deliveries that are due retried, and federation metadata aggregates refreshed when due.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.harvest.runs import latest_run, reconcile_runs
from hub.models import HarvestRun, Repository, RepositoryStatus, utcnow
from hub.scheduling.schedule import next_run
from hub.states import RepositoryState, RunState

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

COMPLETENESS_EVERY = timedelta(days=1)


def start_harvest(hub: Hub, repository_id: int, full: bool = False) -> str:
    """Start a harvest with its follow-ups without waiting for it; returns a line saying how."""
    from hub.pipeline.dispatch import submit

    return submit(hub, "harvest", repository_id, full)


def previous_start(session: Any, repo: Repository) -> datetime | None:
    """When the repository was last harvested or queued (the base of its next scheduled run)."""
    run = latest_run(session, repo.id)
    status = session.get(RepositoryStatus, repo.id)
    times = [t for t in (run.created_at if run else None, status.last_enqueued_at if status else None) if t]
    return max(times, default=None)


def due_repositories(session: Any, settings: Mapping[str, Any], now: datetime | None = None) -> list[int]:
    """Ids of active scheduled repositories whose next run is due and that are not being harvested."""
    now = now or utcnow()
    reconcile_runs(session, settings)
    due = []
    repos = session.scalars(select(Repository).where(Repository.state == RepositoryState.ACTIVE,
                                                     Repository.schedule != "").order_by(Repository.id))
    for repo in repos:
        when = next_run(repo.schedule, previous_start(session, repo), now)
        if when is None or when > now:
            continue
        running = session.scalar(select(HarvestRun.id).where(HarvestRun.repository_id == repo.id,
                                                             HarvestRun.state == RunState.RUNNING).limit(1))
        if running is None:
            due.append(repo.id)
    return due


def tick(hub: Hub, now: datetime | None = None) -> list[str]:
    """One look of the scheduler; returns one line per thing it did."""
    from hub.health.snapshots import take_snapshots
    from hub.health.status import status_of, update_health

    now = now or utcnow()
    lines: list[str] = []
    with hub.db.session() as session:
        lines.extend(update_health(session, hub.settings))
        take_snapshots(session, now)
        due = due_repositories(session, hub.settings, now)
        sweeps = []
        for repo_id in due:
            status = status_of(session, repo_id)
            status.last_enqueued_at = now
            if status.last_completeness_at is None or now - status.last_completeness_at >= COMPLETENESS_EVERY:
                sweeps.append(repo_id)
    for repo_id in due:
        lines.append(f"repository {repo_id}: {_harvest_due(hub, repo_id)}")
    for repo_id in sweeps:
        lines.append(f"repository {repo_id}: {_sweep(hub, repo_id)}")
    lines.extend(_deliver_webhooks(hub, now))
    lines.extend(_refresh_federations(hub, now))
    return lines


def _refresh_federations(hub: Hub, now: datetime) -> list[str]:
    """Federation metadata aggregates due for a refresh (each source's refresh_hours after the last)."""
    from hub.accounts.federation_metadata import refresh_due

    try:
        return refresh_due(hub, now)
    except Exception as exc:  # the schedule goes on whatever a federation publishes
        log.exception("federation metadata refresh failed")
        return [f"federation metadata refresh failed: {exc}"]


def _deliver_webhooks(hub: Hub, now: datetime) -> list[str]:
    """The change feed's due deliveries (retries with backoff), attempted on every tick."""
    from hub.exchange.webhooks.deliveries import deliver_due

    try:
        return deliver_due(hub, now)
    except Exception as exc:  # the schedule goes on whatever the receivers do
        log.exception("webhook deliveries failed")
        return [f"webhook deliveries failed: {exc}"]


def _harvest_due(hub: Hub, repository_id: int) -> str:
    """A due repository's harvest: queued for the workers, or run here (the tick runs in the scheduler's
    own thread or a worker, so it waits for each harvest; a tick never starts two of one repository)."""
    from hub.pipeline.dispatch import submit

    return submit(hub, "harvest", repository_id, False, wait=True)


def _sweep(hub: Hub, repository_id: int) -> str:
    from hub.pipeline.dispatch import submit

    try:
        return submit(hub, "completeness", repository_id, wait=True)
    except Exception as exc:  # the schedule goes on for the other repositories
        log.exception("completeness check of repository %s failed", repository_id)
        return f"completeness check failed: {exc}"


class SchedulerThread(threading.Thread):
    """The in-process scheduler of the embedded defaults: :func:`tick` every ``SCHEDULER_INTERVAL`` seconds."""

    def __init__(self, hub: Any) -> None:
        super().__init__(name="chair-scheduler", daemon=True)
        self.hub = hub
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                for line in tick(self.hub):
                    log.info("scheduler: %s", line)
            except Exception:  # keep scheduling whatever one tick did
                log.exception("scheduler tick failed")
            self.stopped.wait(self.hub.settings["SCHEDULER_INTERVAL"])

    def stop(self) -> None:
        self.stopped.set()


def start_if_enabled(hub: Hub) -> SchedulerThread | None:
    """Start the scheduler thread when ``SCHEDULER_ENABLED`` says so (chair serve, chair demo)."""
    if not hub.settings.get("SCHEDULER_ENABLED"):
        return None
    thread = SchedulerThread(hub)
    thread.start()
    return thread

