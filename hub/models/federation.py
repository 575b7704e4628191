"""Federated sign-in (统一认证): identity providers (OpenID Connect and SAML 2.0), the federation metadata
aggregates they may come from, per-member role rules, the link from a provider's subject to a hub account,
the replay cache of SAML assertions, and members' personal API tokens.

A provider belongs to one member (``institution_id``) or to the whole hub (None). It may grant roles only
in the member whose ``scopes`` it owns: an assertion of a scope owned by another member is refused.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.accounts import Role
from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow


class Protocol(StrEnum):
    """How a provider signs people in."""

    OIDC = "oidc"
    SAML = "saml"


class Provisioning(StrEnum):
    """What a first sign-in through a provider does: make an active account, or one waiting for a member
    admin's approval."""

    ACTIVE = "active"
    PENDING = "pending"


class RuleSource(StrEnum):
    """What a role rule looks at in an assertion or ID token."""

    SCOPED_AFFILIATION = "eduPersonScopedAffiliation"
    ENTITLEMENT = "eduPersonEntitlement"
    EMAIL_DOMAIN = "email-domain"
    GROUP = "group"


class FederationSource(Base):
    """A federation's signed metadata aggregate (CARSI, say): where it is read from (URL or file), the
    certificate its signature must verify against, and what the last refresh found."""

    __tablename__ = "federation_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    location: Mapped[str] = mapped_column(String(1024))  # https://... or a file path
    certificate: Mapped[str] = mapped_column(Text)  # PEM of the aggregate's signing certificate
    refresh_hours: Mapped[int] = mapped_column(Integer, default=6)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    provider_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdentityProvider(Base):
    """One identity provider the hub trusts.

    ``key`` is the issuer (OIDC) or entity ID (SAML). ``config`` holds the protocol's settings: for OIDC
    ``client_id``, ``client_secret``, ``scopes`` (requested) and the cached discovery document; for SAML the
    IdP's metadata XML. ``scopes`` lists the security domains (``univ-a.edu.cn``) the provider owns.
    """

    __tablename__ = "identity_provider"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    protocol: Mapped[Protocol] = mapped_column(enum_column(Protocol))
    key: Mapped[str] = mapped_column(String(512), unique=True)
    name_en: Mapped[str] = mapped_column(String(255), default="")
    name_zh: Mapped[str] = mapped_column(String(255), default="")
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"),
                                                       nullable=True, index=True)
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    provisioning: Mapped[Provisioning] = mapped_column(enum_column(Provisioning), default=Provisioning.PENDING)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("federation_source.id", ondelete="SET NULL"),
                                                  nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution = relationship("Institution")
    source = relationship("FederationSource")

    def name(self, locale: str = "zh") -> str:
        """The provider's name in a locale, falling back to the other language, then its slug."""
        if locale.startswith("zh"):
            return self.name_zh or self.name_en or self.slug
        return self.name_en or self.name_zh or self.slug


class RoleRule(Base):
    """One rule of a member: when an assertion's ``source`` (an attribute or claim) has ``value``, the user
    gets ``role`` in that member. The strongest matching role wins; no matching rule, no access."""

    __tablename__ = "role_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    source: Mapped[RuleSource] = mapped_column(enum_column(RuleSource, length=32))
    value: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExternalIdentity(Base):
    """A hub account's identity at one provider: the provider's stable subject (OIDC ``sub``, SAML NameID or
    eduPersonPrincipalName) and the attributes it sent last."""

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(512))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider = relationship("IdentityProvider")


class UsedAssertion(Base):
    """A SAML assertion already consumed, kept until it expires so a replay of it is refused, in every web
    process (the table, not memory, is the cache)."""

    __tablename__ = "used_assertion"

    assertion_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ApiToken(Base):
    """A member's personal API token: scoped to one member, shown once, stored as its SHA-256 only, revocable."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, shown in lists to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user = relationship("User")
    institution = relationship("Institution")
