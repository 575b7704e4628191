"""Works: source records grouped as copies and versions of one work, with the evidence.

- :class:`Work`: one work; its id is stable across regrouping (a regrouped set of records keeps
  the id most of its members had).
- :class:`WorkMember`: one row per live record: its work, the comparison features computed from its
  metadata (so regrouping never re-reads every record), and the evidence that put it there.
- :class:`WorkKey`: blocking keys (``doi:``, ``hdl:``, ``urn:``, ``t:`` title key) of each record;
  only records sharing a key are ever compared.
- :class:`WorkDecision`: a split or join by hub staff or a member administrator, kept across
  re-harvests and regrouping (records keep their ids across re-harvests).
- :class:`DecisionRequest` and :class:`DecisionConsent`: a decision touching the records of several
  members, waiting for each member's administrator to consent (or a hub administrator).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow


class DecisionKind(StrEnum):
    """What a person decided about two sets of records."""

    SPLIT = "split"  # the two sets are different works
    JOIN = "join"  # the two sets are one work


class Work(Base):
    """One work held as one or more source records."""

    __tablename__ = "work"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(512), default="")
    doi: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkMember(Base):
    """A record's place in a work: the work, its features and the evidence linking it."""

    __tablename__ = "work_member"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    work_id: Mapped[int | None] = mapped_column(ForeignKey("work.id", ondelete="SET NULL"), nullable=True,
                                                index=True)
    repository_id: Mapped[int] = mapped_column(Integer, index=True)
    features: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # [{"record": other record id, "evidence": ["doi"] or ["title", "year", "authors:2"], "score": 0.9}]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)  # best score linking it to its work (0: alone)
    grouped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkKey(Base):
    """A blocking key of a record."""

    __tablename__ = "work_key"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)


class WorkDecision(Base):
    """A split or join decided by a person; ``left`` and ``right`` are record ids."""

    __tablename__ = "work_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[DecisionKind] = mapped_column(
        enum_column(DecisionKind))
    left: Mapped[list[int]] = mapped_column(JSONType, default=list)
    right: Mapped[list[int]] = mapped_column(JSONType, default=list)
    username: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestState(StrEnum):
    """Where a decision waiting for consent stands."""

    PENDING = "pending"  # some members have not consented yet
    APPLIED = "applied"  # every member consented (or a hub administrator did): the decision is stored
    DECLINED = "declined"  # a member administrator of a member concerned, or a hub administrator, said no


class DecisionRequest(Base):
    """A split or join touching several members' records, applied once each member consented.

    ``institutions`` are the members whose records it touches (each must consent); ``left`` and
    ``right`` are record ids as in :class:`WorkDecision`.
    """

    __tablename__ = "work_decision_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[DecisionKind] = mapped_column(
        enum_column(DecisionKind))
    work_id: Mapped[int] = mapped_column(Integer, index=True)  # the work it was asked from (for display)
    left: Mapped[list[int]] = mapped_column(JSONType, default=list)
    right: Mapped[list[int]] = mapped_column(JSONType, default=list)
    institutions: Mapped[list[int]] = mapped_column(JSONType, default=list)
    username: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[RequestState] = mapped_column(
        enum_column(RequestState),
        default=RequestState.PENDING, index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("work_decision.id", ondelete="SET NULL"),
                                                    nullable=True)
    closed_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DecisionConsent(Base):
    """One member's consent to a :class:`DecisionRequest`, given by one of its administrators."""

    __tablename__ = "work_decision_consent"
    __table_args__ = (UniqueConstraint("request_id", "institution_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("work_decision_request.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
