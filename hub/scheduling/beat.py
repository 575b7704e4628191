"""Celery beat: a schedule that runs the scheduler tick every minute on the workers (``chair beat``).

The tick itself decides which repositories are due (their interval or cron line), so the beat
schedule never changes when a repository's schedule does.
"""

from __future__ import annotations

from typing import Any

from hub.tasks import celery_app, worker_hub

TICK_TASK = "hub.tasks.scheduler_tick"


@celery_app.task(name=TICK_TASK)
def tick_task() -> list[str]:
    """Queue the due repositories' harvests and bring health and snapshots up to date."""
    from hub.scheduling.runner import tick

    return tick(worker_hub())


@celery_app.task(name="hub.tasks.completeness", bind=True, max_retries=3, default_retry_delay=300)
def completeness_task(self, repository_id: int) -> int:
    """Sweep one repository's identifiers; returns the report id."""
    from hub.health.completeness import check_completeness

    return check_completeness(worker_hub(), repository_id)


def beat_schedule(settings: dict[str, Any]) -> dict[str, Any]:
    """The beat schedule: the tick every ``SCHEDULER_INTERVAL`` seconds."""
    return {"chair-scheduler-tick": {"task": TICK_TASK, "schedule": float(settings["SCHEDULER_INTERVAL"]),
                                     "options": {"queue": "harvest", "expires": float(settings["SCHEDULER_INTERVAL"])}}}


def run_beat(settings: dict[str, Any], extra_args: list[str]) -> None:
    """Run Celery beat in the foreground with the hub's schedule."""
    celery_app.conf.beat_schedule = beat_schedule(settings)
    celery_app.Beat(loglevel="INFO", **_beat_options(extra_args)).run()


def _beat_options(extra_args: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for arg in extra_args:
        if arg.startswith("--schedule="):
            options["schedule"] = arg.split("=", 1)[1]
    return options
