"""Enums for every state and outcome the hub stores: never bare strings."""

from __future__ import annotations

from enum import StrEnum


class RepositoryState(StrEnum):
    """Whether the scheduler harvests a repository."""

    ACTIVE = "active"
    PAUSED = "paused"


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
