"""The files stage over a batch of one repository's records: two transactions per batch, not per file.

:func:`fetch_batch` does for a batch what :func:`hub.fulltext.pipeline.process_record_files` does
for one record, in three steps:

1. one transaction: the records' RecordFile rows synced with their links, the downloads due
   listed, their full-text states refreshed (a deleted record's files released afterwards, a
   file no link names any more released when no record holds it);
2. the downloads, with no session open, through one HTTP client of the repository (its
   politeness limiter, its connection reused);
3. one transaction: every outcome written (stored content and its StoredFile row, a
   not-modified check, a failure counted with its item error), the records refreshed once;
   content a download replaced released afterwards.

Two workers storing the same content at the same moment: the insert that loses is retried,
reading the winner's row, as the one-record path does.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from hub.fulltext.fetch import Downloaded, FetchFailed, download
from hub.fulltext.objects import release_unreferenced
from hub.fulltext.records import record_error, refresh_records, sync_records_files
from hub.fulltext.states import ExtractState, FileState
from hub.models import ItemError, Record, RecordFile, StoredFile, utcnow
from hub.redaction import Credentials, redact_url
from hub.states import ErrorKind, Stage

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One download due: the row, its link's facts and what a previous download left."""

    record_id: int
    row_id: int
    url: str
    mime_type: str
    etag: str
    last_modified: str
    old_sha: str | None
    checksum: str
    got: Downloaded | None = None
    failure: FetchFailed | None = None


def _plan(hub: Hub, record_ids: Sequence[int], retry_failed: bool, recheck: bool,
          outcomes: Counter) -> tuple[list[Job], list[int], set[str], tuple[str, Any] | None]:
    """Step 1: the downloads due, the deleted records, the digests no link names any more, the origin."""
    from hub.fulltext.pipeline import _due

    max_attempts = hub.settings.FILE_MAX_ATTEMPTS
    jobs: list[Job] = []
    deleted: list[int] = []
    gone: set[str] = set()
    origin = None
    with hub.db.session() as session:
        records = list(session.scalars(select(Record).where(Record.id.in_(list(record_ids)))))
        before: dict[int, set[str]] = {}
        for record_id, sha256 in session.execute(select(RecordFile.record_id, RecordFile.sha256).where(
                RecordFile.record_id.in_([r.id for r in records]))):
            before.setdefault(record_id, set()).add(sha256)
        synced = sync_records_files(session, [r for r in records if not r.deleted])
        for record in records:
            if origin is None:  # the repository's basic-auth credentials go to its own origin only
                origin = (record.repository.base_url, Credentials.from_text(record.repository.credentials))
            if record.deleted:
                deleted.append(record.id)
                continue
            rows = synced[record.id]
            links = {str(link.get("url")): link for link in (record.fulltext_links or [])}
            jobs.extend(Job(record.id, row.id, row.url, row.mime_type, row.etag, row.last_modified, row.sha256,
                            str(links.get(row.url, {}).get("checksum") or ""))
                        for row in rows
                        if _due(row, retry_failed, max_attempts) or (recheck and row.state is FileState.STORED))
            outcomes.update("skipped" for r in rows if r.state is FileState.SKIPPED)
            gone |= before.get(record.id, set()) - {r.sha256 for r in rows}
        refresh_records(session, [r.id for r in records if not r.deleted])
    return jobs, deleted, gone - {None}, origin


