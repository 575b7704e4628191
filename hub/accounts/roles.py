"""Who a federated identity is in the hub: which member it may belong to (scope ownership) and which role
that member's rules give it.

Scope ownership: a provider of member A may only assert scopes that A's providers own. An identity's scopes
are those of its scoped affiliations and scoped user name (:attr:`FederatedIdentity.scopes`; a subdomain
of an owned scope counts as owned): one of another member, or one that no provider of A owns, refuses the
whole sign-in. The e-mail's domain is a scope too for the email-domain rules: one owned by another member
refuses the sign-in, one nobody owns only matches no email-domain rule. A provider of the whole hub (no
member) signs people into the member whose providers own every scope it asserts, and only scopes the
provider itself lists.

Roles: every rule of the member is matched against the identity (a scoped affiliation, an entitlement, an
e-mail domain, an OIDC group, each compared exactly, domains and affiliations case-insensitively); the
strongest role of the matching rules wins, and a rule grants only the member's own role (member-admin),
never a hub staff role (hub-admin, viewer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.identity import FederatedIdentity
from hub.models import Role
from hub.models.federation import IdentityProvider, RoleRule, RuleSource

# The roles a rule may give, by strength. Hub-admin and viewer (hub staff: a viewer reads every member) never
# come from a member's rule, even one written into the table by hand.
STRENGTH = {Role.MEMBER_ADMIN: 1}


class ScopeVerdict(StrEnum):
    """What the scope check found."""

    OK = "ok"
    OTHER_MEMBER = "other-member"  # a scope owned by another member's provider
    NOT_OWNED = "not-owned"  # a scope no provider of the member owns
    NO_MEMBER = "no-member"  # a hub-wide provider whose identity names no (single) member


@dataclass(frozen=True)
class ScopeCheck:
    """The scope check's verdict, the member the identity belongs to and the scope that decided a refusal."""

    verdict: ScopeVerdict
    institution_id: int | None = None
    scope: str = ""
    email_trusted: bool = False  # the e-mail's domain is the member's: email-domain rules may match it

    @property
    def ok(self) -> bool:
        return self.verdict == ScopeVerdict.OK


def email_domain(identity: FederatedIdentity) -> str:
    """The domain of the identity's e-mail address, lower-cased ('' when there is none)."""
    return identity.email.rsplit("@", 1)[1].strip().lower() if "@" in identity.email else ""


def covered(scope: str, owned: Iterable[str]) -> bool:
    """Whether ``scope`` is one of ``owned`` or a subdomain of one."""
    return any(scope == own or scope.endswith("." + own) for own in owned)


def _owners(db: Session) -> list[tuple[int | None, list[str]]]:
    rows = db.execute(select(IdentityProvider.institution_id, IdentityProvider.scopes)).all()
    return [(institution_id, [s.lower() for s in scopes or []]) for institution_id, scopes in rows]


def check_scopes(db: Session, provider: IdentityProvider, identity: FederatedIdentity) -> ScopeCheck:
    """Whether ``provider`` may assert every scope ``identity`` claims, and the member it signs into."""
    owners = _owners(db)
    claimed = sorted(identity.scopes)
    domain = email_domain(identity)
    member = provider.institution_id
    if member is None:
        own = [s.lower() for s in provider.scopes or []]
        members: set[int] = set()
        for scope in claimed:
            holders = {m for m, scopes in owners if m is not None and covered(scope, scopes)}
            if not covered(scope, own) or len(holders) != 1:
                return ScopeCheck(ScopeVerdict.NO_MEMBER, None, scope)
            members |= holders
        if len(members) != 1:
            return ScopeCheck(ScopeVerdict.NO_MEMBER, None, claimed[0] if claimed else "")
        member = members.pop()
        mine = [s for s in own if any(m == member and covered(s, scopes) for m, scopes in owners)]
    else:
        mine = [s for m, scopes in owners if m == member for s in scopes]
    for scope in claimed + ([domain] if domain else []):
        if any(m is not None and m != member and covered(scope, scopes) for m, scopes in owners):
            return ScopeCheck(ScopeVerdict.OTHER_MEMBER, member, scope)
        if scope != domain and not covered(scope, mine):
            return ScopeCheck(ScopeVerdict.NOT_OWNED, member, scope)
    return ScopeCheck(ScopeVerdict.OK, member, email_trusted=bool(domain) and covered(domain, mine))


def rule_matches(rule: RoleRule, identity: FederatedIdentity, email_trusted: bool = True) -> bool:
    """Whether one rule matches the identity (an email-domain rule only when the e-mail's domain is the
    member's: ``email_trusted``)."""
    value = rule.value.strip()
    if rule.source == RuleSource.SCOPED_AFFILIATION:
        return value.lower() in {v.strip().lower() for v in identity.scoped_affiliations}
    if rule.source == RuleSource.ENTITLEMENT:
        return value in {v.strip() for v in identity.entitlements}
    if rule.source == RuleSource.EMAIL_DOMAIN:
        return email_trusted and bool(email_domain(identity)) and email_domain(identity) == value.lower().lstrip("@")
    if rule.source == RuleSource.GROUP:
        return value in identity.groups or value.lstrip("/") in identity.groups
    return False


def strongest_role(rules: Iterable[RoleRule], identity: FederatedIdentity,
                   email_trusted: bool = True) -> tuple[Role | None, list[RoleRule]]:
    """The strongest role the matching rules give (None: no rule matches), and those rules."""
    matched = [rule for rule in rules if rule.role in STRENGTH and rule_matches(rule, identity, email_trusted)]
    if not matched:
        return None, []
    return max((rule.role for rule in matched), key=lambda role: STRENGTH[role]), matched


def member_role(db: Session, check: ScopeCheck, identity: FederatedIdentity) -> tuple[Role | None, list[RoleRule]]:
    """The role the rules of the member a passed scope check found give ``identity`` (None: no access)."""
    if not check.ok or check.institution_id is None:
        return None, []
    rules = db.scalars(select(RoleRule).where(RoleRule.institution_id == check.institution_id)
                       .order_by(RoleRule.id)).all()
    return strongest_role(rules, identity, check.email_trusted)
