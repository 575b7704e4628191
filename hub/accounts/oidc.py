"""The OpenID Connect relying party: discovery, the authorisation code flow with PKCE, and the ID token's checks.

A provider's discovery document (``<issuer>/.well-known/openid-configuration``) and its key set (JWKS) are
fetched through the hub's HTTP client (address-checked, bounded: :mod:`hub.http`) and cached in
``provider.config`` with the time they were read (:data:`DISCOVERY_TTL`; an ID token signed with a key not
in the cached set makes one refetch). :func:`begin` makes an :class:`Attempt` (state, nonce and PKCE S256
verifier; the web layer keeps several in the Flask session, one per tab) and the authorisation URL;
:func:`finish` checks the provider's answer against the attempt, exchanges the code (client secret in the
token request), verifies the ID token (:func:`verify_id_token`: signature with the provider's keys; ``iss``,
``aud``, ``azp``, ``exp``, ``iat`` and ``nonce``, times within ``SSO_CLOCK_SKEW``; ``alg: none`` always
refused, HS256 with the client secret only where the provider's config says ``allow_hs256``), reads userinfo
when configured, and returns a :class:`~hub.accounts.identity.FederatedIdentity`. Every failure raises
:class:`OidcError` with its :class:`OidcFailure` kind.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from hub.accounts.identity import FederatedIdentity
from hub.http import HarvestError, HttpClient
from hub.models import utcnow
from hub.models.accounts import SignInMethod
from hub.models.federation import IdentityProvider

DISCOVERY_TTL = timedelta(hours=24)
ATTEMPT_SECONDS = 600  # an attempt older than this (a tab left open) is expired
MAX_DOCUMENT_BYTES = 1024 * 1024
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
SYMMETRIC_ALGORITHMS = ("HS256", "HS384", "HS512")


class OidcFailure(StrEnum):
    """Why an OpenID Connect sign-in stopped."""

    DISCOVERY = "discovery"  # the discovery document or key set could not be read or is not valid
    STATE = "state"  # the answer does not belong to an attempt of this browser (forged, replayed, other tab lost)
    EXPIRED = "expired"  # the attempt is older than ATTEMPT_SECONDS
    PROVIDER_ERROR = "provider-error"  # the provider answered with an error (access_denied, ...)
    TOKEN = "token"  # the code could not be exchanged for tokens
    ID_TOKEN = "id-token"  # the ID token failed a check (signature, issuer, audience, times, nonce, algorithm)
    USERINFO = "userinfo"  # the userinfo endpoint failed or named another subject


class OidcError(Exception):
    """An OpenID Connect sign-in that cannot go on; ``kind`` says why, the message the detail."""

    def __init__(self, kind: OidcFailure, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Attempt:
    """One sign-in under way in one browser tab: what the answer must match."""

    provider: str  # the provider's slug
    state: str
    nonce: str
    verifier: str  # the PKCE code verifier
    redirect_uri: str
    next_url: str = ""
    created: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The attempt as kept in the Flask session."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attempt:
        """An attempt read back from the Flask session (ValueError when it is not one)."""
        try:
            return cls(**{key: data[key] for key in cls.__dataclass_fields__})
        except (KeyError, TypeError) as exc:
            raise ValueError("not a sign-in attempt") from exc

    def expired(self, now: float | None = None) -> bool:
        """Whether the attempt is older than ATTEMPT_SECONDS."""
        return (now if now is not None else time.time()) - self.created > ATTEMPT_SECONDS


class _FormBody(dict):
    """A token request's fields, sent form-encoded (the token endpoint takes no JSON)."""


class _FormSession(requests.Session):
    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        if isinstance(request.json, _FormBody):
            request.data, request.json = dict(request.json), None
        return super().prepare_request(request)


