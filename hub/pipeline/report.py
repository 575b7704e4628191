"""The typed report every stage returns: the ids it changed, counts, and errors by kind.

The dispatcher reads ``records`` and ``files`` to feed the stages a report triggers
(:mod:`hub.pipeline.graph`), ``retry`` to have a Celery task try those ids again, and
``line()`` for the CLI's one summary line per stage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hub.pipeline.graph import PipelineStage, Subject


@dataclass
class StageReport:
    """What one stage did over the ids it was given."""

    stage: PipelineStage
    given: int = 0  # ids the stage was given
    records: list[int] = field(default_factory=list)  # record ids it changed (fed to record stages)
    files: list[str] = field(default_factory=list)  # stored files it made new (fed to file stages)
    counts: Counter[str] = field(default_factory=Counter)  # outcomes, e.g. {"stored": 3, "not-modified": 1}
    errors: Counter[str] = field(default_factory=Counter)  # failures by kind, e.g. {"http-503": 2}
    retry: list[int | str] = field(default_factory=list)  # ids worth trying again later (retryable failures)
    duration: float = 0.0  # seconds, wall clock
    queued: bool = False  # the work was queued for the workers, not run here
    note: str = ""  # a stage's own wording, when it has one

    def ids_for(self, subject: Subject) -> list[int] | list[str]:
        """The ids this report feeds to a stage taking ``subject``."""
        return self.files if subject is Subject.FILES else self.records

    def merge(self, other: StageReport) -> None:
        """Add another run of the same stage (another chunk of ids) to this report."""
        self.given += other.given
        self.records = list(dict.fromkeys([*self.records, *other.records]))
        self.files = list(dict.fromkeys([*self.files, *other.files]))
        self.counts.update(other.counts)
        self.errors.update(other.errors)
        self.retry.extend(other.retry)
        self.duration += other.duration
        self.note = other.note or self.note

    def line(self) -> str:
        """One summary line: ``files: 12 records, 10 stored, 2 failed (http-503 2) in 3.42 s``."""
        if self.queued:
            return f"{self.stage.value}: {self.given} queued for the workers"
        parts = [f"{n} {k}" for k, n in sorted(self.counts.items()) if n]
        if self.errors:
            parts.append("errors " + ", ".join(f"{k} {n}" for k, n in sorted(self.errors.items())))
        body = ", ".join(parts) if parts else "nothing to do"
        return f"{self.stage.value}: {self.given} given, {body} in {format_seconds(self.duration)}"


def format_seconds(seconds: float) -> str:
    """A duration a person reads: ``0.042 s``, ``3.42 s``, ``2 min 5 s``; never ``0.0s`` for real work."""
    if seconds < 1:
        return f"{seconds:.3f} s"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"
