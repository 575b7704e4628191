"""Celery tasks: the only module that imports Celery; one thin task per stage, named after it.

Each task takes ids, runs its stage (:mod:`hub.pipeline.stages`) and hands the stage's report to the
dispatcher (:mod:`hub.pipeline.dispatch`), which queues what the report triggers. The dispatcher
imports this module only when ``CHAIR_BROKER_URL`` is set; without one nothing is queued and the
stages run in-process. ``chair worker`` runs a real Celery worker: one queue per stage family
(harvest, files, extract, index; see :data:`hub.pipeline.graph.QUEUES`), late acknowledgement so a
task whose worker dies is delivered again. Tasks are idempotent: a harvest task resumes its
repository's unfinished run and never starts a second live one; a stage task over ids can run twice.

Retries happen: a harvest that failed retryably resumes at its checkpoint 1, 2, 4, 8, 16 minutes
later; a stage task whose report names ids worth trying again (downloads that met a 503, a
transient extraction failure, a search engine or database away) runs again on those ids alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from celery import Celery, Task
from celery.signals import worker_init

from hub.config import Settings, default_instance_path, load_settings
from hub.context import Hub
from hub.pipeline.graph import QUEUES, PipelineStage

log = logging.getLogger(__name__)

QUEUE_NAMES = tuple(dict.fromkeys(QUEUES.values()))
STAGE_TASKS = {PipelineStage.FILES: "hub.tasks.files", PipelineStage.EXTRACT: "hub.tasks.extract",
               PipelineStage.WORKS: "hub.tasks.works", PipelineStage.INDEX: "hub.tasks.index",
               PipelineStage.PEOPLE: "hub.tasks.people", PipelineStage.SHOWCASE: "hub.tasks.showcase"}
TICK_TASK = "hub.tasks.scheduler_tick"
COMPLETENESS_TASK = "hub.tasks.completeness"
STAGE_RETRIES = 3
RETRY_DELAY = 60  # seconds before a stage task's first retry; doubled for each next one


def _transport_options(settings: Any) -> dict[str, Any]:
    """Redis transport: unacknowledged tasks of a dead worker come back after the visibility timeout.

    Workers sweep for such tasks every quarter of the timeout (at most every 10 s), so a
    killed worker's harvest is re-delivered within about 1.25 timeouts.
    """
    timeout = int(settings["BROKER_VISIBILITY_TIMEOUT"])
    return {"visibility_timeout": timeout, "unacked_restore_interval": max(1, min(10, timeout // 4)),
            "unacked_restore_throttle": 1}


def make_celery(values: Mapping[str, Any]) -> Celery:
    """A Celery app for the hub's settings, or a dict of some of them (eager when no broker is configured)."""
    settings = Settings.from_mapping(values)
    broker = settings["BROKER_URL"] or "memory://"
    app = Celery("chair", broker=broker, backend=None)
    routes = {name: {"queue": QUEUES[stage]} for stage, name in STAGE_TASKS.items()}
    app.conf.update(
        task_always_eager=not settings["BROKER_URL"],
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a worker killed mid-task: the task goes back to the queue
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUES[PipelineStage.GATHER],
        task_routes={"hub.tasks.harvest": {"queue": QUEUES[PipelineStage.GATHER]},
                     "hub.tasks.check_repository": {"queue": QUEUES[PipelineStage.GATHER]},
                     "hub.tasks.fetch_pending": {"queue": QUEUES[PipelineStage.FILES]},
                     COMPLETENESS_TASK: {"queue": QUEUES[PipelineStage.GATHER]},
                     "hub.tasks.after_run": {"queue": QUEUES[PipelineStage.GATHER]}, **routes},
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


# --- producing: what the dispatcher calls with a broker ------------------------------------------

def producer(hub: Hub) -> Celery:
    """The Celery app that queues tasks on ``hub``'s broker: the Hub's own (``hub.celery``, built once)."""
    return hub.celery


def _carry_json(carry: dict[PipelineStage, list] | None) -> dict[str, list]:
    return {stage.value: list(ids) for stage, ids in (carry or {}).items() if ids}


def _carry_of(data: dict[str, list] | None) -> dict[PipelineStage, list]:
    return {PipelineStage(name): list(ids) for name, ids in (data or {}).items()}


def send_stage(hub: Hub, stage: PipelineStage, ids: list, carry: dict[PipelineStage, list] | None = None) -> str:
    """Queue ``stage``'s task over ``ids`` (with the ids it takes along to a later stage); its task id."""
    return producer(hub).send_task(STAGE_TASKS[stage], args=(list(ids), _carry_json(carry)),
                                   queue=QUEUES[stage]).id


def send_job(hub: Hub, job: str, *args: Any) -> str:
    """Queue a job of :data:`hub.pipeline.dispatch.JOBS` (harvest, check, files, extract); its task id."""
    if job == "extract":
        return send_stage(hub, PipelineStage.EXTRACT, list(args[0]))
    name = {"harvest": "hub.tasks.harvest", "check": "hub.tasks.check_repository",
            "files": "hub.tasks.fetch_pending", "completeness": COMPLETENESS_TASK,
            "after_run": "hub.tasks.after_run"}[job]
    return producer(hub).send_task(name, args=args).id


# --- consuming: the tasks ------------------------------------------------------------------------

@celery_app.task(name="hub.tasks.harvest", bind=True, max_retries=5)
def harvest(self: Task, repository_id: int, full: bool = False) -> dict[str, Any]:
    """Harvest one repository with its follow-ups (resuming its unfinished run); a retryable failure is
    retried with backoff, resuming at the checkpoint."""
    from hub.pipeline.harvest import harvest as run

    outcome = run(worker_hub(), repository_id, full)
    if outcome.summary.retryable and self.request.retries < self.max_retries:
        raise self.retry(countdown=60 * 2 ** self.request.retries)
    return outcome.summary.to_dict()


@celery_app.task(name="hub.tasks.check_repository", bind=True, max_retries=0)
def check_repository(self: Task, repository_id: int) -> dict[str, Any]:
    """Check one repository (asked for in the admin area) and store its report."""
    from hub.checking import run_check_now

    return run_check_now(worker_hub(), repository_id)


@celery_app.task(name="hub.tasks.fetch_pending", bind=True, max_retries=0)
def fetch_pending(self: Task, repository_id: int | None = None, retry_failed: bool = False) -> int:
    """The files stage over every record with work left (of one repository); queues what follows."""
    from hub.fulltext.pipeline import pending_records

    ids = pending_records(worker_hub(), repository_id, retry_failed)
    run_stage_task(self, PipelineStage.FILES, ids, None, retry_failed=retry_failed, recheck=False)
    return len(ids)


@celery_app.task(name="hub.tasks.after_run", bind=True, max_retries=0)
def after_run(self: Task, repository_id: int, run_id: int | None, record_ids: list[int]) -> str:
    """What follows a run that changed records outside a harvest (a completeness repair): its
    follow-up stages queued, the change feed told."""
    from hub.pipeline.dispatch import JOBS

    return JOBS["after_run"](worker_hub(), repository_id, run_id, record_ids)


def run_stage_task(task: Task, stage: PipelineStage, ids: list, carry: dict[str, list] | None,
                   **options: Any) -> dict[str, Any]:
    """The body of every stage task: run the stage, dispatch what follows, retry the retryable ids."""
    from hub.pipeline.dispatch import follow, run_stage

    hub = worker_hub()
    report = run_stage(hub, stage, ids, **options)
    follow(hub, report, carry=_carry_of(carry))  # what follows is queued once, a retry or not
    if report.retry and task.request.retries < task.max_retries:
        raise task.retry(args=(list(report.retry), None), kwargs=options,
                         countdown=RETRY_DELAY * 2 ** task.request.retries)
    return {"stage": stage.value, "attempt": task.request.retries + 1, "given": report.given, **report.counts,
            "errors": dict(report.errors), "retry": len(report.retry)}


@celery_app.task(name=STAGE_TASKS[PipelineStage.FILES], bind=True, max_retries=STAGE_RETRIES)
def files(self: Task, record_ids: list[int], carry: dict[str, list] | None = None,
          retry_failed: bool = False, recheck: bool = True) -> dict[str, Any]:
    """Files stage over these records; a download that met a retryable failure is tried again."""
    return run_stage_task(self, PipelineStage.FILES, record_ids, carry, retry_failed=retry_failed,
                          recheck=recheck)


@celery_app.task(name=STAGE_TASKS[PipelineStage.EXTRACT], bind=True, max_retries=STAGE_RETRIES)
def extract(self: Task, sha256s: list[str], carry: dict[str, list] | None = None) -> dict[str, Any]:
    """Extract stage over these stored files; a transient failure is tried again (the attempt limit
    still quarantines a poison file)."""
    return run_stage_task(self, PipelineStage.EXTRACT, sha256s, carry)


@celery_app.task(name=STAGE_TASKS[PipelineStage.WORKS], bind=True, max_retries=STAGE_RETRIES)
def works(self: Task, record_ids: list[int], carry: dict[str, list] | None = None) -> dict[str, Any]:
    """Works stage over these records; queues the indexing of them (carried) and of every record
    whose work changed, as one index task."""
    return run_stage_task(self, PipelineStage.WORKS, record_ids, carry)


@celery_app.task(name=STAGE_TASKS[PipelineStage.INDEX], bind=True, max_retries=STAGE_RETRIES)
def index(self: Task, record_ids: list[int], carry: dict[str, list] | None = None) -> dict[str, Any]:
    """Index stage over these records; retried while the search engine (or database) is away."""
    return run_stage_task(self, PipelineStage.INDEX, record_ids, carry)


@celery_app.task(name=STAGE_TASKS[PipelineStage.PEOPLE], bind=True, max_retries=STAGE_RETRIES)
def people(self: Task, record_ids: list[int], carry: dict[str, list] | None = None) -> dict[str, Any]:
    """People stage over these records: their creators linked to researchers (with their neighbours)."""
    return run_stage_task(self, PipelineStage.PEOPLE, record_ids, carry)


@celery_app.task(name=STAGE_TASKS[PipelineStage.SHOWCASE], bind=True, max_retries=STAGE_RETRIES)
def showcase(self: Task, record_ids: list[int], carry: dict[str, list] | None = None) -> dict[str, Any]:
    """Showcase stage over these records: their facts refreshed and the figures they touch recomputed."""
    return run_stage_task(self, PipelineStage.SHOWCASE, record_ids, carry)


@celery_app.task(name=TICK_TASK)
def scheduler_tick() -> list[str]:
    """The scheduler's tick on the workers (``chair beat``): due harvests queued, health and snapshots
    brought up to date."""
    from hub.scheduling.runner import tick

    return tick(worker_hub())


@celery_app.task(name=COMPLETENESS_TASK, bind=True, max_retries=STAGE_RETRIES)
def completeness(self: Task, repository_id: int) -> int:
    """Sweep one repository's identifiers; returns the report id. Retried while the database is away
    (a source that cannot list is a report of its own, not a retry)."""
    from sqlalchemy.exc import OperationalError

    from hub.health.completeness import check_completeness

    try:
        return check_completeness(worker_hub(), repository_id)
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=RETRY_DELAY * 2 ** self.request.retries) from exc
