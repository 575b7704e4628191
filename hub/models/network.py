"""Member institutions and their repositories.

A member or repository that is deleted is kept as *removed* (``removed_at`` set): hidden from the
portal, the API, search and the admin area, never harvested again, but its row stays so that the
OAI-PMH provider can go on answering for the tombstones of its records (their ``inst:<slug>`` and
``repo:<id>`` setSpecs stay valid) and so that its slug and id are never given to anything else.
The tables are AUTOINCREMENT on SQLite for the same reason (SQLite would otherwise reuse the
largest freed id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow
from hub.states import RepositoryState


class Institution(Base):
    """A member university or institute."""

    __tablename__ = "institution"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(255))
    name_zh: Mapped[str] = mapped_column(String(255), default="")
    region: Mapped[str] = mapped_column(String(64), default="")  # province or region
    website: Mapped[str] = mapped_column(String(512), default="")
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the member was deleted (kept as removed, see the module); None while it is a member.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)

    repositories: Mapped[list[Repository]] = relationship(back_populates="institution")

    @property
    def removed(self) -> bool:
        """Whether the member was deleted (its repositories are removed too)."""
        return self.removed_at is not None

    def name(self, locale: str = "zh") -> str:
        """The institution's name in a locale, falling back to the other language."""
        if locale.startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh


class Repository(Base):
    """A member's repository, harvested through one platform plugin."""

    __tablename__ = "repository"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    platform: Mapped[str] = mapped_column(String(64))
    base_url: Mapped[str] = mapped_column(String(1024))
    metadata_prefix: Mapped[str] = mapped_column(String(64), default="oai_dc")
    sets_include: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sets_exclude: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Platform-specific settings (field mappings, REST API base, feed columns...).
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    schedule: Mapped[str] = mapped_column(String(64), default="")  # "" = manual; "1d", "6h" or a cron line
    state: Mapped[RepositoryState] = mapped_column(
        enum_column(RepositoryState),
        default=RepositoryState.ACTIVE,
    )
    # The source's own responseDate of the last successful harvest (its clock, never ours).
    high_water_mark: Mapped[str] = mapped_column(String(40), default="")
    granularity: Mapped[str] = mapped_column(String(32), default="")
    check_report: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the admin area asked for a check (run as a task); running while later than checked_at.
    check_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)
    # Basic-authentication user name and password (hub.redaction.Credentials.to_text), kept apart from
    # base_url (which never carries them) and never shown; "" when the repository needs none.
    credentials: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notes: Mapped[str] = mapped_column(Text, default="")
    # When the repository (or its member) was deleted (kept as removed, see the module).
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)

    institution: Mapped[Institution] = relationship(back_populates="repositories")

    @property
    def label(self) -> str:
        return self.name or self.base_url

    @property
    def removed(self) -> bool:
        """Whether the repository was deleted (its records are tombstones)."""
        return self.removed_at is not None

    @property
    def check_running(self) -> bool:
        """Whether a check asked for in the admin area has not finished yet."""
        return self.check_requested_at is not None and (self.checked_at is None
                                                        or self.checked_at < self.check_requested_at)
