"""Stored full-text files (one per distinct content) and the links of records that point at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.fulltext.states import ExtractState, FileState
from hub.models.base import Base, UTCDateTime, enum_column, utcnow


class StoredFile(Base):
    """A file in the object store, content-addressed by sha256, with the state of its text extraction."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(255), default="")  # sniffed from the bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extract_state: Mapped[ExtractState] = mapped_column(enum_column(ExtractState), default=ExtractState.PENDING,
                                                        index=True)
    extract_attempts: Mapped[int] = mapped_column(Integer, default=0)
    extract_error_kind: Mapped[str] = mapped_column(String(32), default="")
    extract_error: Mapped[str] = mapped_column(Text, default="")
    extracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    extractor: Mapped[str] = mapped_column(String(32), default="")
    text_chars: Mapped[int] = mapped_column(Integer, default=0)
    text_language: Mapped[str] = mapped_column(String(8), default="")  # ISO 639-3, "und" when unknown
    text_quality: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    needs_ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)  # the text came from OCR

    @property
    def quarantined(self) -> bool:
        return self.extract_state is ExtractState.QUARANTINED


class RecordFile(Base):
    """One full-text link of one record: what was downloaded from where, and how it went."""

    __tablename__ = "record_file"
    __table_args__ = (UniqueConstraint("record_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # index of the link in Record.fulltext_links
    url: Mapped[str] = mapped_column(String(2048))
    label: Mapped[str] = mapped_column(String(512), default="")
    access: Mapped[str] = mapped_column(String(32), default="")
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    mime_type: Mapped[str] = mapped_column(String(255), default="")
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    etag: Mapped[str] = mapped_column(String(512), default="")
    last_modified: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[FileState] = mapped_column(enum_column(FileState), default=FileState.PENDING, index=True)
    error_kind: Mapped[str] = mapped_column(String(32), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # last real download
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # last request of any kind
