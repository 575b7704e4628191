"""What a verified federated sign-in hands the hub, whatever the protocol.

The OpenID Connect relying party (:mod:`hub.accounts.oidc`) and the SAML service provider
(:mod:`hub.accounts.saml`) check everything their protocol requires (signatures, issuer, audience, times,
replay) and only then build a :class:`FederatedIdentity`; :mod:`hub.accounts.federated` turns it into a hub
account, its member and role (the role rules, scope ownership, just-in-time accounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.models.accounts import SignInMethod


@dataclass(frozen=True)
class FederatedIdentity:
    """A person as a provider asserted them, after every protocol check passed.

    ``subject`` is the provider's stable identifier (OIDC ``sub``; SAML persistent NameID, or
    eduPersonPrincipalName / eduPersonTargetedID when the NameID is transient). ``scoped_affiliations``
    are ``role@scope`` values (eduPersonScopedAffiliation), ``entitlements`` eduPersonEntitlement URIs,
    ``groups`` OIDC group names. ``logout`` keeps what single logout needs later (SAML NameID, its format
    and SessionIndex; the OIDC ID token as ``id_token_hint``). ``attributes`` is everything else the
    provider sent, for the account page and the audit log.
    """

    method: SignInMethod
    provider_key: str
    subject: str
    email: str = ""
    display_name: str = ""
    username_hint: str = ""
    scoped_affiliations: tuple[str, ...] = ()
    entitlements: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    logout: dict[str, Any] = field(default_factory=dict)

    @property
    def scopes(self) -> frozenset[str]:
        """The security domains this identity claims: the scope of each scoped affiliation and the domain of
        a scoped username (``alice@univ-a.edu.cn``), lower-cased."""
        found = {value.rsplit("@", 1)[1].lower() for value in self.scoped_affiliations if "@" in value}
        if "@" in self.username_hint:
            found.add(self.username_hint.rsplit("@", 1)[1].lower())
        return frozenset(found)
