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


class NoticeKind(StrEnum):
    """Kinds of the notes the harvest itself writes on a run (item errors that are not failures)."""

    TOKEN_FALLBACK = "token_fallback"  # a dead resumption token: the list was restarted whole
    RUNAWAY_TOKENS = "runaway_tokens"  # tokens past completeListSize: the list was ended
    LIST_RESTART_FAILED = "list-restart-failed"  # the token died again: the list is left unfinished
    RECORD_REPAIRED = "record-repaired"  # characters illegal in XML dropped; raw bytes kept
    VALUE_CUT = "value-cut"  # a metadata value longer than HARVEST_MAX_VALUE_CHARS was cut
    EMPTY_METADATA = "empty-metadata"  # an update without metadata did not overwrite the stored record
    MISSING_IDENTIFIER = "missing-identifier"  # a header without an identifier
    SWEPT = "swept"  # records no longer listed by the source became tombstones
    SWEEP_HELD = "sweep-held"  # too many records unlisted at once: kept, waiting for confirmation
    SET_LEFT = "set-left"  # records a set's list no longer delivered left that set


# Notes that the run's summary shows as warnings: the run finished, but a person should know.
WARNING_KINDS = frozenset({NoticeKind.TOKEN_FALLBACK, NoticeKind.RUNAWAY_TOKENS, NoticeKind.LIST_RESTART_FAILED,
                           NoticeKind.SWEPT, NoticeKind.SWEEP_HELD})


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
