"""Celery beat: a schedule that runs the scheduler tick every minute on the workers (``chair beat``).

The tick itself (:func:`hub.scheduling.runner.tick`, the task ``hub.tasks.scheduler_tick``) decides
which repositories are due (their interval or cron line), so the beat schedule never changes when a
repository's schedule does.
"""

from __future__ import annotations

from typing import Any

TICK_TASK = "hub.tasks.scheduler_tick"


def beat_schedule(settings: Any) -> dict[str, Any]:
    """The beat schedule: the tick every ``SCHEDULER_INTERVAL`` seconds."""
    return {"chair-scheduler-tick": {"task": TICK_TASK, "schedule": float(settings["SCHEDULER_INTERVAL"]),
                                     "options": {"queue": "harvest", "expires": float(settings["SCHEDULER_INTERVAL"])}}}


def run_beat(settings: Any, extra_args: list[str]) -> None:
    """Run Celery beat in the foreground with the hub's schedule."""
    from hub.tasks import celery_app

    celery_app.conf.beat_schedule = beat_schedule(settings)
    celery_app.Beat(loglevel="INFO", **_beat_options(extra_args)).run()


def _beat_options(extra_args: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for arg in extra_args:
        if arg.startswith("--schedule="):
            options["schedule"] = arg.split("=", 1)[1]
    return options