class OidcHttp(HttpClient):
    """The hub's HTTP client (address checks, deadline, byte caps) with a form POST for token requests."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        plain, form = self.session, _FormSession()
        form.trust_env = False
        form.headers.update(plain.headers)
        form.adapters = plain.adapters
        self.session = form

    def post_form(self, url: str, fields: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """POST ``fields`` form-encoded, once (an authorisation code is used once), no redirect; returns the
        status and the JSON answer ({} when it is not JSON)."""
        result = self.post_json(url, _FormBody(fields), retries=0, follow_redirects=False,
                                max_bytes=MAX_DOCUMENT_BYTES, headers={"Accept": "application/json"})
        return result.status, _json_object(result.body)

    def get_json(self, url: str, headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """GET a JSON document; returns the status and the object ({} when it is not a JSON object)."""
        result = self.get(url, max_bytes=MAX_DOCUMENT_BYTES, headers={"Accept": "application/json", **(headers or {})})
        return result.status, _json_object(result.body)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _config(provider: IdentityProvider) -> dict[str, Any]:
    return dict(provider.config or {})


def _fetch(http: OidcHttp, url: str, what: str) -> dict[str, Any]:
    try:
        status, data = http.get_json(url)
    except HarvestError as exc:
        raise OidcError(OidcFailure.DISCOVERY, f"the {what} at {url} could not be read: {exc}") from exc
    if status != 200 or not data:
        raise OidcError(OidcFailure.DISCOVERY, f"the {what} at {url} answered HTTP {status} without a JSON object")
    return data


def discovery(http: OidcHttp, provider: IdentityProvider, *, force: bool = False) -> dict[str, Any]:
    """The provider's discovery document, from the cache in ``provider.config`` while it is fresh (the caller
    commits the refreshed cache; a stale one is still used while the provider cannot be read). Its ``issuer``
    must be the provider's issuer exactly."""
    config = _config(provider)
    cached, at = config.get("discovery"), config.get("discovered_at")
    if not force and isinstance(cached, dict) and at:
        try:
            if utcnow() - datetime.fromisoformat(at) < DISCOVERY_TTL:
                return cached
        except (TypeError, ValueError):
            pass
    url = provider.key.rstrip("/") + "/.well-known/openid-configuration"
    try:
        document = _fetch(http, url, "discovery document")
    except OidcError:
        if isinstance(cached, dict) and not force:
            return cached  # the provider's document is down for now: the one read last still holds
        raise
    if document.get("issuer") != provider.key:
        raise OidcError(OidcFailure.DISCOVERY, f"the discovery document at {url} names issuer "
                                               f"{document.get('issuer')!r}, not {provider.key!r}")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str) or not document[key].startswith(("https://", "http://")):
            raise OidcError(OidcFailure.DISCOVERY, f"the discovery document at {url} has no {key}")
    config.update(discovery=document, discovered_at=utcnow().isoformat())
    config.pop("jwks", None)
    provider.config = config
    return document


def key_set(http: OidcHttp, provider: IdentityProvider, document: Mapping[str, Any], *,
            force: bool = False) -> dict[str, Any]:
    """The provider's JWKS, cached in ``provider.config`` beside the discovery document."""
    config = _config(provider)
    if not force and isinstance(config.get("jwks"), dict):
        return config["jwks"]
    keys = _fetch(http, document["jwks_uri"], "key set (jwks_uri)")
    if not isinstance(keys.get("keys"), list):
        raise OidcError(OidcFailure.DISCOVERY, f"the key set at {document['jwks_uri']} has no keys")
    config["jwks"] = keys
    provider.config = config
    return keys


def begin(http: OidcHttp, provider: IdentityProvider, redirect_uri: str, next_url: str = "") -> tuple[str, Attempt]:
    """Start a sign-in: the attempt to keep (state, nonce, PKCE verifier) and the provider's authorisation
    URL to send the browser to."""
    document = discovery(http, provider)
    config = _config(provider)
    attempt = Attempt(provider=provider.slug, state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24),
                      verifier=secrets.token_urlsafe(48), redirect_uri=redirect_uri, next_url=next_url,
                      created=time.time())
    params = {"response_type": "code", "client_id": config.get("client_id", ""), "redirect_uri": redirect_uri,
              "scope": " ".join(config.get("request_scopes") or ["openid", "profile", "email"]),
              "state": attempt.state, "nonce": attempt.nonce,
              "code_challenge": create_s256_code_challenge(attempt.verifier), "code_challenge_method": "S256"}
    endpoint = document["authorization_endpoint"]
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params), attempt


def _header(token: str) -> dict[str, Any]:
    try:
        head = token.split(".", 1)[0]
        data = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token is not a JWT") from exc
    if not isinstance(data, dict):
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token is not a JWT")
    return data


