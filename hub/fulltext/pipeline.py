"""The files stage: per record, sync its full-text links and download its open files.

- :func:`process_record_files` — one record: sync its links to RecordFile rows, download what is
  pending (conditionally when a copy is stored), store, and name the new content;
- :func:`run_files` — the stage over record ids: one report whose ``extract`` lists the stored
  files with content to extract (the dispatcher, :mod:`hub.pipeline.dispatch`, runs or queues that);
- :func:`pending_records` / :func:`fetch_pending` — every record with work left (optionally
  retrying failed downloads), for ``chair files fetch`` and the admin's "retry files".
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from hub.fulltext.batch import count_failure
from hub.fulltext.fetch import FetchFailed, download
from hub.fulltext.objects import release_unreferenced
from hub.fulltext.records import clear_errors, refresh_records, sync_record_files
from hub.fulltext.states import ExtractState, FileState
from hub.http import HttpClient
from hub.models import Record, RecordFile, StoredFile, utcnow
from hub.redaction import Credentials, redact_url
from hub.states import ErrorKind, FulltextState, Stage

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)
BATCH = 50


@dataclass
class FilesReport:
    """What the files stage did: counts by outcome, and the files queued for extraction."""

    outcomes: Counter = field(default_factory=Counter)
    extract: list[str] = field(default_factory=list)

    def merge(self, other: FilesReport) -> None:
        self.outcomes.update(other.outcomes)
        self.extract.extend(other.extract)

    def line(self) -> str:
        parts = [f"{n} {k}" for k, n in sorted(self.outcomes.items())]
        return "full text: " + (", ".join(parts) if parts else "nothing to do")


def _due(row: RecordFile, retry_failed: bool, max_attempts: int) -> bool:
    if row.state is FileState.PENDING:
        return True
    if row.state is FileState.FAILED:
        return retry_failed or row.attempts < max_attempts and row.error_kind in _RETRYABLE
    return False


# Failed downloads worth trying again by themselves (others wait for `chair files fetch --retry-failed`).
_RETRYABLE = frozenset({ErrorKind.BROKEN_TRANSFER, ErrorKind.UNREACHABLE, ErrorKind.RETRY_LATER, ErrorKind.EMPTY,
                        ErrorKind.HTTP_500, ErrorKind.HTTP_502, ErrorKind.HTTP_503, ErrorKind.HTTP_504,
                        ErrorKind.HTTP_429, ErrorKind.HTTP_ERROR, ErrorKind.DEADLINE})


def process_record_files(hub: Hub, record_id: int, retry_failed: bool = False, recheck: bool = True,
                         http: HttpClient | None = None) -> FilesReport:
    """Run the files stage for one record (see the module doc); never raises for a bad file.

    ``http``: a client of the record's repository to reuse (kept open); by default one is made and closed."""
    settings = hub.settings
    report = FilesReport()
    max_attempts = settings.FILE_MAX_ATTEMPTS
    with hub.db.session() as session:
        record = session.get(Record, record_id)
        if record is None:
            return report
        repository_id, deleted = record.repository_id, record.deleted
        # The repository's basic-auth credentials go with downloads from its own origin only.
        origin = (record.repository.base_url, Credentials.from_text(record.repository.credentials))
        before = set(session.scalars(select(RecordFile.sha256).where(RecordFile.record_id == record_id)))
        if deleted:
            jobs: list[tuple] = []
        else:
            rows = sync_record_files(session, record)
            links = {str(link.get("url")): link for link in (record.fulltext_links or [])}
            jobs = [(row.id, row.url, row.mime_type, row.etag, row.last_modified, row.sha256,
                     str(links.get(row.url, {}).get("checksum") or ""))
                    for row in rows
                    if _due(row, retry_failed, max_attempts) or (recheck and row.state is FileState.STORED)]
            report.outcomes.update("skipped" for r in rows if r.state is FileState.SKIPPED)
            gone = before - {r.sha256 for r in rows}
            refresh_records(session, [record_id])
    if deleted:
        report.outcomes["released"] += len(release_unreferenced(hub, record_ids=[record_id]))
        with hub.db.session() as session:
            refresh_records(session, [record_id])
        return report
    if gone - {None}:
        report.outcomes["released"] += len(release_unreferenced(hub, shas=sorted(gone - {None})))
    if not jobs:
        return report
    own_client = http is None
    http = hub.http(repository_id) if http is None else http
    http.authenticate(*origin)
    store = hub.store
    try:
        for row_id, url, mime, etag, last_modified, old_sha, checksum in jobs:
            have_copy = bool(old_sha) and store.exists(f"files/{old_sha[:2]}/{old_sha[2:4]}/{old_sha}")
            try:
                got = download(http, store, url, max_bytes=int(settings["FILE_MAX_BYTES"]), declared_mime=mime,
                               etag=etag if have_copy else "", last_modified=last_modified if have_copy else "",
                               checksum=checksum, resume_attempts=settings.FILE_RESUME_ATTEMPTS)
            except FetchFailed as exc:
                _record_failure(hub, record_id, row_id, exc)
                report.outcomes["failed"] += 1
                continue
            except Exception as exc:  # a bug or an odd server must not stop the other files
                log.exception("download of %s failed", redact_url(url))
                _record_failure(hub, record_id, row_id, FetchFailed(ErrorKind.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"))
                report.outcomes["failed"] += 1
                continue
            if got.not_modified:
                report.outcomes["not-modified"] += 1
                _touch(hub, row_id)
                continue
            new = _record_stored(hub, record_id, row_id, got)
            report.outcomes["stored"] += 1
            if new:
                report.extract.append(got.sha256)
            if old_sha and old_sha != got.sha256:
                release_unreferenced(hub, shas=[old_sha])
    finally:
        if own_client:
            http.close()
    return report


def _touch(hub: Hub, row_id: int) -> None:
    with hub.db.session() as session:
        row = session.get(RecordFile, row_id)
        if row is not None:
            row.checked_at = utcnow()


def _record_failure(hub: Hub, record_id: int, row_id: int, exc: FetchFailed) -> None:
    with hub.db.session() as session:
        row = session.get(RecordFile, row_id)
        record = session.get(Record, record_id)
        if row is None or record is None:
            return
        count_failure(session, row, record, exc)
        refresh_records(session, [record_id])


def _record_stored(hub: Hub, record_id: int, row_id: int, got) -> bool:
    """Point the row at the stored content; create the StoredFile row. True when the content is new."""
    for _attempt in range(3):
        try:
            with hub.db.session() as session:
                stored = session.get(StoredFile, got.sha256)
                new = stored is None
                if new:
                    session.add(StoredFile(sha256=got.sha256, size=got.size, mime_type=got.mime_type[:255],
                                           extract_state=ExtractState.PENDING, extract_attempts=0,
                                           extract_error_kind="", extract_error="", extractor="", text_chars=0,
                                           text_language="", text_quality=0.0, needs_ocr=False, ocr=False))
                    session.flush()
                else:
                    new = stored.extract_state in {ExtractState.PENDING, ExtractState.FAILED}
                row = session.get(RecordFile, row_id)
                if row is None:
                    return new
                row.sha256, row.size, row.mime_type = got.sha256, got.size, got.mime_type[:255]
                row.etag, row.last_modified = got.etag[:512], got.last_modified[:64]
                row.state, row.error_kind, row.error, row.attempts = FileState.STORED, "", "", 0
                row.fetched_at = row.checked_at = utcnow()
                clear_errors(session, record_id, Stage.FILES)
                refresh_records(session, [record_id])
                return new
        except IntegrityError:
            continue  # another worker stored the same content at the same moment: read its row
    return False


def run_files(hub: Hub, record_ids: list[int], retry_failed: bool = False, recheck: bool = True) -> FilesReport:
    """The files stage for these records; one report (``extract``: new content to extract).

    ``recheck``: ask the source again (conditionally) for files already stored, as after a harvest
    that changed the record; ``chair files fetch`` only fetches what is pending.
    """
    from hub.fulltext.parallel import fetch_records

    return fetch_records(hub, record_ids, retry_failed=retry_failed, recheck=recheck)  # repositories in parallel


def pending_records(hub: Hub, repository_id: int | None = None, retry_failed: bool = False) -> list[int]:
    """Ids of the records with files-stage work left (found, or failed with ``retry_failed``)."""
    states = [FulltextState.FOUND] + ([FulltextState.FAILED] if retry_failed else [])
    query = select(Record.id).where(Record.deleted.is_(False)).order_by(Record.id)
    pending_rows = select(RecordFile.record_id).where(
        RecordFile.state.in_([FileState.PENDING] + ([FileState.FAILED] if retry_failed else [])))
    query = query.where(or_(Record.fulltext_state.in_(states), Record.id.in_(pending_rows)))
    if repository_id is not None:
        query = query.where(Record.repository_id == repository_id)
    with hub.db.session() as session:
        return list(session.scalars(query))


def fetch_pending(hub: Hub, repository_id: int | None = None, retry_failed: bool = False) -> FilesReport:
    """The files stage for every record with work left; ``outcomes["records"]`` counts them."""
    record_ids = pending_records(hub, repository_id, retry_failed)
    report = run_files(hub, record_ids, retry_failed=retry_failed, recheck=False)
    report.outcomes["records"] += len(record_ids)
    return report


def pending_extractions(hub: Hub, include_failed: bool = True) -> list[str]:
    """Stored files still waiting for extraction (and failed ones under the attempt limit)."""
    states = [ExtractState.PENDING] + ([ExtractState.FAILED] if include_failed else [])
    with hub.db.session() as session:
        return list(session.scalars(select(StoredFile.sha256).where(StoredFile.extract_state.in_(states))))
