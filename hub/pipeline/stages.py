"""The dispatched stages as plain functions over ids, each returning a :class:`StageReport`.

Each wraps the stage's own module (files: :mod:`hub.fulltext.pipeline`, extract:
:mod:`hub.fulltext.extract`, works: :mod:`hub.works.grouping`, index: :mod:`hub.pipeline.index`,
people: :mod:`hub.people.linking`, showcase: :mod:`hub.showcase.refresh`) and
reads back what the next stages need: the new content to extract, the records holding a new text,
the records whose work changed, and the ids worth trying again. None of them calls another stage,
imports Celery or asks whether a broker exists: :mod:`hub.pipeline.dispatch` does what follows.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.pipeline.graph import PipelineStage
from hub.pipeline.report import StageReport

if TYPE_CHECKING:
    from hub.context import Hub

StageFunction = Callable[..., StageReport]


def files_stage(hub: Hub, record_ids: Sequence[int], *, retry_failed: bool = False,
                recheck: bool = True) -> StageReport:
    """Discover the files of these records through their platform's API (where it has one), then sync and
    download them; ``files`` names the new content to extract, ``records`` those whose links changed."""
    from hub.fulltext.pipeline import _RETRYABLE, run_files
    from hub.fulltext.states import FileState
    from hub.models import RecordFile
    from hub.pipeline.discovery import discover_links

    started = time.perf_counter()
    ids = list(dict.fromkeys(record_ids))
    discovered = discover_links(hub, ids)
    got = run_files(hub, ids, retry_failed=retry_failed, recheck=recheck)
    report = StageReport(PipelineStage.FILES, given=len(ids), files=list(dict.fromkeys(got.extract)),
                         records=discovered.changed, counts=Counter({k: n for k, n in got.outcomes.items()}),
                         errors=Counter(discovered.errors))
    if discovered.changed:
        report.counts["links discovered"] += len(discovered.changed)
    max_attempts = hub.settings.FILE_MAX_ATTEMPTS
    with hub.db.session() as session:
        for start in range(0, len(ids), 500):
            rows = session.execute(select(RecordFile.record_id, RecordFile.error_kind, RecordFile.attempts).where(
                RecordFile.record_id.in_(ids[start:start + 500]), RecordFile.state == FileState.FAILED)).all()
            for record_id, kind, attempts in rows:
                report.errors[kind or "unknown"] += 1
                if kind in _RETRYABLE and attempts < max_attempts and record_id not in report.retry:
                    report.retry.append(record_id)
    report.duration = time.perf_counter() - started
    return report


def extract_stage(hub: Hub, sha256s: Sequence[str]) -> StageReport:
    """Extract these stored files; ``records`` names the records holding a new text."""
    from hub.fulltext.extract import extract_files
    from hub.fulltext.states import ExtractState
    from hub.models import RecordFile, StoredFile

    started = time.perf_counter()
    shas = list(dict.fromkeys(sha256s))
    report = StageReport(PipelineStage.EXTRACT, given=len(shas))
    extracted: list[str] = []
    states = extract_files(hub, shas)  # a batch, several files at once (hub.fulltext.extract)
    for sha256 in shas:
        state = states.get(sha256)
        if state is None:  # released or collected meanwhile: nothing to extract
            report.counts["gone"] += 1
            continue
        report.counts[state.value] += 1
        if state is ExtractState.EXTRACTED:
            extracted.append(sha256)
        elif state is ExtractState.FAILED:
            report.retry.append(sha256)
    with hub.db.session() as session:
        done = set(extracted)
        failed = [s for s in shas if s not in done]
        for start in range(0, len(failed), 500):
            for (kind,) in session.execute(select(StoredFile.extract_error_kind).where(
                    StoredFile.sha256.in_(failed[start:start + 500]), StoredFile.extract_error_kind != "")):
                report.errors[kind] += 1
        for start in range(0, len(extracted), 500):
            report.records.extend(session.scalars(select(RecordFile.record_id).where(
                RecordFile.sha256.in_(extracted[start:start + 500])).distinct()))
    report.records = sorted(set(report.records))
    report.duration = time.perf_counter() - started
    return report


def works_stage(hub: Hub, record_ids: Sequence[int]) -> StageReport:
    """Regroup these records (and their neighbourhood) into works; ``records``: those whose work was (re)set."""
    from hub.works.grouping import regroup

    started = time.perf_counter()
    ids = list(dict.fromkeys(record_ids))
    with hub.db.session() as session:
        got = regroup(session, ids, hub.settings.WORKS_BUCKET_CAP)
    return regrouped(got, given=len(ids), duration=time.perf_counter() - started)


def regrouped(got: Any, *, given: int = 0, duration: float = 0.0) -> StageReport:
    """The works report of a regrouping (a harvest's, or a member's split or join decision)."""
    return StageReport(PipelineStage.WORKS, given=given or got.records, records=sorted(got.groups),
                       counts=Counter({"regrouped": got.records, "matches": got.edges, "new works": got.works_created,
                                       "changed works": got.works_changed, "gone works": got.works_deleted}),
                       duration=duration, note=got.line())


def index_stage(hub: Hub, record_ids: Sequence[int]) -> StageReport:
    """Index these records (deleted or unknown ones removed from the index)."""
    from hub.pipeline.index import index_records

    started = time.perf_counter()
    ids = list(dict.fromkeys(int(i) for i in record_ids))
    got = index_records(hub, ids)
    return StageReport(PipelineStage.INDEX, given=len(ids), counts=Counter(indexed=got.indexed, removed=got.deleted),
                       duration=time.perf_counter() - started)


def people_stage(hub: Hub, record_ids: Sequence[int]) -> StageReport:
    """Link the creators of these records (and of their neighbours) to researchers; ``records``: those
    whose authorships' researchers were (re)set."""
    from hub.people.linking import relink

    started = time.perf_counter()
    ids = list(dict.fromkeys(record_ids))
    with hub.db.session() as session:
        got = relink(session, ids, hub.settings.PEOPLE_BUCKET_CAP)
    return relinked(got, given=len(ids), duration=time.perf_counter() - started)


def relinked(got: Any, *, given: int = 0, duration: float = 0.0) -> StageReport:
    """The people report of a re-linking (a harvest's, or a member's split or join decision)."""
    return StageReport(PipelineStage.PEOPLE, given=given or got.records, records=sorted(got.changed),
                       counts=Counter({"authorships": got.authorships, "matches": got.edges,
                                       "new researchers": got.created, "changed researchers": got.changed_researchers,
                                       "gone researchers": got.deleted}),
                       duration=duration, note=got.line())


def showcase_stage(hub: Hub, record_ids: Sequence[int]) -> StageReport:
    """Refresh the facts of these records and recompute the showcase figures they touch (old facts and new)."""
    from hub.showcase.refresh import refresh

    started = time.perf_counter()
    ids = list(dict.fromkeys(record_ids))
    with hub.db.session() as session:
        got = refresh(session, ids)
    return StageReport(PipelineStage.SHOWCASE, given=len(ids), counts=Counter(got.counts),
                       duration=time.perf_counter() - started, note=got.line())


STAGES: dict[PipelineStage, StageFunction] = {
    PipelineStage.FILES: files_stage,
    PipelineStage.EXTRACT: extract_stage,
    PipelineStage.WORKS: works_stage,
    PipelineStage.INDEX: index_stage,
    PipelineStage.PEOPLE: people_stage,
    PipelineStage.SHOWCASE: showcase_stage,
}
