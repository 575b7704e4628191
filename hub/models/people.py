"""Researchers (人员): the people behind the creators of records, found across every member.

- :class:`Authorship`: one row per person-creator of a live record (organisations are left out):
  the name as written, its blocking key, the ORCID iD when the record gives one, the comparison
  features computed once from ``Record.meta`` (so re-linking never re-reads every record), the
  researcher it was linked to and the evidence that put it there. Rebuilt for a record whenever
  the record is imported again; a deleted record loses its authorships.
- :class:`Researcher`: one person. Its id is stable across re-linking (a re-linked set of
  authorships keeps the id most of them had), like :class:`hub.models.works.Work`. The display
  names, member(s), ORCID, disciplines and counts are kept on the row by the people stage so that
  a researcher list never aggregates per request.
- :class:`AuthorshipKey`: the comparison blocks of an authorship (name key and discipline, subject or
  co-author; ORCID iD), so that linking looks up its candidates by index.
- :class:`ResearcherDecision`: a split or a join by a member administrator (of the members whose
  authorships it names) or hub staff, kept across re-harvests and re-linking. Each side is a list
  of authorship references ``"<record id>:<name as written>"`` (a creator's position in a record
  may change when the source reorders its creators; its record id and name do not).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow
from hub.models.works import DecisionKind


class Researcher(Base):
    """One person, linked from the authorships of one or more members' records."""

    __tablename__ = "researcher"
    __table_args__ = (Index("ix_researcher_institution_records", "institution_id", "records"),
                      Index("ix_researcher_records", "records"))  # the network-wide list, most records first

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")  # the most frequent form as written
    name_zh: Mapped[str] = mapped_column(String(255), default="")  # a form in Chinese characters, when any
    name_latin: Mapped[str] = mapped_column(String(255), default="")  # a Latin form (``Wang, Wei``), when any
    # every form folded for search: lower case, accents removed, Han kept, forms separated by "|"
    search_names: Mapped[str] = mapped_column(Text, default="")
    orcid: Mapped[str] = mapped_column(String(19), default="", index=True)
    # the member most of its authorships belong to (None only while it has none); every member in institutions
    institution_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    institutions: Mapped[list[int]] = mapped_column(JSONType, default=list)
    disciplines: Mapped[list[str]] = mapped_column(JSONType, default=list)  # codes, most frequent first
    records: Mapped[int] = mapped_column(Integer, default=0)  # authorships (live records)
    works: Mapped[int] = mapped_column(Integer, default=0)  # distinct works among them
    first_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Authorship(Base):
    """A person-creator of a live record: its researcher and the evidence linking it."""

    __tablename__ = "authorship"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # index in the record's creators
    researcher_id: Mapped[int | None] = mapped_column(ForeignKey("researcher.id", ondelete="SET NULL"),
                                                      nullable=True, index=True)
    repository_id: Mapped[int] = mapped_column(Integer, index=True)
    institution_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(255), default="")  # as written in the record
    # the blocking key: Latin family name and first initial, from the pinyin of a Han name
    # (王伟, Wang Wei, Wang, W. -> "wang w"); only authorships sharing a key (or an ORCID) are compared
    key: Mapped[str] = mapped_column(String(128), default="", index=True)
    orcid: Mapped[str] = mapped_column(String(19), default="", index=True)
    # name forms, co-author keys, subjects, disciplines, year, work: see hub.people.features
    features: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # [{"with": "<record id>:<name>", "evidence": ["orcid"] or ["name", "member", "coauthors:2"], "score": 0.9}]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)  # best score linking it to its researcher (0: alone)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def ref(self) -> str:
        """The reference decisions use: ``"<record id>:<name as written>"``."""
        return f"{self.record_id}:{self.name}"


class AuthorshipKey(Base):
    """A comparison block of an authorship (see :func:`hub.people.features.block_keys`): its name key
    narrowed by a discipline or a subject at its member, or by a co-author; or its ORCID iD. Only
    authorships sharing a block are compared, so a common name's bucket is never compared pair by pair."""

    __tablename__ = "authorship_key"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)


class ResearcherDecision(Base):
    """A split or join decided by a person over authorship references (see the module docstring)."""

    __tablename__ = "researcher_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[DecisionKind] = mapped_column(enum_column(DecisionKind))
    left: Mapped[list[str]] = mapped_column(JSONType, default=list)
    right: Mapped[list[str]] = mapped_column(JSONType, default=list)
    institutions: Mapped[list[int]] = mapped_column(JSONType, default=list)  # the members whose authorships it names
    username: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
