"""Operations of the network: repository health and schedule state, count snapshots, completeness
reports and usage events (views and downloads)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow


class Health(StrEnum):
    """A repository's harvest health as last seen by the hub."""

    UNKNOWN = "unknown"
    OK = "ok"
    FAILING = "failing"


class UsageKind(StrEnum):
    """What a visitor did with a record (COUNTER: investigations and requests)."""

    VIEW = "view"
    DOWNLOAD = "download"


class RepositoryStatus(Base):
    """Per repository: health seen last (to notice ok -> failing) and when the scheduler last queued it."""

    __tablename__ = "repository_status"

    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"), primary_key=True)
    health: Mapped[Health] = mapped_column(enum_column(Health), default=Health.UNKNOWN)
    health_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_notice: Mapped[str] = mapped_column(Text, default="")
    last_completeness_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Records a full harvest found unlisted but did not tombstone (over HARVEST_SWEEP_MAX_SHARE): shown on
    # the dashboard until a confirmed full harvest (or one that finds them listed again) clears it.
    sweep_held: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sweep_held_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CountSnapshot(Base):
    """Records and full texts of a repository on one day (the dashboard's trend)."""

    __tablename__ = "count_snapshot"
    __table_args__ = (UniqueConstraint("repository_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"), index=True)
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, UTC
    records: Mapped[int] = mapped_column(Integer, default=0)
    fulltexts: Mapped[int] = mapped_column(Integer, default=0)


class CompletenessReport(Base):
    """A sweep of a source's identifiers compared with the hub's records."""

    __tablename__ = "completeness_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    hub_count: Mapped[int] = mapped_column(Integer, default=0)
    # Lists of {"identifier", "source_datestamp", "hub_datestamp", "reason"}
    missing: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    extra: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    stale: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    repaired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    repair_note: Mapped[str] = mapped_column(Text, default="")


class UsageEvent(Base):
    """One counted view or download (robots and double clicks already filtered out)."""

    __tablename__ = "usage_event"
    __table_args__ = (Index("ix_usage_event_institution_at", "institution_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[UsageKind] = mapped_column(enum_column(UsageKind))
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    repository_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    institution_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    visitor: Mapped[str] = mapped_column(String(16), default="")  # truncated hash of session or IP + agent
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
