"""The extract stage, one stored file: text, language and quality into the object store.

The text goes to ``text/ab/cd/<sha256>.txt`` and the facts (extractor, pages, language,
quality, needs-OCR, warnings) to ``.json`` beside it. A failure is counted on the file:
encrypted, unsupported or too-large files are marked unextractable at once; any other
failure is retried until ``EXTRACT_MAX_ATTEMPTS``, then the file is quarantined and left
alone until someone releases it (``chair files quarantine release SHA``). Every failure is
also recorded as an item error (stage ``extract``) on each record holding the file.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from hub.fulltext.backends import extractor_for, store_for
from hub.fulltext.records import record_error, refresh_records
from hub.fulltext.states import ExtractState
from hub.models import Record, RecordFile, StoredFile, utcnow
from hub.states import Stage
from storage.base import ObjectMissing, StorageError, file_key, meta_key, text_key
from storage.extract import ExtractErrorKind, ExtractionError

log = logging.getLogger(__name__)
DONE = {ExtractState.EXTRACTED, ExtractState.UNEXTRACTABLE, ExtractState.QUARANTINED}


def extract_file(hub, sha256: str, *, force: bool = False) -> ExtractState:
    """Extract the stored file ``sha256`` unless done (or quarantined); returns its new extraction state."""
    settings = hub.settings
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha256)
        if stored is None:
            raise LookupError(f"no stored file {sha256}")
        if stored.extract_state in DONE and not force:
            return stored.extract_state
        mime_type, size = stored.mime_type, stored.size
    store, extractor = store_for(settings), extractor_for(settings)
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
        return _failed(hub, sha256, exc.kind.value, exc.message, exc.kind.permanent)
    except ObjectMissing as exc:
        return _failed(hub, sha256, "missing-object", f"the stored file is missing from the store: {exc}", False)
    except (StorageError, OSError) as exc:
        return _failed(hub, sha256, "storage", f"object store error: {exc}", False)
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha256)
        stored.extract_state = ExtractState.EXTRACTED
        stored.extract_error_kind = stored.extract_error = ""
        stored.extracted_at = utcnow()
        stored.extractor = result.extractor
        stored.text_chars = len(result.text)
        stored.text_language = result.language
        stored.text_quality = result.quality
        stored.needs_ocr = result.needs_ocr
        stored.ocr = result.ocr
        refresh_records(session, _holders(session, sha256))
    return ExtractState.EXTRACTED  # its records' re-indexing is the dispatcher's (hub.pipeline.graph)


def _holders(session, sha256: str) -> list[int]:
    return list(session.scalars(select(RecordFile.record_id).where(RecordFile.sha256 == sha256).distinct()))


def _failed(hub, sha256: str, kind: str, message: str, permanent: bool) -> ExtractState:
    """Count a failed attempt; mark unextractable, failed or quarantined; record item errors."""
    max_attempts = int(hub.settings.get("EXTRACT_MAX_ATTEMPTS", 3))
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha256)
        stored.extract_attempts += 1
        stored.extract_error_kind = kind[:32]
        stored.extract_error = message
        if permanent:
            stored.extract_state = ExtractState.UNEXTRACTABLE
        elif stored.extract_attempts >= max_attempts:
            stored.extract_state = ExtractState.QUARANTINED
            message = f"quarantined after {stored.extract_attempts} failed attempts; last: {message}"
        else:
            stored.extract_state = ExtractState.FAILED
        state = stored.extract_state
        holders = _holders(session, sha256)
        for record in session.scalars(select(Record).where(Record.id.in_(holders))):
            record_error(session, record, Stage.EXTRACT, kind, f"{sha256[:12]}: {message}")
        refresh_records(session, holders)
    log.warning("extraction of %s failed (%s): %s", sha256, kind, message)
    return state


def release(hub, sha256: str) -> None:
    """Take a file out of quarantine (or unextractable) so that the next extraction tries it afresh."""
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha256)
        if stored is None:
            raise LookupError(f"no stored file {sha256}")
        stored.extract_state = ExtractState.PENDING
        stored.extract_attempts = 0
        refresh_records(session, _holders(session, sha256))
