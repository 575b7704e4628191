"""Creating users, changing passwords and roles, and signing in (with throttling and the audit log).

Shared by the CLI (``chair user add|passwd|role``) and the admin area. Every password set goes through
the password policy (:func:`hub.accounts.passwords.check_strength`); a password or role change and
"sign out everywhere" end every server-side session of the user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action, snapshot
from hub.accounts.passwords import (
    DEFAULT_MIN_LENGTH,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from hub.accounts.sessions import close_all_sessions
from hub.accounts.throttle import reserve, settle
from hub.members import get_institution
from hub.models import Role, User, utcnow

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")


class SignInOutcome(StrEnum):
    """What a sign-in attempt came to."""

    OK = "ok"
    BAD_CREDENTIALS = "bad-credentials"
    THROTTLED = "throttled"
    LOCAL_FORBIDDEN = "local-forbidden"  # member staff must sign in through their institution (LOCAL_SIGN_IN_MEMBER_STAFF)


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


def check_new_user(session: Session, username: str, role: Role, member: str | None = None) -> int | None:
    """Everything about a new user that can be refused before a password is asked for: the name's
    form, a user of that name already there, a member administrator without a member, a member that
    does not exist (ValueError or LookupError says which). Returns the member's institution id."""
    if not USERNAME.match(username):
        raise ValueError("invalid user name: 2-64 letters, digits and . _ @ -")
    if session.scalar(select(User).where(User.username == username)):
        raise ValueError(f"user {username!r} already exists")
    return _institution_for(session, role, member)


def create_user(session: Session, username: str, password: str, role: Role, *, member: str | None = None,
                email: str = "", actor: User | None = None, min_length: int = DEFAULT_MIN_LENGTH,
                must_change_password: bool = False) -> User:
    """Add a user; member administrators belong to an institution (its slug in ``member``).

    The password must pass the policy (ValueError says why); ``must_change_password`` makes the user
    choose a new one at the first sign-in."""
    institution_id = check_new_user(session, username, role, member)
    check_strength(password, min_length=min_length, username=username, email=email)
    user = User(username=username, email=email, password_hash=hash_password(password), role=role,
                institution_id=institution_id, session_epoch=0, active=True,
                must_change_password=must_change_password)
    session.add(user)
    session.flush()
    log_action(session, actor, "user.add", target_type="user", target_id=user.id,
               institution_id=user.institution_id, after=snapshot(user))
    return user


def set_password(session: Session, username: str, password: str, actor: User | None = None, *,
                 min_length: int = DEFAULT_MIN_LENGTH, must_change_password: bool = False, ip: str = "") -> User:
    """Set a password (policy checked); every existing session of the user ends. With
    ``must_change_password`` the user has to choose a new one at the next sign-in."""
    user = get_user(session, username)
    check_strength(password, min_length=min_length, username=user.username, email=user.email)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change_password
    _end_sessions(session, user)
    note = "password changed; sessions ended" + ("; a new one is required at sign-in" if must_change_password else "")
    log_action(session, actor, "user.passwd", target_type="user", target_id=user.id,
               institution_id=user.institution_id, note=note, ip=ip)
    return user


def change_own_password(session: Session, user: User, current: str, new: str, *,
                        min_length: int = DEFAULT_MIN_LENGTH, ip: str = "") -> User:
    """A signed-in user's own change: the current password must match and the new one pass the policy
    and differ from it. Every session of the user ends (the caller opens a fresh one)."""
    if not verify_password(user.password_hash, current):
        raise ValueError("the current password is wrong 当前密码错误")
    if new == current:
        raise ValueError("the new password must differ from the current one 新密码不能与当前密码相同")
    check_strength(new, min_length=min_length, username=user.username, email=user.email)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    _end_sessions(session, user)
    log_action(session, user, "user.passwd-own", target_type="user", target_id=user.id,
               institution_id=user.institution_id, note="own password changed; other sessions ended", ip=ip)
    return user


def require_password_change(session: Session, username: str, actor: User | None = None, ip: str = "") -> User:
    """Make ``username`` choose a new password: after signing in they reach only the change-password page."""
    user = get_user(session, username)
    user.must_change_password = True
    log_action(session, actor, "user.require-password-change", target_type="user", target_id=user.id,
               institution_id=user.institution_id, ip=ip)
    return user


def _end_sessions(session: Session, user: User) -> None:
    """End every session of ``user``: the server-side rows go, and the epoch moves."""
    user.session_epoch += 1
    close_all_sessions(session, user)


def set_role(session: Session, username: str, role: Role, member: str | None = None,
             actor: User | None = None) -> User:
    """Change a user's role (and institution); every existing session of the user ends."""
    user = get_user(session, username)
    before = snapshot(user)
    user.role = role
    user.institution_id = _institution_for(session, role, member)
    _end_sessions(session, user)
    log_action(session, actor, "user.role", target_type="user", target_id=user.id,
               institution_id=user.institution_id, before=before, after=snapshot(user))
    return user


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every session of ``user``, on every device."""
    _end_sessions(session, user)
    log_action(session, user, "user.sign-out-everywhere", target_type="user", target_id=user.id,
               institution_id=user.institution_id)


def sign_in(session: Session, settings: Mapping[str, Any], username: str, password: str, ip: str) -> SignInResult:
    """Check a user name and password, throttled per account and per IP address. With
    ``LOCAL_SIGN_IN_MEMBER_STAFF`` off only hub administrators may sign in so (break-glass).

    The evaluation is reserved (and committed) before the password is checked, so parallel attempts
    never get more evaluations than the limits; the attempt is recorded and the caller commits."""
    username = username.strip()[:64]
    if not reserve(session, settings, username, ip):
        log_action(session, None, "user.sign-in-throttled", target_type="user", target_id=username, ip=ip)
        return SignInResult(SignInOutcome.THROTTLED)
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.active
    settle(session, settings, username, ip, ok)
    if not ok:
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if not settings["LOCAL_SIGN_IN_MEMBER_STAFF"] and user.role != Role.HUB_ADMIN:
        log_action(session, user, "user.sign-in-local-refused", target_type="user", target_id=user.id,
                   institution_id=user.institution_id, ip=ip, note="member staff sign in through their institution")
        return SignInResult(SignInOutcome.LOCAL_FORBIDDEN)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    log_action(session, user, "user.sign-in", target_type="user", target_id=user.id,
               institution_id=user.institution_id, ip=ip)
    return SignInResult(SignInOutcome.OK, user)
