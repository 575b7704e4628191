"""Sign-in throttling: failed attempts counted per account and per IP address, in the database
(so every web process sees the same counts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hub.models import SignInAttempt, utcnow
from hub.models.accounts import AttemptScope


def failures(session: Session, scope: AttemptScope, key: str, window_seconds: int) -> int:
    """Failed attempts against ``key`` since the last success, within the window."""
    since = utcnow() - timedelta(seconds=window_seconds)
    last_success = session.scalar(select(func.max(SignInAttempt.at)).where(
        SignInAttempt.scope == scope, SignInAttempt.key == key, SignInAttempt.succeeded.is_(True)))
    if last_success is not None and last_success > since:
        since = last_success
    return session.scalar(select(func.count()).select_from(SignInAttempt).where(
        SignInAttempt.scope == scope, SignInAttempt.key == key, SignInAttempt.succeeded.is_(False),
        SignInAttempt.at >= since)) or 0


def throttled(session: Session, settings: dict[str, Any], username: str, ip: str) -> bool:
    """Whether a sign-in for ``username`` from ``ip`` must be refused without checking the password."""
    window = settings["SIGNIN_WINDOW_SECONDS"]
    return (failures(session, AttemptScope.ACCOUNT, username.lower(), window) >= settings["SIGNIN_MAX_FAILURES_ACCOUNT"]
            or failures(session, AttemptScope.IP, ip, window) >= settings["SIGNIN_MAX_FAILURES_IP"])


def record_attempt(session: Session, settings: dict[str, Any], username: str, ip: str, succeeded: bool) -> None:
    """Count an attempt against the account and the IP address; forget attempts older than a day."""
    now = utcnow()
    session.add(SignInAttempt(scope=AttemptScope.ACCOUNT, key=username.lower()[:255], succeeded=succeeded, at=now))
    session.add(SignInAttempt(scope=AttemptScope.IP, key=ip[:255], succeeded=succeeded, at=now))
    horizon = now - timedelta(seconds=max(86400, settings["SIGNIN_WINDOW_SECONDS"]))
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < horizon))
