"""The registry of identity providers and of members' role rules: add, list, enable and disable providers,
add, list and delete rules.

Shared by the CLI (``chair sso ...``) and the admin area. Bad input raises ValueError (a value that is not
one: a slug's form, an issuer that is not an https URL, a scope that is not a domain) or LookupError (a
member, provider or rule that does not exist), each with a message that names the value; every change goes
to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action
from hub.members import get_institution
from hub.models import Role, User, utcnow
from hub.models.federation import IdentityProvider, Protocol, Provisioning, RoleRule, RuleSource

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DEFAULT_REQUEST_SCOPES = ("openid", "profile", "email")
SECRET_CONFIG = ("client_secret",)  # never shown in lists nor written to the audit log

# What people type for a rule's source: the attribute names and short forms.
SOURCE_NAMES = {
    "group": RuleSource.GROUP, "groups": RuleSource.GROUP,
    "email-domain": RuleSource.EMAIL_DOMAIN, "email": RuleSource.EMAIL_DOMAIN, "domain": RuleSource.EMAIL_DOMAIN,
    "affiliation": RuleSource.SCOPED_AFFILIATION, "scoped-affiliation": RuleSource.SCOPED_AFFILIATION,
    "edupersonscopedaffiliation": RuleSource.SCOPED_AFFILIATION,
    "entitlement": RuleSource.ENTITLEMENT, "edupersonentitlement": RuleSource.ENTITLEMENT,
}
# What a member's rules may grant: the member's own role. Hub-admin and viewer are hub staff's roles (a viewer
# reads every member), never given by a member's identity provider.
RULE_ROLES = (Role.MEMBER_ADMIN,)


def parse_source(value: str) -> RuleSource:
    """A RuleSource from what a person typed (``group``, ``email-domain``, ``affiliation``,
    ``entitlement`` or the attribute's name); ValueError otherwise."""
    found = SOURCE_NAMES.get(value.strip().lower().replace("_", "-"))
    if found is None:
        raise ValueError(f"unknown rule source {value!r}; sources: group, email-domain, affiliation, entitlement")
    return found


def parse_provisioning(value: str) -> Provisioning:
    """``active`` or ``pending``; ValueError otherwise."""
    try:
        return Provisioning(value.strip().lower())
    except ValueError:
        raise ValueError(f"unknown provisioning {value!r}: active or pending") from None


def check_slug(slug: str) -> str:
    """``slug`` when it is one (2-63 lower-case letters, digits and -); ValueError otherwise."""
    if not SLUG.match(slug or ""):
        raise ValueError(f"invalid provider slug {slug!r}: 2-63 lower-case letters, digits and -, "
                         "starting with a letter or digit")
    return slug


def check_issuer(issuer: str, *, allow_http: bool = False) -> str:
    """An OpenID Connect issuer: an https URL without query or fragment (http only where private addresses
    are allowed, tests and demos), trailing slash kept as given; ValueError otherwise."""
    parts = urlsplit(issuer.strip())
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"invalid issuer {issuer!r}: an {' or '.join(schemes)} URL without query or fragment")
    return issuer.strip()


def check_scopes(scopes: Iterable[str]) -> list[str]:
    """The security domains a provider owns, lower-cased, each a DNS domain (``univ-a.edu.cn``)."""
    found: list[str] = []
    for scope in scopes:
        value = scope.strip().lower().lstrip("@")
        if not DOMAIN.match(value):
            raise ValueError(f"invalid scope {scope!r}: a domain such as univ-a.edu.cn")
        if value not in found:
            found.append(value)
    return found


def get_provider(db: Session, slug: str) -> IdentityProvider:
    """The provider with this slug; LookupError when there is none."""
    provider = db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
    if provider is None:
        raise LookupError(f"no identity provider {slug!r}")
    return provider


def list_providers(db: Session, *, enabled_only: bool = False) -> list[IdentityProvider]:
    """Every provider (or the enabled ones), by slug."""
    query = select(IdentityProvider).order_by(IdentityProvider.slug)
    if enabled_only:
        query = query.where(IdentityProvider.enabled.is_(True))
    return list(db.scalars(query).all())


def public_view(provider: IdentityProvider) -> dict[str, Any]:
    """What may be shown of a provider (lists, JSON, the audit log): its secret left out."""
    config = {k: v for k, v in (provider.config or {}).items()
              if k not in SECRET_CONFIG and k not in ("discovery", "jwks", "metadata", "metadata_xml")}
    return {
        "slug": provider.slug, "protocol": provider.protocol.value, "key": provider.key,
        "name_en": provider.name_en, "name_zh": provider.name_zh,
        "member": provider.institution.slug if provider.institution is not None else None,
        "scopes": list(provider.scopes or []), "provisioning": provider.provisioning.value,
        "enabled": provider.enabled, "config": config,
    }


def _check_scope_owners(db: Session, scopes: list[str], institution_id: int | None, slug: str) -> None:
    """Refuse scopes another member's provider already owns: a scope belongs to one member (a provider of the
    whole hub may list members' scopes: it signs into the member owning them)."""
    if institution_id is None:
        return
    for other in db.scalars(select(IdentityProvider).where(IdentityProvider.slug != slug)).all():
        if other.institution_id is None or other.institution_id == institution_id:
            continue
        taken = set(other.scopes or []) & set(scopes)
        if taken:
            raise ValueError(f"scope {sorted(taken)[0]} is owned by provider {other.slug} of another member")


