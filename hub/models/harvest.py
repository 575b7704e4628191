"""Harvest runs and the item errors they record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow
from hub.states import RunKind, RunState, Stage


class HarvestRun(Base):
    """One harvest of one repository: what it asked for, what it saw, where it stands."""

    __tablename__ = "harvest_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RunKind] = mapped_column(enum_column(RunKind))
    state: Mapped[RunState] = mapped_column(enum_column(RunState), default=RunState.QUEUED)
    from_date: Mapped[str] = mapped_column(String(40), default="")  # as sent to the source
    until_date: Mapped[str] = mapped_column(String(40), default="")
    seen: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # Where to go on: resumption token, the list request, last datestamp seen, first responseDate.
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(255), default="")  # host:pid of the process running it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    repository = relationship("Repository")
    errors: Mapped[list[ItemError]] = relationship(back_populates="run", cascade="all, delete-orphan")

    COUNTERS = ("seen", "new", "updated", "unchanged", "deleted", "failed")

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNTERS}

    @property
    def resumable(self) -> bool:
        """Whether the next harvest continues this run: it stopped (failed, interrupted), or it ended
        PARTIAL with a list left unfinished (a resumption token that died again after its restarts)."""
        return self.state.resumable or (self.state == RunState.PARTIAL and bool((self.checkpoint or {}).get("unfinished")))

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish (or to the last heartbeat of an unfinished run)."""
        end = self.finished_at or self.heartbeat_at
        if self.started_at is None or end is None:
            return None
        return (end - self.started_at).total_seconds()


class ItemError(Base):
    """An error about one item (or one request) raised by a named stage of a named run."""

    __tablename__ = "item_error"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_run.id", ondelete="CASCADE"), index=True, nullable=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    kind: Mapped[str] = mapped_column(String(64))  # short machine-readable kind, e.g. "illegal-xml-char"
    source_identifier: Mapped[str] = mapped_column(String(1024), default="")
    message: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # the offending bytes, kept verbatim
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[HarvestRun | None] = relationship(back_populates="errors")
