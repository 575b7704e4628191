"""The dispatcher: the one place that knows whether a broker exists.

It runs or queues what a stage's report triggers (:mod:`hub.pipeline.graph`):

- on the embedded defaults (no ``BROKER_URL``) the triggered stages run here, in graph order, each
  once over the union of the ids every earlier stage fed it: after a harvest a record is indexed
  once, whether it changed, got a new text or moved to another work. A streaming trigger's target
  (files -> extract) runs in a thread of its own on each chunk its source finishes, so downloads and
  extraction overlap; the stages after it still wait for both;
- with a broker each triggered stage is queued as its thin Celery task (:mod:`hub.tasks`, imported
  only then). Ids a stage would get from two sources travel with the one that feeds it directly
  (a harvest's records to index ride with the works task, which indexes them together with the
  records whose work changed), so with workers too a record is indexed once per harvest, and again
  only when a new text of it is extracted.

:func:`submit` is how a face starts long work without waiting for it: a Celery task with a broker,
a background thread otherwise; no view or command starts a thread itself.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError

from hub.pipeline.graph import ORDER, SUBJECTS, PipelineStage, streamed_from, triggered_by
from hub.pipeline.report import StageReport
from hub.pipeline.stages import STAGES

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

# stage, ids done, ids in all: called while a stage runs in this process (the CLI's progress bars)
Progress = Callable[[PipelineStage, int, int], None]
Carry = dict[PipelineStage, list[Any]]

# Ids per call of a stage function in this process, and per queued task with a broker.
CHUNK: dict[PipelineStage, int] = {PipelineStage.FILES: 50, PipelineStage.EXTRACT: 100,
                                   PipelineStage.WORKS: 2000, PipelineStage.INDEX: 500,
                                   PipelineStage.PEOPLE: 2000, PipelineStage.SHOWCASE: 2000}


def uses_broker(hub: Hub) -> bool:
    """True when stages and harvests go to Celery workers (``BROKER_URL`` set)."""
    return bool(hub.settings.get("BROKER_URL"))


def retryable(exc: BaseException) -> bool:
    """A failure that trying again later may cure: the network, the database or a search engine away."""
    if isinstance(exc, (OSError, TimeoutError, OperationalError)):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ConnectionError", "ConnectionTimeout", "TransportError", "ConnectionRefusedError"})


def run_stage(hub: Hub, stage: PipelineStage, ids: Sequence[Any], *, progress: Progress | None = None,
              on_chunk: Callable[[StageReport], None] | None = None, **options: Any) -> StageReport:
    """Run one stage here over ``ids``, in chunks; a failing chunk is reported (by kind), never raised.
    ``on_chunk`` sees each chunk's own report as soon as the chunk is committed."""
    ids = list(dict.fromkeys(ids))
    report = StageReport(stage)
    started = time.perf_counter()
    size = CHUNK.get(stage, 500)
    if progress:
        progress(stage, 0, len(ids))
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        try:
            done = STAGES[stage](hub, chunk, **options)
            report.merge(done)
            if on_chunk is not None:
                on_chunk(done)
        except Exception as exc:  # the stage's other chunks and the other stages go on
            log.exception("%s stage failed on %d ids", stage.value, len(chunk))
            report.given += len(chunk)
            report.errors[type(exc).__name__] += len(chunk)
            if retryable(exc):
                report.retry.extend(chunk)
            report.note = f"failed: {exc}"
        if progress:
            progress(stage, min(start + size, len(ids)), len(ids))
    report.duration = time.perf_counter() - started
    return report


def triggered(report: StageReport, carry: Carry | None = None) -> dict[PipelineStage, list[Any]]:
    """What ``report`` makes run next: stage -> ids (with ids carried to it added), in graph order."""
    wanted: dict[PipelineStage, dict[Any, None]] = {}
    for trigger in triggered_by(report.stage):
        ids = report.ids_for(SUBJECTS[trigger.target])
        if ids:
            wanted.setdefault(trigger.target, {}).update(dict.fromkeys(ids))
    for stage, ids in (carry or {}).items():
        if ids:
            wanted.setdefault(stage, {}).update(dict.fromkeys(ids))
    return {stage: list(wanted[stage]) for stage in ORDER if stage in wanted}


