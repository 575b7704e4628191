"""Enums for every state and outcome the hub stores: never bare strings."""

from __future__ import annotations

from enum import StrEnum


class RepositoryState(StrEnum):
    """Whether the scheduler harvests a repository."""

    ACTIVE = "active"
    PAUSED = "paused"


class CheckState(StrEnum):
    """Where a repository's check (run as a task, see hub.checking) stands, as the admin page shows it."""

    NONE = "none"  # never checked
    RUNNING = "running"
    INTERRUPTED = "interrupted"  # asked for, never finished (a worker killed, a restart)
    DONE = "done"


class RunKind(StrEnum):
    """A full re-harvest reads everything; an incremental one reads from the high-water mark."""

    FULL = "full"
    INCREMENTAL = "incremental"


class RunState(StrEnum):
    """Life of a harvest run. INTERRUPTED is derived for runs whose worker died."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # finished, but some records failed and are listed as item errors
    FAILED = "failed"  # stopped by an error; resumable from its checkpoint
    INTERRUPTED = "interrupted"  # its worker died; resumable from its checkpoint

    @property
    def finished(self) -> bool:
        return self in {RunState.SUCCEEDED, RunState.PARTIAL}

    @property
    def resumable(self) -> bool:
        return self in {RunState.FAILED, RunState.INTERRUPTED}


class Stage(StrEnum):
    """Pipeline stages; every item error names the stage that raised it."""

    CHECK = "check"
    GATHER = "gather"
    IMPORT = "import"
    FILES = "files"
    EXTRACT = "extract"
    INDEX = "index"


class ErrorKind(StrEnum):
    """Every kind the hub stores an error or a note with: item errors and notes of runs (``ItemError.kind``),
    failed files (``RecordFile.error_kind``, ``StoredFile.extract_error_kind``). One vocabulary: the
    explanations shown to members (:mod:`hub.health.explanations`) are keyed by it, and the kinds the
    layers below report in their own enums (the OAI client's ``RecordFault``, the extractors'
    ``ExtractErrorKind``, ResourceSync's ``ResourceFault``; storage and plugins cannot import core) carry
    these same values (a test checks it). The values are the stored strings: never change one.
    """

    # Notes the harvest writes on a run: the run went on (WARNING_KINDS below are shown as warnings)
    TOKEN_FALLBACK = "token_fallback"  # a dead resumption token: the list was restarted whole
    RUNAWAY_TOKENS = "runaway_tokens"  # tokens past completeListSize: the list was ended
    LIST_RESTART_FAILED = "list-restart-failed"  # the token died again: the list is left unfinished
    GRANULARITY_FALLBACK = "granularity_fallback"  # seconds in from/until refused: days used
    GRANULARITY_UNKNOWN = "granularity_unknown"  # Identify gave no usable granularity
    RECORD_REPAIRED = "record-repaired"  # characters illegal in XML dropped; raw bytes kept
    VALUE_CUT = "value-cut"  # a metadata value longer than HARVEST_MAX_VALUE_CHARS was cut
    EMPTY_METADATA = "empty-metadata"  # an update without metadata did not overwrite the stored record
    MISSING_IDENTIFIER = "missing-identifier"  # a header without an identifier
    SWEPT = "swept"  # records no longer listed by the source became tombstones
    SWEEP_HELD = "sweep-held"  # too many records unlisted at once: kept, waiting for confirmation
    SET_LEFT = "set-left"  # records a set's list no longer delivered left that set
    # One record
    UNREADABLE_RECORD = "unreadable-record"  # not well-formed even after repairs
    NORMALISE_FAILED = "normalise-failed"  # the crosswalk refused the record
    # A request or a run
    NOT_OAI_RESPONSE = "not-oai-response"
    MALFORMED_RESPONSE = "malformed-response"
    HTTP_ERROR = "http-error"
    RETRY_LATER = "retry-later"
    DEADLINE = "deadline"
    RUNAWAY_LIST = "runaway-list"
    OAI_ERROR = "oai-error"
    UNSAFE_URL = "unsafe-url"
    RESPONSE_TOO_LARGE = "response-too-large"
    INTERNAL_ERROR = "internal-error"  # a defect of the hub or a plugin
    # A full-text file's download
    LANDING_PAGE = "landing-page"
    HTTP_401 = "http-401"  # a download answered with another status is stored as http-<status> too
    HTTP_403 = "http-403"
    HTTP_404 = "http-404"
    HTTP_429 = "http-429"
    HTTP_500 = "http-500"
    HTTP_502 = "http-502"
    HTTP_503 = "http-503"
    HTTP_504 = "http-504"
    CHECKSUM_MISMATCH = "checksum-mismatch"
    BROKEN_TRANSFER = "broken-transfer"
    TOO_LARGE = "too-large"
    EMPTY = "empty"
    UNREACHABLE = "unreachable"
    MISSING_OBJECT = "missing-object"  # the stored file is gone from the object store
    STORAGE = "storage"  # the object store failed
    # A file's text extraction (storage.extract.ExtractErrorKind)
    ENCRYPTED = "encrypted"
    UNSUPPORTED = "unsupported"
    CORRUPT = "corrupt"
    TIMEOUT = "timeout"
    RESOURCE_LIMIT = "resource-limit"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"
    # A ResourceSync resource (plugins.resourcesync.records.ResourceFault)
    HASH_MISMATCH = "hash-mismatch"
    RESOURCE_UNAVAILABLE = "resource-unavailable"
    UNREADABLE_RESOURCE = "unreadable-resource"


# The notes a harvest writes on a run are error kinds too (one enum; the old name stays for its callers).
NoticeKind = ErrorKind


# Notes that the run's summary shows as warnings: the run finished, but a person should know.
WARNING_KINDS = frozenset({ErrorKind.TOKEN_FALLBACK, ErrorKind.RUNAWAY_TOKENS, ErrorKind.LIST_RESTART_FAILED,
                           ErrorKind.SWEPT, ErrorKind.SWEEP_HELD})


class ImportOutcome(StrEnum):
    """What importing one harvested item did to the Record table."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    FAILED = "failed"


class FulltextState(StrEnum):
    """Where a record's full text stands."""

    NONE = "none"  # no candidate link
    FOUND = "found"  # candidate links, nothing stored yet
    STORED = "stored"
    EXTRACTED = "extracted"
    FAILED = "failed"
    QUARANTINED = "quarantined"
