"""The hub's SAML 2.0 service provider (pysaml2 with xmlsec1).

The SP's entity ID is ``SAML_SP_ENTITY_ID`` or ``<BASE_URL>/auth/saml/metadata``; it receives assertions at
``<BASE_URL>/auth/saml/acs`` (HTTP-POST) and logout messages at ``<BASE_URL>/auth/saml/sls`` (HTTP-Redirect).
Every AuthnRequest and LogoutRequest is signed with the SP key (:mod:`hub.accounts.saml_keys`); the metadata
is signed too, with a ``validUntil``, and publishes ``SAML_SP_NEXT_CERT`` beside the current certificate
during a rotation.

An assertion is accepted only when pysaml2 and the checks here all pass: the assertion is signed by a key of
its issuer's metadata, the issuer is an enabled :class:`~hub.models.federation.IdentityProvider`, the
audience is our entity ID, Destination and Recipient are our ACS, NotBefore/NotOnOrAfter hold within
``SSO_CLOCK_SKEW``, InResponseTo names an AuthnRequest this browser session sent (no unsolicited
responses), and the assertion's ID was never consumed before (:class:`~hub.models.federation.UsedAssertion`,
shared by every process). Any failure is a :class:`SamlError` whose ``kind`` (:class:`Refusal`) says why.
The identity providers' metadata comes from their rows (``config["metadata_xml"]``), loaded per request for
the one provider concerned (a federation lists hundreds).
"""

from __future__ import annotations

import base64
import binascii
import shutil
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree as SafeET
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.accounts.identity import FederatedIdentity
from hub.accounts.saml_keys import SpKeyError, sp_keys
from hub.models import utcnow
from hub.models.accounts import SignInMethod
from hub.models.federation import IdentityProvider, Protocol, UsedAssertion

if TYPE_CHECKING:
    from saml2.client import Saml2Client

    from hub.context import Hub

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
METADATA_VALID_HOURS = 24 * 7
METADATA_CONTENT_TYPE = "application/samlmetadata+xml"
SIGN_ALG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_ALG = "http://www.w3.org/2001/04/xmlenc#sha256"
MAX_MESSAGE_BYTES = 512 * 1024
OUTSTANDING_KEPT = 10  # AuthnRequests remembered per browser session (several tabs may sign in at once)

# The attributes the SP asks for (metadata's RequestedAttribute, by their pysaml2 friendly names).
REQUESTED_ATTRIBUTES = ("eduPersonPrincipalName", "eduPersonScopedAffiliation", "eduPersonEntitlement", "mail",
                        "displayName", "eduPersonTargetedID")