def follow(hub: Hub, report: StageReport, *, carry: Carry | None = None,
           progress: Progress | None = None) -> list[StageReport]:
    """Run (no broker) or queue (broker) every stage ``report`` triggers; one report per stage."""
    pending = triggered(report, carry)
    if not pending:
        return []
    if uses_broker(hub):
        return _queue(hub, pending)
    return _run_here(hub, pending, progress)


def run_from(hub: Hub, stage: PipelineStage, ids: Sequence[Any], *, progress: Progress | None = None,
             **options: Any) -> list[StageReport]:
    """Run ``stage`` over ``ids`` here, then what it triggers (run or queued); its report comes first."""
    first = run_stage(hub, stage, ids, progress=progress, **options)
    return [first, *follow(hub, first, progress=progress)]


class Follower:
    """A stage running in a thread of its own over the ids fed to it, while the stage feeding it goes on
    (a streaming trigger, :func:`hub.pipeline.graph.streamed_from`). Ids fed twice run once; what is
    queued when :meth:`finish` is called still runs before it returns the merged report."""

    def __init__(self, hub: Hub, stage: PipelineStage) -> None:
        self.hub = hub
        self.stage = stage
        self.report = StageReport(stage)
        self._seen: set[Any] = set()
        self._queue: queue.Queue[list[Any] | None] = queue.Queue()
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._work, name=f"chair-{stage.value}", daemon=True)
        self._thread.start()

    def feed(self, ids: Sequence[Any]) -> None:
        """Have the stage run over ``ids`` (soon, in its thread)."""
        if ids:
            self._queue.put(list(ids))

    def _work(self) -> None:
        size = CHUNK.get(self.stage, 500)
        ended = False
        while not ended:
            batch = self._queue.get()
            ended = batch is None
            fresh = [i for i in batch or () if i not in self._seen]
            while not ended and len(fresh) < size:  # take what else is waiting, up to one chunk
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                ended = more is None
                fresh.extend(i for i in more or () if i not in self._seen)
            fresh = list(dict.fromkeys(fresh))
            self._seen.update(fresh)
            if fresh:
                self.report.merge(run_stage(self.hub, self.stage, fresh))

    def finish(self) -> StageReport:
        """Wait for every id fed to be done; the stage's report (its wall-clock time from the start)."""
        self._queue.put(None)
        self._thread.join()
        self.report.duration = time.perf_counter() - self._started
        return self.report


def _run_here(hub: Hub, pending: dict[PipelineStage, list[Any]], progress: Progress | None) -> list[StageReport]:
    wanted = {stage: dict.fromkeys(ids) for stage, ids in pending.items()}
    reports = []
    for stage in ORDER:
        ids = list(wanted.pop(stage, {}))
        if not ids:
            continue
        made = _run_streaming(hub, stage, ids, wanted, progress)
        reports.extend(made)
        for report in made:
            for target, more in triggered(report).items():
                assert ORDER.index(target) > ORDER.index(stage), f"{stage} triggers the earlier {target}"
                if target not in {r.stage for r in made}:
                    wanted.setdefault(target, {}).update(dict.fromkeys(more))
    return reports


def _run_streaming(hub: Hub, stage: PipelineStage, ids: list[Any], wanted: dict[PipelineStage, dict[Any, None]],
                   progress: Progress | None) -> list[StageReport]:
    """Run ``stage`` here; with a streaming target, that target alongside it on each finished chunk (and on
    the ids it was waiting for): both reports. Otherwise the stage's report alone."""
    target = streamed_from(stage)
    if target is None:
        return [run_stage(hub, stage, ids, progress=progress)]
    assert ORDER.index(target) == ORDER.index(stage) + 1, f"{target} can only stream right after {stage}"
    follower = Follower(hub, target)
    follower.feed(list(wanted.pop(target, {})))
    subject = SUBJECTS[target]
    try:
        report = run_stage(hub, stage, ids, progress=progress,
                           on_chunk=lambda chunk: follower.feed(chunk.ids_for(subject)))
    finally:
        followed = follower.finish()
    return [report, followed] if followed.given else [report]


def carriers(stages: Iterable[PipelineStage]) -> dict[PipelineStage, PipelineStage]:
    """target -> the stage among ``stages`` whose task takes the target's ids along (a direct trigger
    between two stages over the same kind of ids), so the target is queued once, after its carrier."""
    present = list(stages)
    found: dict[PipelineStage, PipelineStage] = {}
    for target in present:
        for source in present:
            if source is not target and any(t.target is target for t in triggered_by(source)) \
                    and SUBJECTS[source] is SUBJECTS[target]:
                found[target] = source
    return found


