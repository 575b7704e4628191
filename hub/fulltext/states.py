"""Enums of the full-text stages: where one downloaded link and one stored file stand."""

from __future__ import annotations

from enum import StrEnum


class FileState(StrEnum):
    """One full-text link of one record (a RecordFile row)."""

    PENDING = "pending"  # found, not downloaded yet (or to be retried)
    STORED = "stored"  # downloaded and in the object store (sha256 set)
    SKIPPED = "skipped"  # not open access (restricted, embargoed): never downloaded
    FAILED = "failed"  # the download failed; ``error_kind`` and ``error`` say why


class ExtractState(StrEnum):
    """Text extraction of one stored file (a StoredFile row)."""

    PENDING = "pending"
    EXTRACTED = "extracted"
    FAILED = "failed"  # failed, will be retried (attempts < EXTRACT_MAX_ATTEMPTS)
    UNEXTRACTABLE = "unextractable"  # encrypted, unsupported or too large: retrying cannot help
    QUARANTINED = "quarantined"  # failed EXTRACT_MAX_ATTEMPTS times: not retried until released