# Names an identity provider may use for each attribute: friendly names, OIDs and Keycloak's defaults.
ATTRIBUTE_NAMES: dict[str, tuple[str, ...]] = {
    "eduPersonPrincipalName": ("eduPersonPrincipalName", "urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "eppn"),
    "eduPersonScopedAffiliation": ("eduPersonScopedAffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.9"),
    "eduPersonEntitlement": ("eduPersonEntitlement", "urn:oid:1.3.6.1.4.1.5923.1.1.1.7"),
    "eduPersonTargetedID": ("eduPersonTargetedID", "urn:oid:1.3.6.1.4.1.5923.1.1.1.10"),
    "mail": ("mail", "email", "emailAddress", "urn:oid:0.9.2342.19200300.100.1.3"),
    "displayName": ("displayName", "urn:oid:2.16.840.1.113730.3.1.241", "cn", "name"),
}


class Refusal(StrEnum):
    """Why a SAML message was refused (recorded in the audit log, told on the error page)."""

    MALFORMED = "malformed"  # not a SAML response at all (bad base64, XML, deflate, too large)
    UNKNOWN_ISSUER = "unknown-issuer"  # no enabled identity provider has this entity ID
    ISSUER_MISMATCH = "issuer-mismatch"  # the response and its assertion name different issuers
    IDP_ERROR = "idp-error"  # the identity provider answered with a non-success status
    UNSIGNED = "unsigned"  # the assertion carries no signature
    BAD_SIGNATURE = "bad-signature"  # a signature that does not verify with the issuer's metadata keys
    WRONG_AUDIENCE = "wrong-audience"  # AudienceRestriction does not name our entity ID
    WRONG_DESTINATION = "wrong-destination"  # Destination or Recipient is not our ACS
    EXPIRED = "expired"  # NotOnOrAfter passed, or NotBefore not reached, beyond the clock skew
    UNSOLICITED = "unsolicited"  # InResponseTo missing or not a request of this browser session
    REPLAYED = "replayed"  # the assertion was consumed already
    NO_SUBJECT = "no-subject"  # neither a persistent NameID nor ePPN / eduPersonTargetedID
    NO_ASSERTION = "no-assertion"  # a success without exactly one assertion
    SP_MISCONFIGURED = "sp-misconfigured"  # xmlsec1 missing, SP key unreadable, IdP metadata unusable


class SamlError(Exception):
    """A refused SAML message: ``kind`` says why, ``issuer`` who sent it (when known), ``detail`` the
    technical reason (for the audit log; the page shows the kind's explanation)."""

    def __init__(self, kind: Refusal, detail: str = "", issuer: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
        self.issuer = issuer


# -- settings -------------------------------------------------------------------------------------------


def base_url(settings: Mapping[str, Any]) -> str:
    return str(settings["BASE_URL"]).rstrip("/")


def sp_entity_id(settings: Mapping[str, Any]) -> str:
    """The SP's entity ID: ``SAML_SP_ENTITY_ID`` or the metadata's URL."""
    return settings["SAML_SP_ENTITY_ID"] or f"{base_url(settings)}/auth/saml/metadata"


def acs_url(settings: Mapping[str, Any]) -> str:
    return f"{base_url(settings)}/auth/saml/acs"


def sls_url(settings: Mapping[str, Any]) -> str:
    return f"{base_url(settings)}/auth/saml/sls"


def xmlsec_binary(settings: Mapping[str, Any]) -> str:
    """The xmlsec1 program: ``SAML_XMLSEC_BINARY`` or the one on PATH; SamlError when there is none."""
    configured = settings["SAML_XMLSEC_BINARY"]
    found = shutil.which(configured) if configured else shutil.which("xmlsec1")
    if not found:
        where = f"CHAIR_SAML_XMLSEC_BINARY={configured}" if configured else "xmlsec1 on PATH"
        raise SamlError(Refusal.SP_MISCONFIGURED, f"{where} not found: install the Debian package xmlsec1 "
                                                  "(apt-get install xmlsec1)")
    return found


def _settings_of(hub_or_settings: Hub | Mapping[str, Any]) -> Mapping[str, Any]:
    settings = getattr(hub_or_settings, "settings", None)
    return settings if settings is not None else hub_or_settings  # type: ignore[return-value]


def sp_config(settings: Mapping[str, Any], providers: Iterable[IdentityProvider] = ()) -> Any:
    """The pysaml2 SPConfig of the hub, trusting the metadata of ``providers`` (SAML rows only)."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import SPConfig

    try:
        keys = sp_keys(settings)
    except SpKeyError as exc:
        raise SamlError(Refusal.SP_MISCONFIGURED, str(exc)) from exc
    inline = [p.config.get("metadata_xml", "") for p in providers if p.protocol == Protocol.SAML]
    config: dict[str, Any] = {
        "entityid": sp_entity_id(settings),
        "xmlsec_binary": xmlsec_binary(settings),
        "key_file": keys.key_file,
        "cert_file": keys.cert_file,
        "encryption_keypairs": [{"key_file": keys.key_file, "cert_file": keys.cert_file}],
        "accepted_time_diff": int(settings["SSO_CLOCK_SKEW"]),
        "valid_for": METADATA_VALID_HOURS,
        "allow_unknown_attributes": True,
        "signing_algorithm": SIGN_ALG,
        "digest_algorithm": DIGEST_ALG,
        "metadata": {"inline": [xml for xml in inline if xml]},
        "service": {"sp": {
            "name": "CHAIR Hub",
            "endpoints": {
                "assertion_consumer_service": [(acs_url(settings), BINDING_HTTP_POST)],
                "single_logout_service": [(sls_url(settings), BINDING_HTTP_REDIRECT)],
            },
            "want_assertions_signed": True,
            "want_response_signed": False,
            "want_assertions_or_response_signed": False,
            "authn_requests_signed": True,
            "logout_requests_signed": True,
            "allow_unsolicited": False,
            "name_id_format": [NAMEID_PERSISTENT, NAMEID_TRANSIENT],
            "name_id_format_allow_create": True,
            "optional_attributes": list(REQUESTED_ATTRIBUTES),
        }},
    }
    if keys.next_cert_file:
        config["additional_cert_files"] = [keys.next_cert_file]
    conf = SPConfig()
    try:
        conf.load(config)
    except SamlError:
        raise
    except Exception as exc:
        raise SamlError(Refusal.SP_MISCONFIGURED, f"identity provider metadata unusable: {exc}") from exc
    return conf


def client(settings: Mapping[str, Any], providers: Iterable[IdentityProvider] = ()) -> Saml2Client:
    """A pysaml2 client (the SP) trusting ``providers``."""
    from saml2.client import Saml2Client

    return Saml2Client(config=sp_config(settings, providers))


# -- metadata -------------------------------------------------------------------------------------------


def sp_metadata(settings: Mapping[str, Any]) -> bytes:
    """The SP's metadata: signed with the SP key, valid for a week, both certificates during a rotation."""
    from saml2.metadata import entity_descriptor, sign_entity_descriptor
    from saml2.sigver import security_context

    conf = sp_config(settings)
    descriptor = entity_descriptor(conf)
    _, signed = sign_entity_descriptor(descriptor, None, security_context(conf), SIGN_ALG, DIGEST_ALG)
    text = signed if isinstance(signed, str) else str(signed)
    return text.encode("utf-8")


# -- sign-in --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginRequest:
    """An AuthnRequest on its way: its ID (kept as outstanding in the browser session) and the IdP URL."""

    request_id: str
    url: str


def login_redirect(settings: Mapping[str, Any], provider: IdentityProvider, relay_state: str = "") -> LoginRequest:
    """A signed AuthnRequest to ``provider`` over HTTP-Redirect."""
    from saml2 import BINDING_HTTP_REDIRECT

    sp = client(settings, [provider])
    try:
        request_id, info = sp.prepare_for_authenticate(entityid=provider.key, relay_state=relay_state,
                                                       binding=BINDING_HTTP_REDIRECT, sign=True, sigalg=SIGN_ALG,
                                                       digest_alg=DIGEST_ALG, nameid_format=NAMEID_PERSISTENT)
    except Exception as exc:
        raise SamlError(Refusal.SP_MISCONFIGURED, f"no HTTP-Redirect sign-in service in the metadata of "
                                                  f"{provider.key}: {exc}", provider.key) from exc
    return LoginRequest(str(request_id), dict(info["headers"])["Location"])


def _decode_post(message: str) -> bytes:
    """A base64 HTTP-POST message's XML; SamlError MALFORMED when it is not one."""
    if not message or len(message) > MAX_MESSAGE_BYTES * 4 // 3 + 4:
        raise SamlError(Refusal.MALFORMED, "empty or too large SAMLResponse")
    try:
        return base64.b64decode(message, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise SamlError(Refusal.MALFORMED, f"SAMLResponse is not base64: {exc}") from exc


def _decode_redirect(message: str) -> bytes:
    """An HTTP-Redirect message's XML (base64 of raw deflate)."""
    try:
        raw = base64.b64decode(message, validate=False)
        inflater = zlib.decompressobj(-15)
        xml = inflater.decompress(raw, MAX_MESSAGE_BYTES)
    except (binascii.Error, ValueError, zlib.error) as exc:
        raise SamlError(Refusal.MALFORMED, f"not a deflated SAML message: {exc}") from exc
    if inflater.unconsumed_tail:
        raise SamlError(Refusal.MALFORMED, "SAML message too large")
    return xml


@dataclass(frozen=True)
class Envelope:
    """What a message says about itself before any check: its kind, issuer(s), Destination, InResponseTo."""

    tag: str
    issuer: str
    assertion_issuers: tuple[str, ...]
    destination: str
    in_response_to: str
    status: str
    encrypted: bool


def peek(xml: bytes) -> Envelope:
    """Read a message's envelope with a hardened parser (no DTDs, no entities); nothing here is trusted
    until pysaml2 verified the signature, it only picks the provider whose metadata to load."""
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except Exception as exc:
        raise SamlError(Refusal.MALFORMED, f"not XML: {exc}") from exc
    tag = root.tag.rsplit("}", 1)[-1] if root.tag.startswith(f"{{{SAMLP}}}") else ""
    if not tag:
        raise SamlError(Refusal.MALFORMED, f"not a SAML protocol message: {root.tag[:80]}")
    issuer = (root.findtext(f"{{{SAML}}}Issuer") or "").strip()
    assertion_issuers = tuple((a.findtext(f"{{{SAML}}}Issuer") or "").strip() for a in root.iter(f"{{{SAML}}}Assertion"))
    status = root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode")
    return Envelope(tag, issuer or (assertion_issuers[0] if assertion_issuers else ""), assertion_issuers,
                    root.get("Destination", ""), root.get("InResponseTo", ""),
                    status.get("Value", "") if status is not None else "",
                    root.find(f"{{{SAML}}}EncryptedAssertion") is not None)


def find_provider(db: Session, entity_id: str) -> IdentityProvider:
    """The enabled SAML identity provider with ``entity_id``; SamlError UNKNOWN_ISSUER otherwise."""
    provider = db.scalar(select(IdentityProvider).where(IdentityProvider.key == entity_id,
                                                        IdentityProvider.protocol == Protocol.SAML))
    if provider is None or not provider.enabled or not provider.config.get("metadata_xml"):
        state = "unknown" if provider is None else "disabled" if not provider.enabled else "without metadata"
        raise SamlError(Refusal.UNKNOWN_ISSUER, f"identity provider {entity_id[:200]!r} is {state}", entity_id)
    return provider


def _classify(exc: BaseException) -> Refusal:
    """The refusal a pysaml2 exception stands for."""
    from saml2.response import IncorrectlySigned, StatusError, UnsolicitedResponse, VerificationError
    from saml2.sigver import MissingKey, SignatureError
    from saml2.validate import ResponseLifetimeExceed, ToEarly

    text = str(exc)
    if isinstance(exc, UnsolicitedResponse) or (isinstance(exc, VerificationError) and "Came from" in text):
        return Refusal.UNSOLICITED
    if isinstance(exc, (ResponseLifetimeExceed, ToEarly)):
        return Refusal.EXPIRED
    if isinstance(exc, MissingKey):
        return Refusal.UNKNOWN_ISSUER
    if isinstance(exc, SignatureError) and "missing" in text.lower():
        return Refusal.UNSIGNED
    if isinstance(exc, (SignatureError, IncorrectlySigned)):
        return Refusal.BAD_SIGNATURE
    if isinstance(exc, StatusError):
        return Refusal.IDP_ERROR
    if "AudienceRestriction" in text:
        return Refusal.WRONG_AUDIENCE
    if "recipient" in text.lower():
        return Refusal.WRONG_DESTINATION
    if "assertion" in text.lower() and ("Invalid number" in text or "Missing" in text):
        return Refusal.NO_ASSERTION
    return Refusal.MALFORMED


def _values(ava: Mapping[str, list[Any]], name: str) -> list[str]:
    found: list[str] = []
    lowered = {key.lower(): values for key, values in ava.items()}
    for alias in ATTRIBUTE_NAMES[name]:
        for value in lowered.get(alias.lower(), []):
            text = _text(value)
            if text and text not in found:
                found.append(text)
    return found


def _text(value: Any) -> str:
    """An attribute value as text (eduPersonTargetedID arrives as a NameID element or its dict)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return str(value.get("text") or "").strip()
    text = getattr(value, "text", None)
    return str(text).strip() if text else str(value).strip()


def _not_on_or_after(response: Any, skew: int) -> datetime:
    """Until when the assertion's ID must be remembered (its NotOnOrAfter plus the skew; five minutes
    when the assertion names no end)."""
    seconds = getattr(response, "not_on_or_after", 0) or 0
    end = datetime.fromtimestamp(seconds, UTC) if seconds else utcnow() + timedelta(minutes=5)
    return end + timedelta(seconds=skew)


def consume_assertion(db: Session, assertion_id: str, provider_id: int | None, expires_at: datetime,
                      issuer: str = "") -> None:
    """Record an assertion as consumed (flushed at once, so a concurrent replay in another process fails on
    the primary key); SamlError REPLAYED when it was consumed already. Expired rows are purged first."""
    if not assertion_id:
        raise SamlError(Refusal.NO_ASSERTION, "the assertion has no ID", issuer)
    db.execute(delete(UsedAssertion).where(UsedAssertion.expires_at <= utcnow()))
    if db.get(UsedAssertion, assertion_id[:255]) is not None:
        raise SamlError(Refusal.REPLAYED, f"assertion {assertion_id[:80]} was used already", issuer)
    nested = db.begin_nested()
    try:
        db.add(UsedAssertion(assertion_id=assertion_id[:255], provider_id=provider_id, expires_at=expires_at))
        nested.commit()
    except IntegrityError as exc:
        nested.rollback()
        raise SamlError(Refusal.REPLAYED, f"assertion {assertion_id[:80]} was used already", issuer) from exc


def verify_response(db: Session, settings: Mapping[str, Any], saml_response: str,
                    outstanding: Mapping[str, str]) -> tuple[IdentityProvider, FederatedIdentity, str]:
    """Verify an HTTP-POST SAMLResponse and consume its assertion; returns the provider, the identity and the
    ID of the request it answers (drop it from the outstanding ones). SamlError on any refusal."""
    from saml2 import BINDING_HTTP_POST

    xml = _decode_post(saml_response)
    envelope = peek(xml)
    if envelope.tag != "Response":
        raise SamlError(Refusal.MALFORMED, f"a {envelope.tag} was posted to the assertion consumer service")
    if any(issuer and issuer != envelope.issuer for issuer in envelope.assertion_issuers):
        raise SamlError(Refusal.ISSUER_MISMATCH, "the response and its assertion name different issuers",
                        envelope.issuer)
    provider = find_provider(db, envelope.issuer)
    issuer = provider.key
    if envelope.destination and envelope.destination != acs_url(settings):
        raise SamlError(Refusal.WRONG_DESTINATION, f"Destination {envelope.destination[:200]!r} is not "
                                                   f"{acs_url(settings)}", issuer)
    if envelope.status and not envelope.status.endswith(":Success"):
        raise SamlError(Refusal.IDP_ERROR, f"status {envelope.status}", issuer)
    if not envelope.in_response_to or envelope.in_response_to not in outstanding:
        raise SamlError(Refusal.UNSOLICITED, f"InResponseTo {envelope.in_response_to[:80]!r} is no request of "
                                             "this browser session", issuer)
    if outstanding[envelope.in_response_to] != provider.slug:
        raise SamlError(Refusal.UNSOLICITED, f"request {envelope.in_response_to[:80]} was sent to "
                                             f"{outstanding[envelope.in_response_to]}, not {provider.slug}", issuer)
    sp = client(settings, [provider])
    try:
        response = sp.parse_authn_request_response(saml_response, BINDING_HTTP_POST,
                                                   outstanding={envelope.in_response_to: provider.slug})
    except SamlError:
        raise
    except Exception as exc:
        raise SamlError(_classify(exc), f"{type(exc).__name__}: {str(exc)[:300]}", issuer) from exc
    if response is None or response.assertion is None:
        raise SamlError(Refusal.MALFORMED, "pysaml2 found no valid response (wrong Destination or IssueInstant)",
                        issuer)
    assertion = response.assertion
    if getattr(assertion, "signature", None) is None:
        raise SamlError(Refusal.UNSIGNED, "the assertion is not signed", issuer)  # pysaml2 checks it too
    if (assertion.issuer.text or "").strip() != issuer:
        raise SamlError(Refusal.ISSUER_MISMATCH, "the assertion's issuer is not the response's", issuer)
    if response.in_response_to != envelope.in_response_to:
        raise SamlError(Refusal.UNSOLICITED, "InResponseTo changed", issuer)
    identity = build_identity(provider, response)
    consume_assertion(db, str(assertion.id), provider.id,
                      _not_on_or_after(response, int(settings["SSO_CLOCK_SKEW"])), issuer)
    return provider, identity, envelope.in_response_to


def build_identity(provider: IdentityProvider, response: Any) -> FederatedIdentity:
    """The FederatedIdentity of a verified response: subject from the persistent NameID, or
    eduPersonPrincipalName / eduPersonTargetedID when the NameID is transient (or another format)."""
    ava: Mapping[str, list[Any]] = response.ava or {}
    name_id = response.name_id
    name_value = (getattr(name_id, "text", "") or "").strip()
    name_format = getattr(name_id, "format", "") or ""
    eppn = _values(ava, "eduPersonPrincipalName")
    targeted = _values(ava, "eduPersonTargetedID")
    if name_value and name_format == NAMEID_PERSISTENT:
        subject = name_value
    elif eppn:
        subject = eppn[0]
    elif targeted:
        subject = targeted[0]
    else:
        raise SamlError(Refusal.NO_SUBJECT, f"NameID format {name_format or '(none)'} without "
                                            "eduPersonPrincipalName or eduPersonTargetedID", provider.key)
    mail = _values(ava, "mail")
    names = _values(ava, "displayName")
    session_index = ""
    for statement in getattr(response.assertion, "authn_statement", []) or []:
        session_index = statement.session_index or session_index
    attributes = {key: [_text(v) for v in values] for key, values in ava.items()}
    return FederatedIdentity(
        method=SignInMethod.SAML, provider_key=provider.key, subject=subject[:512],
        email=mail[0] if mail else "", display_name=names[0] if names else "",
        username_hint=eppn[0] if eppn else "",
        scoped_affiliations=tuple(_values(ava, "eduPersonScopedAffiliation")),
        entitlements=tuple(_values(ava, "eduPersonEntitlement")),
        attributes=attributes,
        logout={"name_id": name_value, "name_id_format": name_format,
                "name_qualifier": getattr(name_id, "name_qualifier", "") or "",
                "sp_name_qualifier": getattr(name_id, "sp_name_qualifier", "") or "",
                "session_index": session_index},
    )


# -- single logout --------------------------------------------------------------------------------------


def _name_id(logout_info: Mapping[str, Any]) -> Any:
    from saml2.saml import NameID

    return NameID(text=str(logout_info.get("name_id") or ""), format=logout_info.get("name_id_format") or None,
                  name_qualifier=logout_info.get("name_qualifier") or None,
                  sp_name_qualifier=logout_info.get("sp_name_qualifier") or None)


def slo_location(settings: Mapping[str, Any], provider: IdentityProvider) -> str:
    """The provider's HTTP-Redirect single logout URL, or "" when its metadata has none."""
    from saml2 import BINDING_HTTP_REDIRECT

    try:
        conf = sp_config(settings, [provider])
        services = conf.metadata.single_logout_service(provider.key, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:
        return ""
    return str(services[0]["location"]) if services else ""


def logout_redirect(hub_or_settings: Hub | Mapping[str, Any], provider: IdentityProvider,
                    logout_info: Mapping[str, Any], relay_state: str = "") -> str:
    """The URL of a signed SP-initiated LogoutRequest (HTTP-Redirect) for a SAML session; "" when the
    provider offers no single logout or the session kept no NameID (the hub session ends either way)."""
    from saml2 import BINDING_HTTP_REDIRECT

    settings = _settings_of(hub_or_settings)
    destination = slo_location(settings, provider)
    if not destination or not logout_info.get("name_id"):
        return ""
    sp = client(settings, [provider])
    session_index = logout_info.get("session_index")
    request_id, request = sp.create_logout_request(destination, provider.key, name_id=_name_id(logout_info),
                                                   session_indexes=[session_index] if session_index else None,
                                                   sign=False, expire=None)
    info = sp.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, relay_state, sign=True,
                            sigalg=SIGN_ALG)
    return str(dict(info["headers"])["Location"])


class LogoutKind(StrEnum):
    """What arrived at the single logout service."""

    REQUEST = "request"  # the IdP asks us to end the user's sessions
    RESPONSE = "response"  # the IdP answers our LogoutRequest


@dataclass(frozen=True)
class LogoutResult:
    """A verified logout message: its kind, the provider, the NameID and SessionIndexes a LogoutRequest
    names, and for a request the URL of our signed LogoutResponse."""

    kind: LogoutKind
    provider: IdentityProvider
    name_id: str = ""
    session_indexes: tuple[str, ...] = ()
    redirect: str = ""
    success: bool = True


def handle_logout(db: Session, settings: Mapping[str, Any], args: Mapping[str, str]) -> LogoutResult:
    """Verify an HTTP-Redirect SAMLRequest (LogoutRequest) or SAMLResponse (LogoutResponse) and its
    signature (the query-string signature of the binding, with the issuer's metadata keys)."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.samlp import STATUS_SUCCESS

    message = args.get("SAMLRequest") or args.get("SAMLResponse") or ""
    if not message:
        raise SamlError(Refusal.MALFORMED, "neither SAMLRequest nor SAMLResponse")
    envelope = peek(_decode_redirect(message))
    provider = find_provider(db, envelope.issuer)
    if envelope.destination and envelope.destination != sls_url(settings):
        raise SamlError(Refusal.WRONG_DESTINATION, f"Destination {envelope.destination[:200]!r}", provider.key)
    if not args.get("Signature"):
        raise SamlError(Refusal.UNSIGNED, "logout message without a signature", provider.key)
    sp = client(settings, [provider])
    query = {key: args[key] for key in ("SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature")
             if key in args}
    relay_state = args.get("RelayState", "")
    _verify_redirect_signature(sp, provider, query)
    try:
        if envelope.tag == "LogoutRequest":
            request = sp.parse_logout_request(message, BINDING_HTTP_REDIRECT, relay_state=relay_state,
                                              sigalg=args.get("SigAlg"), signature=args.get("Signature"))
            if request is None:
                raise SamlError(Refusal.BAD_SIGNATURE, "LogoutRequest did not verify", provider.key)
            msg = request.message
            name_id = (msg.name_id.text or "").strip() if msg.name_id is not None else ""
            indexes = tuple((s.text or "").strip() for s in (msg.session_index or []))
            response = sp.create_logout_response(msg, [BINDING_HTTP_REDIRECT], status=None, sign=False)
            destination = slo_location(settings, provider)
            info = sp.apply_binding(BINDING_HTTP_REDIRECT, str(response), destination, relay_state, response=True,
                                    sign=True, sigalg=SIGN_ALG)
            return LogoutResult(LogoutKind.REQUEST, provider, name_id, indexes,
                                str(dict(info["headers"])["Location"]))
        if envelope.tag == "LogoutResponse":
            parsed = sp.parse_logout_request_response(message, BINDING_HTTP_REDIRECT)
            if parsed is None:
                raise SamlError(Refusal.BAD_SIGNATURE, "LogoutResponse did not verify", provider.key)
            return LogoutResult(LogoutKind.RESPONSE, provider, success=envelope.status == STATUS_SUCCESS)
    except SamlError:
        raise
    except Exception as exc:
        raise SamlError(_classify(exc), f"{type(exc).__name__}: {str(exc)[:300]}", provider.key) from exc
    raise SamlError(Refusal.MALFORMED, f"a {envelope.tag} was sent to the single logout service", provider.key)


def _verify_redirect_signature(sp: Any, provider: IdentityProvider, query: Mapping[str, str]) -> None:
    """Check an HTTP-Redirect binding's query-string signature against the provider's signing keys."""
    from saml2.sigver import verify_redirect_signature

    saml_msg = dict(query)
    certs = [cert for _, cert in sp.metadata.certs(provider.key, "idpsso", "signing")]
    for cert in certs:
        try:
            if verify_redirect_signature(saml_msg, sp.sec.sec_backend, cert=cert):
                return
        except Exception:  # a key that does not fit: try the next
            continue
    raise SamlError(Refusal.BAD_SIGNATURE, "the query-string signature does not verify", provider.key)

