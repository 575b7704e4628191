"""The extract stage, one stored file: text, language and quality into the object store.

The text goes to ``text/ab/cd/<sha256>.txt`` and the facts (extractor, pages, language,
quality, needs-OCR, warnings) to ``.json`` beside it. A failure is counted on the file:
encrypted, unsupported or too-large files are marked unextractable at once; any other
failure is retried until ``EXTRACT_MAX_ATTEMPTS``, then the file is quarantined and left
alone until someone releases it (``chair files quarantine release SHA``). Every failure is
also recorded as an item error (stage ``extract``) on each record holding the file.

:func:`extract_files` extracts a batch, as many files at once as the extractor takes
(``EXTRACT_WORKERS`` isolated children, or ``TIKA_IN_FLIGHT`` documents sent to Tika), and writes
the batch's outcomes in one transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.fulltext.records import record_error, refresh_records
from hub.fulltext.states import ExtractState
from hub.models import Record, RecordFile, StoredFile, utcnow
from hub.states import ErrorKind, Stage
from storage.base import ObjectMissing, StorageError, file_key, meta_key, text_key
from storage.extract import ExtractErrorKind, ExtractionError
from storage.extract.base import ExtractionResult

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)
DONE = {ExtractState.EXTRACTED, ExtractState.UNEXTRACTABLE, ExtractState.QUARANTINED}


@dataclass
class _Outcome:
    """What one file's extraction came to, before it is written: a result, or a failure."""

    sha256: str
    result: ExtractionResult | None = None
    kind: str = ""
    message: str = ""
    permanent: bool = False


def extract_file(hub: Hub, sha256: str, *, force: bool = False) -> ExtractState:
    """Extract the stored file ``sha256`` unless done (or quarantined); returns its new extraction state."""
    states = extract_files(hub, [sha256], force=force)
    if sha256 not in states:
        raise LookupError(f"no stored file {sha256}")
    return states[sha256]


def extract_files(hub: Hub, sha256s: Sequence[str], *, force: bool = False) -> dict[str, ExtractState]:
    """Extract these stored files, ``extractor.in_flight`` at a time (the pool of isolated children
    of the embedded extractor, or documents in flight to Tika); their outcomes are written in one
    transaction. Returns each known file's new state (files not stored are left out)."""
    wanted = list(dict.fromkeys(sha256s))
    states: dict[str, ExtractState] = {}
    todo: list[tuple[str, str, int]] = []
    with hub.db.session() as session:
        for start in range(0, len(wanted), 500):
            for stored in session.scalars(select(StoredFile).where(StoredFile.sha256.in_(wanted[start:start + 500]))):
                if stored.extract_state in DONE and not force:
                    states[stored.sha256] = stored.extract_state
                else:
                    todo.append((stored.sha256, stored.mime_type, stored.size))
    if not todo:
        return states
    store, extractor = hub.store, hub.extractor
    workers = min(len(todo), max(1, int(getattr(extractor, "in_flight", 1))))
    if workers == 1:
        outcomes = [_extract_one(store, extractor, *job) for job in todo]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="chair-extract") as pool:
            outcomes = list(pool.map(lambda job: _extract_one(store, extractor, *job), todo))
    states.update(_write(hub, outcomes))
    return states


def _extract_one(store, extractor, sha256: str, mime_type: str, size: int) -> _Outcome:
    """Extract one file and store its text and facts; never raises for the file's own faults."""
    try:
        if size > extractor.max_bytes:
            raise ExtractionError(ExtractErrorKind.TOO_LARGE,
                                  f"{size} bytes, more than EXTRACT_MAX_BYTES={extractor.max_bytes}")
        with store.local_copy(file_key(sha256)) as path:
            result = extractor.extract(path, mime_type)
        store.put_bytes(text_key(sha256), result.text.encode("utf-8"), "text/plain; charset=utf-8")
        store.put_bytes(meta_key(sha256), json.dumps(result.facts(), ensure_ascii=False, default=str).encode(),
                        "application/json")
    except ExtractionError as exc:
        return _Outcome(sha256, kind=exc.kind.value, message=exc.message, permanent=exc.kind.permanent)
    except ObjectMissing as exc:
        return _Outcome(sha256, kind=ErrorKind.MISSING_OBJECT, message=f"the stored file is missing from the store: {exc}")
    except (StorageError, OSError) as exc:
        return _Outcome(sha256, kind=ErrorKind.STORAGE, message=f"object store error: {exc}")
    return _Outcome(sha256, result=result)


