"""Creating users, changing passwords and roles, and signing in (with throttling and the audit log).

Shared by the CLI (``chair user add|passwd|role``) and the admin area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action, snapshot
from hub.accounts.passwords import check_strength, hash_password, needs_rehash, verify_password
from hub.accounts.throttle import record_attempt, throttled
from hub.members import get_institution
from hub.models import Role, User, utcnow

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")


class SignInOutcome(StrEnum):
    """What a sign-in attempt came to."""

    OK = "ok"
    BAD_CREDENTIALS = "bad-credentials"
    THROTTLED = "throttled"


@dataclass
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None


def parse_role(value: str) -> Role:
    """A Role from its name (``hub-admin``, ``member-admin``, ``viewer``); ValueError otherwise."""
    try:
        return Role(value.strip().lower().replace("_", "-"))
    except ValueError:
        raise ValueError(f"unknown role {value!r}; roles: {', '.join(r.value for r in Role)}") from None


def _institution_for(session: Session, role: Role, member: str | None) -> int | None:
    if role == Role.MEMBER_ADMIN:
        if not member:
            raise ValueError("a member administrator needs an institution (--member SLUG)")
        return get_institution(session, member).id
    if member:
        return get_institution(session, member).id
    return None


def get_user(session: Session, username: str) -> User:
    """The user named ``username``; LookupError when there is none."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise LookupError(f"no user {username!r}")
    return user


def create_user(session: Session, username: str, password: str, role: Role, *, member: str | None = None,
                email: str = "", actor: User | None = None) -> User:
    """Add a user; member administrators belong to an institution (its slug in ``member``)."""
    if not USERNAME.match(username):
        raise ValueError("invalid user name: 2-64 letters, digits and . _ @ -")
    if session.scalar(select(User).where(User.username == username)):
        raise ValueError(f"user {username!r} already exists")
    check_strength(password)
    user = User(username=username, email=email, password_hash=hash_password(password), role=role,
                institution_id=_institution_for(session, role, member), session_epoch=0, active=True)
    session.add(user)
    session.flush()
    log_action(session, actor, "user.add", target_type="user", target_id=user.id,
               institution_id=user.institution_id, after=snapshot(user))
    return user


def set_password(session: Session, username: str, password: str, actor: User | None = None) -> User:
    """Change a password; every existing session of the user ends."""
    user = get_user(session, username)
    check_strength(password)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    log_action(session, actor, "user.passwd", target_type="user", target_id=user.id,
               institution_id=user.institution_id, note="password changed; sessions ended")
    return user


def set_role(session: Session, username: str, role: Role, member: str | None = None,
             actor: User | None = None) -> User:
    """Change a user's role (and institution); every existing session of the user ends."""
    user = get_user(session, username)
    before = snapshot(user)
    user.role = role
    user.institution_id = _institution_for(session, role, member)
    user.session_epoch += 1
    log_action(session, actor, "user.role", target_type="user", target_id=user.id,
               institution_id=user.institution_id, before=before, after=snapshot(user))
    return user


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every session of ``user`` by moving its session epoch."""
    user.session_epoch += 1
    log_action(session, user, "user.sign-out-everywhere", target_type="user", target_id=user.id,
               institution_id=user.institution_id)


def sign_in(session: Session, settings: dict[str, Any], username: str, password: str, ip: str) -> SignInResult:
    """Check a user name and password, throttled per account and per IP; the attempt is recorded."""
    username = username.strip()[:64]
    if throttled(session, settings, username, ip):
        log_action(session, None, "user.sign-in-throttled", target_type="user", target_id=username, ip=ip)
        return SignInResult(SignInOutcome.THROTTLED)
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.active
    record_attempt(session, settings, username, ip, ok)
    if not ok:
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    log_action(session, user, "user.sign-in", target_type="user", target_id=user.id,
               institution_id=user.institution_id, ip=ip)
    return SignInResult(SignInOutcome.OK, user)
