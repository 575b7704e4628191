"""Admin sessions kept on the server.

A sign-in makes an :class:`~hub.models.accounts.AdminSession` row and hands the browser a random token
(inside Flask's signed cookie); the row stores only the token's SHA-256, so the table read alone opens
nothing. A request is signed in while its token's row exists and has not expired
(``SESSION_LIFETIME_HOURS`` after sign-in). Signing out deletes the row; "sign out everywhere", a
password change and a role change delete every row of the user.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from hub.models import User, utcnow
from hub.models.accounts import AdminSession, SignInMethod


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def open_session(db: Session, settings: Mapping[str, Any], user: User, *, ip: str = "", user_agent: str = "",
                 method: SignInMethod = SignInMethod.LOCAL, provider_id: int | None = None, subject: str = "",
                 logout: dict[str, Any] | None = None) -> str:
    """Start a session for ``user``; returns the token for the cookie (expired sessions are purged).

    ``method``, ``provider_id`` and ``subject`` say how it was signed in (the account page shows it);
    ``logout`` keeps what single logout needs later (an OIDC ID token, a SAML NameID and SessionIndex)."""
    now = utcnow()
    db.execute(delete(AdminSession).where(AdminSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    db.add(AdminSession(token_hash=_digest(token), user_id=user.id, created_at=now,
                        expires_at=now + timedelta(hours=settings["SESSION_LIFETIME_HOURS"]),
                        ip=ip[:64], user_agent=user_agent[:255], method=method, provider_id=provider_id,
                        subject=subject[:512], logout=logout))
    return token


def session_user(db: Session, token: str | None) -> User | None:
    """The active user whose unexpired session ``token`` names, or None."""
    if not token or not isinstance(token, str):
        return None
    row = db.scalar(select(AdminSession).where(AdminSession.token_hash == _digest(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.active else None


def session_row(db: Session, token: str | None) -> AdminSession | None:
    """The unexpired session ``token`` names (how it was signed in, its logout data), or None."""
    if not token or not isinstance(token, str):
        return None
    row = db.scalar(select(AdminSession).where(AdminSession.token_hash == _digest(token)))
    return row if row is not None and row.expires_at > utcnow() else None


def close_session(db: Session, token: str | None) -> bool:
    """End the session ``token`` names; returns whether there was one."""
    if not token or not isinstance(token, str):
        return False
    result = cast(CursorResult[Any], db.execute(delete(AdminSession).where(AdminSession.token_hash == _digest(token))))
    return result.rowcount > 0


def close_all_sessions(db: Session, user: User) -> int:
    """End every session of ``user``; returns how many there were."""
    result = cast(CursorResult[Any], db.execute(delete(AdminSession).where(AdminSession.user_id == user.id)))
    return result.rowcount


def open_sessions(db: Session, user: User) -> int:
    """How many unexpired sessions ``user`` has."""
    rows = db.scalars(select(AdminSession.id).where(AdminSession.user_id == user.id,
                                                    AdminSession.expires_at > utcnow())).all()
    return len(rows)