def _download(hub: Hub, http: Any, job: Job) -> None:
    """Step 2 for one job: its outcome set on the job; never raises."""
    settings, store = hub.settings, hub.store
    try:
        have_copy = bool(job.old_sha) and store.exists(f"files/{job.old_sha[:2]}/{job.old_sha[2:4]}/{job.old_sha}")
        job.got = download(http, store, job.url, max_bytes=settings.FILE_MAX_BYTES,
                           declared_mime=job.mime_type, etag=job.etag if have_copy else "",
                           last_modified=job.last_modified if have_copy else "", checksum=job.checksum,
                           resume_attempts=int(settings["FILE_RESUME_ATTEMPTS"]))
    except FetchFailed as exc:
        job.failure = exc
    except Exception as exc:  # a bug or an odd server must not stop the other files
        log.exception("download of %s failed", redact_url(job.url))
        job.failure = FetchFailed(ErrorKind.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")


def _write(hub: Hub, jobs: list[Job], outcomes: Counter, extract: list[str]) -> list[str]:
    """Step 3: every outcome in one transaction (retried when another worker stored the same content
    meanwhile); the digests replaced by new content, to release."""
    for attempt in range(3):
        counted: Counter[str] = Counter()
        new_content: list[str] = []
        replaced: list[str] = []
        try:
            with hub.db.session() as session:
                rows = {r.id: r for r in session.scalars(select(RecordFile).where(
                    RecordFile.id.in_([j.row_id for j in jobs])))}
                records = {r.id: r for r in session.scalars(select(Record).where(
                    Record.id.in_(sorted({j.record_id for j in jobs}))))}
                contents = {j.got.sha256 for j in jobs if j.got is not None and not j.got.not_modified}
                known = {f.sha256: f for f in session.scalars(select(StoredFile).where(
                    StoredFile.sha256.in_(sorted(contents))))}
                stored_ok: list[int] = []
                for job in jobs:
                    row = rows.get(job.row_id)
                    if job.failure is not None:
                        counted["failed"] += 1
                        if row is not None and job.record_id in records:
                            count_failure(session, row, records[job.record_id], job.failure)
                    elif job.got is not None and job.got.not_modified:
                        counted["not-modified"] += 1
                        if row is not None:
                            row.checked_at = utcnow()
                    elif job.got is not None:
                        counted["stored"] += 1
                        if _stored(session, known, job.got):
                            new_content.append(job.got.sha256)
                        if row is not None:
                            _point(row, job.got)
                            stored_ok.append(job.record_id)
                        if job.old_sha and job.old_sha != job.got.sha256:
                            replaced.append(job.old_sha)
                failed = {j.record_id for j in jobs if j.failure is not None}
                cleared = sorted(set(stored_ok) - failed)  # a record's new failure stays shown
                if cleared:
                    session.execute(delete(ItemError).where(ItemError.record_id.in_(cleared),
                                                            ItemError.stage == Stage.FILES,
                                                            ItemError.run_id.is_(None)))
                refresh_records(session, sorted(records))
        except IntegrityError:
            if attempt == 2:
                raise
            continue  # another worker stored the same content at the same moment: read its row
        outcomes.update(counted)
        extract.extend(new_content)
        return replaced
    return []


def _stored(session: Any, known: dict[str, StoredFile], got: Downloaded) -> bool:
    """The StoredFile row of new content (created when missing; ``known``: the batch's rows, read in
    one query and grown here); True when the content needs extracting."""
    stored = known.get(got.sha256)
    if stored is None:
        stored = known[got.sha256] = StoredFile(
            sha256=got.sha256, size=got.size, mime_type=got.mime_type[:255], extract_state=ExtractState.PENDING,
            extract_attempts=0, extract_error_kind="", extract_error="", extractor="", text_chars=0,
            text_language="", text_quality=0.0, needs_ocr=False, ocr=False)
        session.add(stored)
        return True
    return stored.extract_state in {ExtractState.PENDING, ExtractState.FAILED}


def _point(row: RecordFile, got: Downloaded) -> None:
    """The row now names the downloaded content."""
    row.sha256, row.size, row.mime_type = got.sha256, got.size, got.mime_type[:255]
    row.etag, row.last_modified = got.etag[:512], got.last_modified[:64]
    row.state, row.error_kind, row.error, row.attempts = FileState.STORED, "", "", 0
    row.fetched_at = row.checked_at = utcnow()


def count_failure(session: Any, row: RecordFile, record: Record, exc: FetchFailed) -> None:
    """Count a failed download on its row and record the item error."""
    row.attempts += 1
    row.error_kind, row.error = exc.kind[:32], exc.message
    row.checked_at = utcnow()
    if not (row.state is FileState.STORED and exc.retryable):
        row.state = FileState.FAILED  # a stored copy survives a transient failure to re-check it
    record_error(session, record, Stage.FILES, exc.kind, f"{row.url}: {exc.message}")


def fetch_batch(hub: Hub, record_ids: Sequence[int], http: Any, *, retry_failed: bool = False,
                recheck: bool = True):
    """The files stage for a batch of one repository's records through ``http`` (kept open); a
    :class:`~hub.fulltext.pipeline.FilesReport`. Never raises for a bad file."""
    from hub.fulltext.pipeline import FilesReport

    report = FilesReport()
    jobs, deleted, gone, origin = _plan(hub, record_ids, retry_failed, recheck, report.outcomes)
    if deleted:
        report.outcomes["released"] += len(release_unreferenced(hub, record_ids=deleted))
        with hub.db.session() as session:
            refresh_records(session, deleted)
    if gone:
        report.outcomes["released"] += len(release_unreferenced(hub, shas=sorted(gone)))
    if not jobs:
        return report
    if origin is not None:
        http.authenticate(*origin)
    for job in jobs:
        _download(hub, http, job)
    replaced = _write(hub, jobs, report.outcomes, report.extract)
    if replaced:
        release_unreferenced(hub, shas=sorted(set(replaced)))
    return report