def _write(hub: Hub, outcomes: list[_Outcome]) -> dict[str, ExtractState]:
    """Write every outcome of a batch in one transaction; the records holding the files refreshed once."""
    max_attempts = hub.settings.EXTRACT_MAX_ATTEMPTS
    states: dict[str, ExtractState] = {}
    failures: list[tuple[str, str, str]] = []
    with hub.db.session() as session:
        shas = [o.sha256 for o in outcomes]
        rows = {s.sha256: s for s in session.scalars(select(StoredFile).where(StoredFile.sha256.in_(shas)))}
        holders = _holders_of(session, shas)
        for outcome in outcomes:
            stored = rows.get(outcome.sha256)
            if stored is None:  # released meanwhile: nothing to record
                continue
            if outcome.result is not None:
                result = outcome.result
                stored.extract_state = ExtractState.EXTRACTED
                stored.extract_error_kind = stored.extract_error = ""
                stored.extracted_at = utcnow()
                stored.extractor = result.extractor
                stored.text_chars = len(result.text)
                stored.text_language = result.language
                stored.text_quality = result.quality
                stored.needs_ocr = result.needs_ocr
                stored.ocr = result.ocr
            else:
                message = _count_failure(stored, outcome, max_attempts)
                failures.append((outcome.sha256, outcome.kind, message))
            states[outcome.sha256] = stored.extract_state
        failed_holders = sorted({r for sha, _, _ in failures for r in holders.get(sha, ())})
        records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(failed_holders)))}
        for sha256, kind, message in failures:
            for record_id in holders.get(sha256, ()):
                if record_id in records:
                    record_error(session, records[record_id], Stage.EXTRACT, kind, f"{sha256[:12]}: {message}")
        refresh_records(session, sorted({r for ids in holders.values() for r in ids}))
    for sha256, kind, message in failures:
        log.warning("extraction of %s failed (%s): %s", sha256, kind, message)
    return states  # the records' re-indexing is the dispatcher's (hub.pipeline.graph)


def _count_failure(stored: StoredFile, outcome: _Outcome, max_attempts: int) -> str:
    """Count a failed attempt on the file: unextractable, failed or quarantined; the message to record."""
    message = outcome.message
    stored.extract_attempts += 1
    stored.extract_error_kind = outcome.kind[:32]
    stored.extract_error = message
    if outcome.permanent:
        stored.extract_state = ExtractState.UNEXTRACTABLE
    elif stored.extract_attempts >= max_attempts:
        stored.extract_state = ExtractState.QUARANTINED
        message = f"quarantined after {stored.extract_attempts} failed attempts; last: {message}"
    else:
        stored.extract_state = ExtractState.FAILED
    return message


def _holders_of(session, sha256s: list[str]) -> dict[str, list[int]]:
    """sha256 -> the records holding that file."""
    held: dict[str, list[int]] = {}
    for sha256, record_id in session.execute(select(RecordFile.sha256, RecordFile.record_id).where(
            RecordFile.sha256.in_(sha256s)).distinct()):
        held.setdefault(sha256, []).append(record_id)
    return held


def _holders(session, sha256: str) -> list[int]:
    return _holders_of(session, [sha256]).get(sha256, [])


def release(hub: Hub, sha256: str) -> None:
    """Take a file out of quarantine (or unextractable) so that the next extraction tries it afresh."""
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha256)
        if stored is None:
            raise LookupError(f"no stored file {sha256}")
        stored.extract_state = ExtractState.PENDING
        stored.extract_attempts = 0
        refresh_records(session, _holders(session, sha256))
