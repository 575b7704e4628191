"""Celery tasks: thin wrappers that take ids and call the stage functions.

With no ``CHAIR_BROKER_URL`` the tasks run in-process (eager), so the embedded
defaults need no broker. With one, ``chair worker`` runs a real Celery worker: one
queue per stage (harvest, files, extract, index), late acknowledgement so a task whose
worker dies is delivered again, retries with backoff. Tasks are idempotent: a harvest
task resumes its repository's unfinished run, and never starts a second live one.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from celery import Celery
from celery.signals import worker_init

from hub.config import default_instance_path, load_settings
from hub.context import Hub

log = logging.getLogger(__name__)

QUEUES = ("harvest", "files", "extract", "index")


def _transport_options(settings: dict[str, Any]) -> dict[str, Any]:
    """Redis transport: unacknowledged tasks of a dead worker come back after the visibility timeout.

    Workers sweep for such tasks every quarter of the timeout (at most every 10 s), so a
    killed worker's harvest is re-delivered within about 1.25 timeouts.
    """
    timeout = int(settings.get("BROKER_VISIBILITY_TIMEOUT") or 3600)
    return {"visibility_timeout": timeout, "unacked_restore_interval": max(1, min(10, timeout // 4)),
            "unacked_restore_throttle": 1}


def make_celery(settings: dict[str, Any]) -> Celery:
    """A Celery app for the hub's settings (eager when no broker is configured)."""
    broker = settings.get("BROKER_URL") or "memory://"
    app = Celery("chair", broker=broker, backend=None)
    app.conf.update(
        task_always_eager=not settings.get("BROKER_URL"),
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a worker killed mid-task: the task goes back to the queue
        worker_prefetch_multiplier=1,
        task_default_queue="harvest",
        task_routes={
            "hub.tasks.harvest": {"queue": "harvest"},
            "hub.tasks.check_repository": {"queue": "harvest"},
            "hub.tasks.fetch_files": {"queue": "files"},
            "hub.tasks.extract_text": {"queue": "extract"},
            "hub.tasks.index_records": {"queue": "index"},
            "hub.tasks.group_works": {"queue": "index"},
        },
        broker_transport_options=_transport_options(settings),
        broker_connection_retry_on_startup=True,
        timezone="UTC",
    )
    return app


@lru_cache(maxsize=1)
def worker_hub() -> Hub:
    """The Hub of a worker process, built once from the environment."""
    return Hub.create()


# Configured from the environment and instance file, as the worker process sees them.
celery_app = make_celery(load_settings(default_instance_path()))


@worker_init.connect
def _refuse_an_unsafe_key(**_kwargs: Any) -> None:
    """A worker started directly (``celery -A hub.tasks worker``, not ``chair worker``) refuses the
    development or an empty signing key too: it signs resumption tokens of harvests of the hub."""
    from hub.signing import secret_key_problem

    problem = secret_key_problem(load_settings(default_instance_path()))
    if problem:
        log.critical(problem)
        raise SystemExit(f"Error: {problem}")


@celery_app.task(name="hub.tasks.harvest", bind=True, max_retries=5)
def harvest(self, repository_id: int, full: bool = False) -> dict[str, Any]:
    """Harvest one repository (resuming its unfinished run); a retryable failure is retried with backoff."""
    from hub.harvest.followups import after_harvest
    from hub.harvest.gather import harvest_repository

    hub = worker_hub()
    summary = harvest_repository(hub.db, hub.pm, hub.settings, repository_id, full=full,
                                 http=hub.http(repository_id))
    after_harvest(hub, summary)
    if summary.retryable and self.request.retries < self.max_retries:
        # Each retry resumes the failed run at its checkpoint: 1, 2, 4, 8, 16 minutes later.
        raise self.retry(countdown=60 * 2 ** self.request.retries)
    return summary.to_dict()


def enqueue_harvest(hub: Hub, repository_id: int, full: bool = False) -> dict[str, Any] | str:
    """Harvest now in-process (no broker) or queue it for the workers; returns the summary or task id."""
    if not hub.settings.get("BROKER_URL"):
        from hub.harvest.followups import after_harvest
        from hub.harvest.gather import harvest_repository

        summary = harvest_repository(hub.db, hub.pm, hub.settings, repository_id, full=full,
                                     http=hub.http(repository_id))
        after_harvest(hub, summary)
        return summary.to_dict()
    return harvest.apply_async(args=(repository_id, full)).id


@celery_app.task(name="hub.tasks.check_repository", bind=True, max_retries=0)
def check_repository(self, repository_id: int) -> dict[str, Any]:
    """Check one repository (asked for in the admin area) and store its report."""
    from hub.checking import run_check_now

    return run_check_now(worker_hub(), repository_id)


@celery_app.task(name="hub.tasks.fetch_files", bind=True, max_retries=3, default_retry_delay=60)
def fetch_files(self, record_ids: list[int], retry_failed: bool = False) -> dict[str, int]:
    """Files stage for these records (download open full texts); queues their extraction."""
    from hub.fulltext.pipeline import run_files

    return dict(run_files(worker_hub(), list(record_ids), retry_failed=retry_failed).outcomes)


@celery_app.task(name="hub.tasks.extract_text", bind=True, max_retries=3, default_retry_delay=60)
def extract_text(self, sha256: str) -> str:
    """Extract stage for one stored file; returns its extraction state."""
    from hub.fulltext.extract import extract_file

    return extract_file(worker_hub(), sha256).value


@celery_app.task(name="hub.tasks.index_records", bind=True, max_retries=3, default_retry_delay=60)
def index_records(self, record_ids: list[int]) -> dict[str, int]:
    """Index stage for these records (deleted ones are removed from the index)."""
    from hub.search.indexing import index_records as run

    return dict(run(worker_hub(), list(record_ids)).__dict__)


@celery_app.task(name="hub.tasks.group_works", bind=True, max_retries=3, default_retry_delay=60)
def group_works(self, record_ids: list[int]) -> str:
    """Regroup these records into works (with their neighbours), then queue the indexing of every
    record whose work was (re)set; returns the one-line report."""
    from hub.works.followup import group_and_follow

    return group_and_follow(worker_hub(), list(record_ids))


# The scheduler tick and completeness tasks live with the scheduling code; workers must know them.
celery_app.conf.imports = ("hub.scheduling.beat",)
