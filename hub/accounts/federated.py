"""From a verified federated identity to a hub account: :func:`complete_sign_in`, whatever the protocol.

The OpenID Connect relying party and the SAML service provider call it once their protocol's checks passed.
In order: the provider must be enabled and the identity its own; the provider must own every scope the
identity asserts (:func:`hub.accounts.roles.check_scopes`); the member's role rules give the role (none: no
access). The provider's subject is linked to one hub account (:class:`ExternalIdentity`): the first sign-in
makes that account just in time (its user name from the identity, made unique; no local password, ``"!"``),
active or waiting for a member admin's approval as the provider's ``provisioning`` says; later sign-ins
refresh the link's attributes and apply a role that changed (ending the account's other sessions). An
account an admin deactivated stays refused. A federated identity never signs into an existing local
account (a user name or e-mail that happens to match opens nothing). Every outcome is in the audit log
with the provider's slug and the subject; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action, snapshot
from hub.accounts.identity import FederatedIdentity
from hub.accounts.roles import ScopeCheck, check_scopes, member_role
from hub.accounts.sessions import close_all_sessions
from hub.models import AuditEntry, Role, User, utcnow
from hub.models.federation import ExternalIdentity, IdentityProvider, Provisioning

NO_PASSWORD = "!"  # the password hash of an account that signs in only through its provider
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_.@-]+")
MAX_ATTRIBUTES = 64  # attribute values kept per identity (the rest are dropped)


class Outcome(StrEnum):
    """What a federated sign-in came to."""

    SIGNED_IN = "signed-in"
    PENDING_APPROVAL = "pending-approval"  # the account waits for a member admin's approval
    REFUSED_SCOPE = "refused-scope"  # the provider asserted a scope it does not own
    REFUSED_NO_ROLE = "refused-no-role"  # no rule of the member gives this identity a role
    REFUSED_DISABLED = "refused-disabled"  # the account was deactivated by an admin
    REFUSED_PROVIDER = "refused-provider"  # the provider is disabled, or the identity is not its own


@dataclass(frozen=True)
class FederatedOutcome:
    """The outcome, the account (when there is one), its role and member, and the detail for the log."""

    outcome: Outcome
    user: User | None = None
    role: Role | None = None
    institution_id: int | None = None
    created: bool = False
    detail: str = ""
    rules: list[int] = field(default_factory=list)
    entry: AuditEntry | None = field(default=None, compare=False)  # the outcome's audit entry (the web adds the IP)

    @property
    def signed_in(self) -> bool:
        """Whether a session may be opened for ``user``."""
        return self.outcome == Outcome.SIGNED_IN and self.user is not None


def username_for(db: Session, identity: FederatedIdentity, provider: IdentityProvider) -> str:
    """A free user name for the identity's new account: its username hint, e-mail or subject, reduced to the
    characters user names allow and made unique with a number (``alice``, ``alice-2``)."""
    hint = identity.username_hint or identity.email or f"{provider.slug}-{identity.subject}"
    base = _NOT_IN_NAME.sub("-", hint).strip("-_.@")[:56] or f"{provider.slug}-user"
    if not base[0].isalnum():
        base = "u" + base
    if len(base) < 2:
        base = f"{base}-{provider.slug}"[:56]
    candidate, number = base, 1
    while db.scalar(select(User.id).where(User.username == candidate)) is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _attributes(identity: FederatedIdentity) -> dict[str, Any]:
    kept = dict(list(identity.attributes.items())[:MAX_ATTRIBUTES])
    kept.update(email=identity.email, display_name=identity.display_name, username=identity.username_hint,
                scoped_affiliations=list(identity.scoped_affiliations), entitlements=list(identity.entitlements),
                groups=list(identity.groups))
    return kept


def _record(db: Session, provider: IdentityProvider, identity: FederatedIdentity, result: FederatedOutcome,
            scope: ScopeCheck | None = None) -> FederatedOutcome:
    action = {Outcome.SIGNED_IN: "sso.sign-in", Outcome.PENDING_APPROVAL: "sso.pending"}.get(result.outcome,
                                                                                             "sso.refused")
    after = {"provider": provider.slug, "subject": identity.subject, "outcome": result.outcome.value,
             "method": identity.method.value, "role": result.role.value if result.role else None,
             "created": result.created, "rules": result.rules}
    if scope is not None and scope.scope:
        after["scope"] = scope.scope
    entry = log_action(db, result.user, action, target_type="provider", target_id=provider.slug,
                       institution_id=result.institution_id, after=after, note=result.detail)
    return replace(result, entry=entry)


def complete_sign_in(db: Session, settings: Mapping[str, Any], provider: IdentityProvider,
                     identity: FederatedIdentity) -> FederatedOutcome:
    """Turn a verified identity into a hub account and its role (see the module); the caller commits and,
    when :attr:`FederatedOutcome.signed_in`, opens the session."""
    del settings  # the rules live in the database; kept in the signature for the protocols' callers
    if not provider.enabled or identity.provider_key != provider.key or not identity.subject:
        detail = "the provider is disabled" if not provider.enabled else "the identity is not this provider's"
        return _record(db, provider, identity, FederatedOutcome(Outcome.REFUSED_PROVIDER,
                                                                institution_id=provider.institution_id,
                                                                detail=detail))
    scope = check_scopes(db, provider, identity)
    if not scope.ok:
        detail = f"scope {scope.scope or '(none)'} refused: {scope.verdict.value}"
        return _record(db, provider, identity, FederatedOutcome(Outcome.REFUSED_SCOPE,
                                                                institution_id=scope.institution_id,
                                                                detail=detail), scope)
    role, matched = member_role(db, scope, identity)
    rules = [rule.id for rule in matched]
    link = db.scalar(select(ExternalIdentity).where(ExternalIdentity.provider_id == provider.id,
                                                    ExternalIdentity.subject == identity.subject))
    user = db.get(User, link.user_id) if link is not None else None
    if link is not None and user is not None:
        link.attributes = _attributes(identity)
        link.last_seen_at = utcnow()
        if user.approval_pending:
            return _record(db, provider, identity, FederatedOutcome(
                Outcome.PENDING_APPROVAL, user, role, user.institution_id, detail="waiting for approval",
                rules=rules), scope)
        if not user.active:
            return _record(db, provider, identity, FederatedOutcome(
                Outcome.REFUSED_DISABLED, user, role, user.institution_id, detail="the account is deactivated",
                rules=rules), scope)
        if role is None:
            return _record(db, provider, identity, FederatedOutcome(
                Outcome.REFUSED_NO_ROLE, user, None, scope.institution_id, detail="no role rule matches",
                rules=rules), scope)
        if user.role != role or user.institution_id != scope.institution_id:
            before = snapshot(user)
            user.role, user.institution_id = role, scope.institution_id
            user.session_epoch += 1
            close_all_sessions(db, user)
            log_action(db, user, "user.role", target_type="user", target_id=user.id,
                       institution_id=user.institution_id, before=before, after=snapshot(user),
                       note=f"role from the rules of provider {provider.slug} at sign-in")
        if identity.email and identity.email != user.email:
            user.email = identity.email[:255]
        user.last_sign_in_at = utcnow()
        return _record(db, provider, identity, FederatedOutcome(Outcome.SIGNED_IN, user, role, user.institution_id,
                                                                rules=rules), scope)
    if role is None:
        return _record(db, provider, identity, FederatedOutcome(
            Outcome.REFUSED_NO_ROLE, None, None, scope.institution_id, detail="no role rule matches"), scope)
    pending = provider.provisioning == Provisioning.PENDING
    user = User(username=username_for(db, identity, provider), email=identity.email[:255],
                password_hash=NO_PASSWORD, role=role, institution_id=scope.institution_id, session_epoch=0,
                active=not pending, approval_pending=pending, must_change_password=False)
    db.add(user)
    db.flush()
    if link is not None:  # a link whose account was deleted: it now names the new account
        link.user_id, link.attributes, link.last_seen_at = user.id, _attributes(identity), utcnow()
    else:
        db.add(ExternalIdentity(provider_id=provider.id, subject=identity.subject[:512], user_id=user.id,
                                attributes=_attributes(identity)))
    log_action(db, None, "user.add", target_type="user", target_id=user.id, institution_id=user.institution_id,
               after=snapshot(user), note=f"just in time, first sign-in through provider {provider.slug}")
    if pending:
        return _record(db, provider, identity, FederatedOutcome(
            Outcome.PENDING_APPROVAL, user, role, user.institution_id, created=True,
            detail="account made, waiting for approval", rules=rules), scope)
    user.last_sign_in_at = utcnow()
    return _record(db, provider, identity, FederatedOutcome(Outcome.SIGNED_IN, user, role, user.institution_id,
                                                            created=True, rules=rules), scope)


def pending_accounts(db: Session, institution_id: int | None = None) -> list[User]:
    """Accounts waiting for approval (of one member, when given), oldest first."""
    query = select(User).where(User.approval_pending.is_(True)).order_by(User.created_at, User.id)
    if institution_id is not None:
        query = query.where(User.institution_id == institution_id)
    return list(db.scalars(query).all())


def approve_account(db: Session, user: User, actor: User | None, *, ip: str = "") -> User:
    """Approve an account waiting since its first sign-in: it becomes active (ValueError when it waits for
    nothing). The caller checks that ``actor`` may manage the account's member."""
    if not user.approval_pending:
        raise ValueError(f"account {user.username} is not waiting for approval")
    user.approval_pending, user.active = False, True
    log_action(db, actor, "user.approve", target_type="user", target_id=user.id, institution_id=user.institution_id,
               note="federated account approved", ip=ip)
    return user


def reject_account(db: Session, user: User, actor: User | None, *, ip: str = "") -> None:
    """Refuse an account waiting for approval: it is deleted with its link (a later sign-in asks again)."""
    if not user.approval_pending:
        raise ValueError(f"account {user.username} is not waiting for approval")
    log_action(db, actor, "user.reject", target_type="user", target_id=user.id, institution_id=user.institution_id,
               before=snapshot(user), note="federated account refused", ip=ip)
    db.delete(user)
