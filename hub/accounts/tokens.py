"""Members' personal API tokens: for machines acting for a member through the JSON API's write actions.

A token is ``chair_`` and 32 random bytes (URL-safe base64). It is shown once, when it is made; the
database keeps only its SHA-256 (``token_hash``) and its first characters (``prefix``) to tell tokens
apart in lists and the audit log. A token belongs to one user and one member (``institution_id``): a
member administrator makes tokens for their own member, hub staff for any member. It expires after
``API_TOKEN_DAYS`` (0: never) and can be revoked.

Every use checks the token's user again (:mod:`hub.accounts.permissions`): a deactivated user, or one
whose role or member no longer lets them see that member, makes the token stop working. What a token
may then do on a repository is what its user may do there (a viewer's token reads, a member
administrator's token manages), on its own member's repositories only.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action
from hub.accounts.permissions import Action, can
from hub.models import ApiToken, Institution, User, utcnow

TOKEN_START = "chair_"
SECRET_BYTES = 32
PREFIX_LENGTH = 12  # "chair_" and six characters: enough to tell a member's tokens apart
MAX_TOKEN_LENGTH = 100  # a longer Authorization value is refused before it is hashed
MAX_NAME_LENGTH = 128
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


class TokenState(StrEnum):
    """Where a token stands."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Refusal(StrEnum):
    """Why a token (or a request to make one) was refused."""

    MISSING = "missing"  # no Bearer token in the request
    MALFORMED = "malformed"  # not a chair_ token
    UNKNOWN = "unknown"  # no such token (never made, or deleted with its user)
    EXPIRED = "expired"
    REVOKED = "revoked"
    USER_INACTIVE = "user-inactive"  # its user was deactivated (or waits for approval)
    NO_LONGER_ALLOWED = "no-longer-allowed"  # its user's role or member no longer covers the token's member
    NOT_ALLOWED = "not-allowed"  # making one: the user may not act for that member
    BAD_NAME = "bad-name"  # making one: no name, or too long


MESSAGES: dict[Refusal, str] = {
    Refusal.MISSING: "send an API token as Authorization: Bearer chair_...",
    Refusal.MALFORMED: "the Authorization header does not hold a CHAIR API token",
    Refusal.UNKNOWN: "the API token is not valid",
    Refusal.EXPIRED: "the API token has expired",
    Refusal.REVOKED: "the API token was revoked",
    Refusal.USER_INACTIVE: "the API token's user is deactivated",
    Refusal.NO_LONGER_ALLOWED: "the API token's user may no longer act for its member",
    Refusal.NOT_ALLOWED: "this user may not make tokens for that member",
    Refusal.BAD_NAME: f"a token needs a name of 1 to {MAX_NAME_LENGTH} characters",
}


class TokenRefused(Exception):
    """A token, or the making of one, was refused; ``kind`` says why (its message is for the user)."""

    def __init__(self, kind: Refusal, message: str = "") -> None:
        super().__init__(message or MESSAGES[kind])
        self.kind = kind


@dataclass
class NewToken:
    """A token just made: its row and its secret, which is shown once and never stored."""

    row: ApiToken
    secret: str


def digest(secret: str) -> str:
    """The SHA-256 (hex) a token is stored as."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def state_of(token: ApiToken, now: datetime | None = None) -> TokenState:
    """Whether ``token`` is active, expired or revoked."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return TokenState.REVOKED
    if token.expires_at is not None and token.expires_at <= now:
        return TokenState.EXPIRED
    return TokenState.ACTIVE


def audit_snapshot(token: ApiToken) -> dict[str, Any]:
    """What the audit log keeps of a token (never its hash)."""
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "user_id": token.user_id,
            "institution_id": token.institution_id,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}


def may_hold_token(user: User, institution_id: int) -> bool:
    """Whether ``user`` may hold a token for the member ``institution_id`` (see its member's data)."""
    return can(user, Action.VIEW_INSTITUTION, institution_id)