def verify_id_token(token: str, *, keys: Mapping[str, Any], issuer: str, client_id: str, nonce: str,
                    leeway: int, now: float | None = None, client_secret: str = "",
                    allow_hs256: bool = False, access_token: str = "") -> dict[str, Any]:
    """Check an ID token and return its claims: the algorithm (never ``none``; HS* only with
    ``allow_hs256``, keyed with the client secret), the signature, ``iss``, ``aud`` (and ``azp`` when there
    are several audiences), ``exp`` and ``iat`` within ``leeway`` seconds, ``nonce``, ``sub``, each with a
    message a person reads; then OpenID Connect Core's rules for a code-flow ID token as Authlib implements
    them (``CodeIDToken``: ``azp``, ``auth_time``, ``amr``, and ``at_hash`` against ``access_token``)."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token is not a signed JWT")
    alg = _header(token).get("alg")
    if alg in SYMMETRIC_ALGORITHMS and allow_hs256 and client_secret:
        key: Any = OctKey.import_key(client_secret)
    elif alg in ASYMMETRIC_ALGORITHMS:
        try:
            key = KeySet.import_key_set(dict(keys))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise OidcError(OidcFailure.DISCOVERY, f"the provider's key set cannot be used: {exc}") from exc
    else:
        raise OidcError(OidcFailure.ID_TOKEN, f"the ID token's algorithm {alg!r} is not accepted")
    try:
        claims = dict(jwt.decode(token, key, algorithms=[str(alg)]).claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError(OidcFailure.ID_TOKEN, f"the ID token's signature does not verify ({exc})") from exc
    moment = now if now is not None else time.time()
    if claims.get("iss") != issuer:
        raise OidcError(OidcFailure.ID_TOKEN, f"the ID token comes from issuer {claims.get('iss')!r}, not {issuer!r}")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise OidcError(OidcFailure.ID_TOKEN, f"the ID token is for audience {audience!r}, not this hub ({client_id})")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token has several audiences and another authorised party")
    for name in ("exp", "iat"):
        if not isinstance(claims.get(name), (int, float)) or isinstance(claims.get(name), bool):
            raise OidcError(OidcFailure.ID_TOKEN, f"the ID token has no {name} time")
    if claims["exp"] + leeway < moment:
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token has expired")
    if claims["iat"] - leeway > moment:
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token is issued in the future (clocks differ too much)")
    if not nonce or claims.get("nonce") != nonce:
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token's nonce does not match this sign-in")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise OidcError(OidcFailure.ID_TOKEN, "the ID token names no subject")
    core = CodeIDToken(claims, _header(token), params={"nonce": nonce, "client_id": client_id,
                                                       "access_token": access_token or None})
    try:
        core.validate(now=int(moment), leeway=leeway)
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError(OidcFailure.ID_TOKEN, f"the ID token breaks OpenID Connect Core's rules ({exc})") from exc
    return claims


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, (str, int)))
    return ()


def _claim(claims: Mapping[str, Any], *names: str) -> tuple[str, ...]:
    """The values of the first of ``names`` the claims have (providers spell eduPerson claims two ways)."""
    for name in names:
        if name in claims:
            return _strings(claims[name])
    return ()


def _groups(value: Any) -> tuple[str, ...]:
    """Group names as sent, and without the leading slash of a group path (Keycloak's ``/staff``)."""
    found: list[str] = []
    for group in _strings(value):
        for name in (group, group.lstrip("/")):
            if name and name not in found:
                found.append(name)
    return tuple(found)


def identity_from_claims(provider: IdentityProvider, claims: Mapping[str, Any], id_token: str) -> FederatedIdentity:
    """The protocol-neutral identity of verified claims (ID token merged with userinfo)."""
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    if email and claims.get("email_verified") is False:
        email = ""  # an unverified address proves no domain
    shown = claims.get("name") if isinstance(claims.get("name"), str) else ""
    known = {"iss", "aud", "exp", "iat", "nonce", "sub", "auth_time", "azp", "at_hash", "sid", "jti", "typ"}
    return FederatedIdentity(
        method=SignInMethod.OIDC, provider_key=provider.key, subject=str(claims["sub"]), email=email or "",
        display_name=shown or "", username_hint=str(claims.get("preferred_username") or ""),
        scoped_affiliations=_claim(claims, "eduPersonScopedAffiliation", "eduperson_scoped_affiliation"),
        entitlements=_claim(claims, "eduPersonEntitlement", "eduperson_entitlement"),
        groups=_groups(claims.get("groups")),
        attributes={k: v for k, v in claims.items() if k not in known},
        logout={"id_token_hint": id_token})


def finish(http: OidcHttp, provider: IdentityProvider, settings: Mapping[str, Any], attempt: Attempt,
           answer: Mapping[str, str]) -> FederatedIdentity:
    """Complete a sign-in from the provider's answer (the callback's query): the provider's error, the
    attempt's age, the code exchanged for tokens, the ID token verified, userinfo read when configured."""
    if answer.get("error"):
        detail = answer.get("error_description", "")[:300]
        raise OidcError(OidcFailure.PROVIDER_ERROR, f"{answer['error'][:64]}{': ' + detail if detail else ''}")
    if attempt.expired():
        raise OidcError(OidcFailure.EXPIRED, "the sign-in took too long")
    code = answer.get("code", "")
    if not code:
        raise OidcError(OidcFailure.TOKEN, "the provider sent no authorisation code")
    document = discovery(http, provider)
    config = _config(provider)
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": attempt.redirect_uri,
              "code_verifier": attempt.verifier, "client_id": config.get("client_id", ""),
              "client_secret": config.get("client_secret", "")}
    try:
        status, tokens = http.post_form(document["token_endpoint"], fields)
    except HarvestError as exc:
        raise OidcError(OidcFailure.TOKEN, f"the token endpoint could not be reached: {exc}") from exc
    if status != 200 or not isinstance(tokens.get("id_token"), str):
        reason = tokens.get("error_description") or tokens.get("error") or f"HTTP {status}"
        raise OidcError(OidcFailure.TOKEN, f"the token endpoint refused the code: {str(reason)[:300]}")
    id_token = tokens["id_token"]
    check = {"issuer": provider.key, "client_id": config.get("client_id", ""), "nonce": attempt.nonce,
             "leeway": int(settings["SSO_CLOCK_SKEW"]), "client_secret": config.get("client_secret", ""),
             "allow_hs256": bool(config.get("allow_hs256"))}
    kid = _header(id_token).get("kid")
    keys = key_set(http, provider, document)
    if kid and kid not in {k.get("kid") for k in keys.get("keys", []) if isinstance(k, dict)}:
        keys = key_set(http, provider, document, force=True)  # the provider rotated its keys
    access_token = tokens.get("access_token") if isinstance(tokens.get("access_token"), str) else ""
    claims = verify_id_token(id_token, keys=keys, access_token=access_token, **check)
    if config.get("userinfo") and document.get("userinfo_endpoint") and isinstance(tokens.get("access_token"), str):
        claims = {**_userinfo(http, document["userinfo_endpoint"], tokens["access_token"], claims["sub"]), **claims}
    return identity_from_claims(provider, claims, id_token)


def _userinfo(http: OidcHttp, url: str, access_token: str, subject: str) -> dict[str, Any]:
    try:
        status, info = http.get_json(url, headers={"Authorization": f"Bearer {access_token}"})
    except HarvestError as exc:
        raise OidcError(OidcFailure.USERINFO, f"the userinfo endpoint could not be read: {exc}") from exc
    if status != 200 or info.get("sub") != subject:
        raise OidcError(OidcFailure.USERINFO, "the userinfo endpoint failed or named another subject")
    return info


def end_session_url(provider: IdentityProvider, id_token_hint: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's single-logout URL (its ``end_session_endpoint`` from the cached discovery document, with
    ``id_token_hint`` and ``post_logout_redirect_uri``), or None when it has none."""
    document = _config(provider).get("discovery") or {}
    endpoint = document.get("end_session_endpoint") if isinstance(document, dict) else None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    params = {"post_logout_redirect_uri": post_logout_redirect_uri,
              "client_id": _config(provider).get("client_id", "")}
    if id_token_hint:
        params["id_token_hint"] = id_token_hint
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)

