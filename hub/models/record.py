"""Records: one per (repository, source identifier), raw metadata kept verbatim."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow
from hub.states import FulltextState


class Record(Base):
    """A harvested record. ``hub_datestamp`` moves only when something visible changed."""

    __tablename__ = "record"
    __table_args__ = (
        UniqueConstraint("repository_id", "source_identifier"),
        Index("ix_record_hub_datestamp_id", "hub_datestamp", "id"),
        {"sqlite_autoincrement": True},  # ids (and OAI identifiers) are never reused, on SQLite too
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"), index=True)
    source_identifier: Mapped[str] = mapped_column(String(512))
    source_datestamp: Mapped[str] = mapped_column(String(40), default="")  # verbatim, the source's granularity
    hub_datestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_format: Mapped[str] = mapped_column(String(64), default="")
    raw_metadata: Mapped[str] = mapped_column(Text, default="")  # the <metadata> child, verbatim XML
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)  # normalised
    sets: Mapped[list[str]] = mapped_column(JSONType, default=list)
    fulltext_links: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    fulltext_state: Mapped[FulltextState] = mapped_column(
        enum_column(FulltextState),
        default=FulltextState.NONE,
    )
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # sha256 of what the outputs show
    # The OAI-PMH metadataPrefixes the record was ever disseminated in, each followed by a space
    # (" oai_dc oai_openaire "): one it no longer qualifies for shows it as deleted (oai.provider.disseminated).
    disseminated: Mapped[str] = mapped_column(String(512), default=" ", server_default=" ")
    # The full harvest run that last saw the record listed by its source (the sweep tombstones the rest).
    last_seen_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_seen_set: Mapped[str | None] = mapped_column(String(512), nullable=True)  # ... in that set's list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    repository = relationship("Repository")

    def oai_identifier(self, prefix: str) -> str:
        """The hub's own OAI identifier of this record."""
        return f"oai:{prefix}:{self.id}"

    @property
    def title(self) -> str:
        titles = (self.meta or {}).get("titles") or []
        return titles[0]["value"] if titles else ""