def plan(pending: dict[PipelineStage, list[Any]]) -> list[tuple[PipelineStage, list[Any], Carry]]:
    """The tasks to queue for ``pending`` (stage -> ids): (stage, batch of ids, ids carried along).

    A stage whose carrier is also pending gets no task of its own: its ids ride with the carrier's
    batches (each with the batch holding it, those of no batch with the last), so it runs once,
    after its carrier, over the union.
    """
    carried = carriers(pending)
    tasks: list[tuple[PipelineStage, list[Any], Carry]] = []
    for stage, ids in pending.items():
        if stage in carried:
            continue
        rides = {target: pending[target] for target, carrier in carried.items() if carrier is stage}
        size = CHUNK.get(stage, 500)
        batches = [ids[i:i + size] for i in range(0, len(ids), size)]
        own = set(ids)
        for number, batch in enumerate(batches):
            members = set(batch)
            last = number == len(batches) - 1
            tasks.append((stage, batch, {target: [i for i in along if i in members or (last and i not in own)]
                                         for target, along in rides.items()}))
    return tasks


def _queue(hub: Hub, pending: dict[PipelineStage, list[Any]]) -> list[StageReport]:
    from hub.tasks import send_stage

    carried = carriers(pending)
    for stage, batch, carry in plan(pending):
        send_stage(hub, stage, batch, carry)
    return [StageReport(stage, given=len(ids), queued=True,
                        note=f"after {carried[stage].value}" if stage in carried else "")
            for stage, ids in pending.items()]


def submit(hub: Hub, job: str, *args: Any, wait: bool = False) -> str:
    """Start long work: a Celery task with a broker; otherwise a background thread, or, with ``wait``
    (a caller that is itself in the background, as the scheduler's tick), right here.

    ``job`` is one of :data:`JOBS`; returns a line saying what happened ("queued as task ...",
    "started", or the job's own line when it ran here).
    """
    if uses_broker(hub):
        from hub.tasks import send_job

        return f"queued as task {send_job(hub, job, *args)}"
    target = JOBS[job]
    if wait:
        return target(hub, *args)

    def work() -> None:
        try:
            target(hub, *args)
        except Exception:  # a background thread has nobody to raise to: log it
            log.exception("%s %s failed", job, args)

    name = f"chair-{job}-{args[0] if args else ''}"
    threading.Thread(target=work, name=name, daemon=True).start()
    return "started"


def _harvest_job(hub: Hub, repository_id: int, full: bool = False) -> str:
    from hub.pipeline.harvest import harvest

    return f"harvested, {harvest(hub, repository_id, full).summary.state.value}"


def _check_job(hub: Hub, repository_id: int) -> str:
    from hub.checking import run_check_now

    report = run_check_now(hub, repository_id)
    return "checked, " + ("ok" if report.get("ok") else "problems found")


def _files_job(hub: Hub, repository_id: int | None = None, retry_failed: bool = False) -> str:
    from hub.fulltext.pipeline import pending_records

    reports = run_from(hub, PipelineStage.FILES, pending_records(hub, repository_id, retry_failed),
                       retry_failed=retry_failed, recheck=False)
    return "; ".join(r.line() for r in reports)


def _extract_job(hub: Hub, sha256s: list[str]) -> str:
    return "; ".join(r.line() for r in run_from(hub, PipelineStage.EXTRACT, sha256s))


def _completeness_job(hub: Hub, repository_id: int) -> str:
    from hub.health.completeness import check_completeness

    return f"completeness report {check_completeness(hub, repository_id)}"


def _after_run_job(hub: Hub, repository_id: int, run_id: int | None, record_ids: list[int]) -> str:
    """What follows a run that changed records outside a harvest (a completeness repair)."""
    from hub.harvest.gather import HarvestSummary
    from hub.pipeline.harvest import after_harvest
    from hub.states import RunState

    # (hub.harvest is checked without None tracking yet: its ``run_id: int | None`` reads as int there)
    summary = HarvestSummary(repository_id, run_id, RunState.SUCCEEDED,  # type: ignore[arg-type]
                             changed_ids=list(record_ids))
    return "; ".join(after_harvest(hub, summary).lines())


JOBS: dict[str, Callable[..., str]] = {"harvest": _harvest_job, "check": _check_job, "files": _files_job,
                                       "extract": _extract_job, "completeness": _completeness_job,
                                       "after_run": _after_run_job}