def create_token(session: Session, settings: Mapping[str, Any], user: User, institution: Institution, name: str,
                 *, actor: User | None = None, ip: str = "", now: datetime | None = None) -> NewToken:
    """Make a token of ``user`` for ``institution`` (committed by the caller); its secret is in the result only.

    ``actor`` is who made it (None: the command line). Raises :class:`TokenRefused` for an empty or long
    name, or a user who may not act for that member."""
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise TokenRefused(Refusal.BAD_NAME)
    if institution.removed or not may_hold_token(user, institution.id):
        raise TokenRefused(Refusal.NOT_ALLOWED,
                           f"{user.username} may not make tokens for the member {institution.slug}")
    now = now or utcnow()
    secret = TOKEN_START + secrets.token_urlsafe(SECRET_BYTES)
    days = int(settings["API_TOKEN_DAYS"])
    row = ApiToken(user_id=user.id, institution_id=institution.id, name=name, token_hash=digest(secret),
                   prefix=secret[:PREFIX_LENGTH], created_at=now,
                   expires_at=now + timedelta(days=days) if days > 0 else None)
    session.add(row)
    session.flush()
    log_action(session, actor, "api-token.create", target_type="api-token", target_id=row.id,
               institution_id=institution.id, after=audit_snapshot(row), ip=ip,
               note=f"token {row.prefix} of {user.username}")
    return NewToken(row, secret)


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer ...`` header; raises :class:`TokenRefused` (missing, malformed)."""
    if not authorization or not authorization.strip():
        raise TokenRefused(Refusal.MISSING)
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise TokenRefused(Refusal.MISSING)
    value = value.strip()
    if not value.startswith(TOKEN_START) or len(value) > MAX_TOKEN_LENGTH or not value.isascii():
        raise TokenRefused(Refusal.MALFORMED)
    return value


def authenticate(session: Session, secret: str, now: datetime | None = None) -> ApiToken:
    """The active token ``secret`` is, its user still allowed; ``last_used_at`` brought up to date (at most
    once a minute; committed by the caller). Raises :class:`TokenRefused`."""
    now = now or utcnow()
    wanted = digest(secret)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    if token is None:
        raise TokenRefused(Refusal.UNKNOWN)
    state = state_of(token, now)
    if state is TokenState.REVOKED:
        raise TokenRefused(Refusal.REVOKED)
    if state is TokenState.EXPIRED:
        raise TokenRefused(Refusal.EXPIRED)
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise TokenRefused(Refusal.USER_INACTIVE)
    if not may_hold_token(user, token.institution_id):
        raise TokenRefused(Refusal.NO_LONGER_ALLOWED)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
    return token


def may(token: ApiToken, action: Action, institution_id: int) -> bool:
    """Whether ``token`` may do ``action`` on the member ``institution_id``: its own member only, and only
    what its user may do there now."""
    return institution_id == token.institution_id and can(token.user, action, institution_id)


def visible_tokens(session: Session, user: User) -> list[ApiToken]:
    """The tokens ``user`` sees (newest first): their own, those of the members they manage (a member
    admin's colleagues'), and every token for a hub administrator."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if can(user, Action.MANAGE_USERS):
        return list(session.scalars(query))
    mine = ApiToken.user_id == user.id
    if user.institution_id is not None and can(user, Action.MANAGE_INSTITUTION, user.institution_id):
        query = query.where(or_(mine, ApiToken.institution_id == user.institution_id))
    else:
        query = query.where(mine)
    return list(session.scalars(query))


def all_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first (the command line)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def may_revoke(user: User | None, token: ApiToken) -> bool:
    """Its owner revokes a token, and so does whoever manages its member (its member admins, hub admins)."""
    return user is not None and user.active and (
        token.user_id == user.id or can(user, Action.MANAGE_INSTITUTION, token.institution_id))


def revoke_token(session: Session, token_id: int, *, actor: User | None = None, ip: str = "",
                 now: datetime | None = None) -> ApiToken:
    """Revoke a token (committed by the caller); ``actor`` None is the command line, which may revoke any.

    LookupError for no such token (or one ``actor`` may not see), PermissionError when ``actor`` may not
    revoke it. Revoking a revoked token changes nothing and logs nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or (actor is not None and token.user_id != actor.id and not can(actor, Action.MANAGE_USERS)
                         and not can(actor, Action.VIEW_INSTITUTION, token.institution_id)):
        raise LookupError(f"no API token with id {token_id}")
    if actor is not None and not may_revoke(actor, token):
        raise PermissionError(f"{actor.username} may not revoke the API token {token.prefix}")
    if token.revoked_at is not None:
        return token
    before = audit_snapshot(token)
    token.revoked_at = now or utcnow()
    log_action(session, actor, "api-token.revoke", target_type="api-token", target_id=token.id,
               institution_id=token.institution_id, before=before, after=audit_snapshot(token), ip=ip,
               note=f"token {token.prefix}")
    return token