def add_oidc_provider(db: Session, *, slug: str, issuer: str, client_id: str, client_secret: str,
                      member: str | None = None, scopes: Iterable[str] = (),
                      provisioning: Provisioning = Provisioning.PENDING, name_zh: str = "", name_en: str = "",
                      request_scopes: Iterable[str] = DEFAULT_REQUEST_SCOPES, allow_http: bool = False,
                      actor: User | None = None, ip: str = "") -> IdentityProvider:
    """Register an OpenID Connect provider (its discovery document is read at the first sign-in)."""
    check_slug(slug)
    issuer = check_issuer(issuer, allow_http=allow_http)
    if not client_id.strip():
        raise ValueError("a client id is required (--client-id)")
    if not client_secret:
        raise ValueError("a client secret is required (--client-secret)")
    owned = check_scopes(scopes)
    institution_id = get_institution(db, member).id if member else None
    if db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug)) is not None:
        raise ValueError(f"identity provider {slug!r} already exists")
    if db.scalar(select(IdentityProvider).where(IdentityProvider.key == issuer)) is not None:
        raise ValueError(f"a provider with issuer {issuer} already exists")
    _check_scope_owners(db, owned, institution_id, slug)
    wanted = [s for s in request_scopes if s.strip()]
    if "openid" not in wanted:
        wanted.insert(0, "openid")
    provider = IdentityProvider(slug=slug, protocol=Protocol.OIDC, key=issuer, name_en=name_en.strip(),
                                name_zh=name_zh.strip(), institution_id=institution_id, scopes=owned,
                                config={"client_id": client_id.strip(), "client_secret": client_secret,
                                        "request_scopes": wanted},
                                provisioning=provisioning, enabled=True)
    db.add(provider)
    db.flush()
    log_action(db, actor, "sso.provider-add", target_type="provider", target_id=slug,
               institution_id=institution_id, after=public_view(provider), ip=ip)
    return provider


def set_enabled(db: Session, slug: str, enabled: bool, actor: User | None = None, ip: str = "") -> IdentityProvider:
    """Enable or disable a provider (a disabled one signs nobody in and is not listed on /auth/login)."""
    provider = get_provider(db, slug)
    before = provider.enabled
    provider.enabled = enabled
    provider.updated_at = utcnow()
    log_action(db, actor, "sso.provider-enable" if enabled else "sso.provider-disable", target_type="provider",
               target_id=slug, institution_id=provider.institution_id, before={"enabled": before},
               after={"enabled": enabled}, ip=ip)
    return provider


def add_rule(db: Session, *, member: str, source: RuleSource, value: str, role: Role,
             actor: User | None = None, ip: str = "") -> RoleRule:
    """Add a role rule to a member: when ``source`` has ``value``, the user gets ``role`` in that member."""
    institution = get_institution(db, member)
    if role not in RULE_ROLES:
        raise ValueError(f"a member's rule cannot grant {role.value} (a hub staff role): it grants "
                         f"{', '.join(r.value for r in RULE_ROLES)}")
    value = value.strip()
    if not value or len(value) > 255:
        raise ValueError("a rule needs a value (1-255 characters)")
    if source == RuleSource.EMAIL_DOMAIN:
        value = check_scopes([value])[0]
    if source == RuleSource.SCOPED_AFFILIATION and "@" not in value:
        raise ValueError(f"a scoped affiliation is role@scope (staff@univ-a.edu.cn), not {value!r}")
    duplicate = db.scalar(select(RoleRule).where(RoleRule.institution_id == institution.id,
                                                 RoleRule.source == source, RoleRule.value == value))
    if duplicate is not None:
        raise ValueError(f"member {member} already has a rule for {source.value} {value!r}")
    rule = RoleRule(institution_id=institution.id, source=source, value=value, role=role,
                    created_by=actor.username if actor else "(cli)")
    db.add(rule)
    db.flush()
    log_action(db, actor, "sso.rule-add", target_type="role-rule", target_id=rule.id,
               institution_id=institution.id, after=rule_view(rule), ip=ip)
    return rule


def rule_view(rule: RoleRule) -> dict[str, Any]:
    """A rule as shown in lists and JSON."""
    member = rule.institution_id
    from hub.models import Institution

    session = Session.object_session(rule)
    institution = session.get(Institution, member) if session is not None else None
    return {"id": rule.id, "member": institution.slug if institution is not None else member,
            "source": rule.source.value, "value": rule.value, "role": rule.role.value,
            "created_by": rule.created_by}


def list_rules(db: Session, member: str | None = None) -> list[RoleRule]:
    """Every rule, or one member's, by member and id."""
    query = select(RoleRule).order_by(RoleRule.institution_id, RoleRule.id)
    if member:
        query = query.where(RoleRule.institution_id == get_institution(db, member).id)
    return list(db.scalars(query).all())


def delete_rule(db: Session, rule_id: int, *, institution_id: int | None = None, actor: User | None = None,
                ip: str = "") -> None:
    """Delete a rule (of ``institution_id`` only, when given: a member admin's own member)."""
    rule = db.get(RoleRule, rule_id)
    if rule is None or (institution_id is not None and rule.institution_id != institution_id):
        raise LookupError(f"no role rule {rule_id}")
    log_action(db, actor, "sso.rule-delete", target_type="role-rule", target_id=rule.id,
               institution_id=rule.institution_id, before=rule_view(rule), ip=ip)
    db.delete(rule)
