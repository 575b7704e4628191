"""Accounts of the admin area: users and their roles, their server-side sessions, sign-in attempts and
counters (throttling) and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow


class Role(StrEnum):
    """What a user may do: hub administrators everything, member administrators their institution, viewers read."""

    HUB_ADMIN = "hub-admin"
    MEMBER_ADMIN = "member-admin"
    VIEWER = "viewer"


class SignInMethod(StrEnum):
    """How a session was signed in: with a local password or through an identity provider."""

    LOCAL = "local"
    OIDC = "oidc"
    SAML = "saml"


class AttemptScope(StrEnum):
    """What a throttled sign-in attempt is counted against."""

    ACCOUNT = "account"
    IP = "ip"


class User(Base):
    """A person who signs in to /admin/. ``session_epoch`` counts the times every session was ended at once
    (a password or role change, "sign out everywhere"); ``must_change_password`` keeps the user on the
    change-password page until they set a new one."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.VIEWER)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id", ondelete="SET NULL"),
                                                       nullable=True, index=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Made by a first federated sign-in and waiting for a member admin's approval (inactive until then).
    approval_pending: Mapped[bool] = mapped_column(Boolean, default=False)

    institution = relationship("Institution")

    @property
    def has_password(self) -> bool:
        """Whether the account can sign in with a local password (federated accounts have none)."""
        return bool(self.password_hash) and not self.password_hash.startswith("!")


class AdminSession(Base):
    """One signed-in session of /admin/, on the server: the signed cookie carries only a random token whose
    SHA-256 is ``token_hash``. Signing out deletes the row, so a copied cookie opens nothing afterwards."""

    __tablename__ = "admin_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    # How the session was signed in, through which provider and
    # as which subject; ``logout`` keeps what single logout needs (SAML NameID and SessionIndex, OIDC id_token).
    method: Mapped[SignInMethod] = mapped_column(enum_column(SignInMethod), default=SignInMethod.LOCAL)
    provider_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subject: Mapped[str] = mapped_column(String(512), default="")
    logout: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class SignInAttempt(Base):
    """One sign-in attempt, counted per account and per IP address for throttling."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (Index("ix_sign_in_attempt_scope_key_at", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[AttemptScope] = mapped_column(enum_column(AttemptScope))
    key: Mapped[str] = mapped_column(String(255))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInCounter(Base):
    """Password evaluations reserved against one account or IP address in the current window.

    A sign-in reserves an evaluation with one conditional UPDATE (``failures < limit``) committed before
    the password is checked, so parallel attempts in any number of web processes never get more
    evaluations than the limit."""

    __tablename__ = "sign_in_counter"
    __table_args__ = (PrimaryKeyConstraint("scope", "key"),)

    scope: Mapped[AttemptScope] = mapped_column(enum_column(AttemptScope))
    key: Mapped[str] = mapped_column(String(255))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """One admin action: who, what, when, and the object before and after (JSON)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    institution_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
