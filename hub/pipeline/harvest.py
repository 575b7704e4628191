"""The one entry point of a harvest with its follow-ups: :func:`harvest`.

The CLI (``chair harvest``), the scheduler, the admin area (through
:func:`hub.pipeline.dispatch.submit`), the demo and the Celery ``harvest`` task all call it:

1. gather + import (:func:`hub.harvest.gather.harvest_repository`, page by page, resumable);
2. what the changed records trigger (files, extract, works, index), run here or queued by the
   dispatcher;
3. the listeners told of every harvest, a failed one included (the change feed's webhooks);
4. the repository's health brought up to date.

:func:`after_harvest` is steps 2-4 alone, for record changes made by other means (a completeness
repair's GetRecord run).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hub.pipeline.dispatch import Progress, follow
from hub.pipeline.graph import LISTENERS, PipelineStage
from hub.pipeline.report import StageReport

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)


@dataclass
class HarvestOutcome:
    """A harvest's summary, its follow-up stages' reports and the listeners' lines."""

    summary: Any  # hub.harvest.gather.HarvestSummary
    records: StageReport
    stages: list[StageReport] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    def report(self, stage: PipelineStage) -> StageReport | None:
        """The report of one follow-up stage (None when it had nothing to do)."""
        return next((r for r in self.stages if r.stage is stage), None)

    def lines(self) -> list[str]:
        """One line per follow-up stage, then the listeners' lines."""
        return [r.line() for r in self.stages] + list(self.events)


def import_report(summary: Any) -> StageReport:
    """The harvest's records as the import stage's report (what the dispatcher follows)."""
    counts = Counter({k: v for k, v in (summary.counts or {}).items() if v})
    return StageReport(PipelineStage.IMPORT, given=int(counts.get("seen", 0)),
                       records=list(dict.fromkeys(summary.changed_ids)), counts=counts,
                       duration=float(summary.duration or 0.0))


def harvest(hub: Hub, repository_id: int, full: bool = False, *, confirm_deletions: bool = False,
            pages: Callable[[Any], None] | None = None, progress: Progress | None = None) -> HarvestOutcome:
    """Harvest one repository (resuming its unfinished run), then its follow-ups; never raises for
    source faults. ``pages`` sees the run after every committed page; ``progress`` each follow-up stage."""
    from hub.harvest.gather import harvest_repository

    started = time.perf_counter()
    summary = harvest_repository(hub.db, hub.pm, hub.settings, repository_id, full=full, progress=pages,
                                 http=hub.http(repository_id), confirm_deletions=confirm_deletions)
    summary.duration = time.perf_counter() - started  # wall clock, sub-second (the run's timestamps are whole seconds)
    return after_harvest(hub, summary, progress=progress, seconds=summary.duration)


def after_harvest(hub: Hub, summary: Any, *, progress: Progress | None = None,
                  seconds: float | None = None) -> HarvestOutcome:
    """What follows a harvest (or any run that changed records): stages, listeners, health.

    ``seconds``: the wall-clock time of the records stage, measured by the caller.
    """
    outcome = HarvestOutcome(summary, import_report(summary))
    if seconds is not None:
        outcome.records.duration = seconds
    try:
        outcome.stages = follow(hub, outcome.records, progress=progress)
    except Exception as exc:  # the harvest stands; its follow-ups are reported as failed
        log.exception("follow-ups of repository %s failed", summary.repository_id)
        outcome.events.append(f"follow-ups failed: {exc}")
    outcome.events.extend(tell_listeners(hub, summary))
    _update_health(hub, summary.repository_id)
    return outcome


def tell_listeners(hub: Hub, summary: Any) -> list[str]:
    """Tell every listener (:data:`hub.pipeline.graph.LISTENERS`) of the harvest; their non-empty lines."""
    lines = []
    for name in LISTENERS:
        try:
            line = importlib.import_module(name).after_harvest(hub, summary)
        except Exception as exc:  # a listener's failure is reported, the harvest stands
            log.exception("listener %s failed", name)
            line = f"{name}: failed: {exc}"
        if line:
            lines.append(line)
    return lines


def _update_health(hub: Hub, repository_id: int) -> None:
    from hub.health.status import update_health

    try:
        with hub.db.session() as session:
            update_health(session, hub.settings, repository_id)
    except Exception:  # health is derived again on the next tick
        log.exception("health of repository %s not updated", repository_id)
