"""Federation metadata aggregates (CARSI and the like): read, verify, and turned into identity providers.

An aggregate is one signed ``md:EntitiesDescriptor`` listing the federation's members. A refresh reads it
(a URL through the hub's HTTP client, or a file), refuses it unless it is signed by the source's configured
certificate (xmlsec1, through pysaml2's xmlsec backend; the signature must be the root's own, enveloped,
referencing the root's ID) and its ``validUntil`` is in the future, and only then upserts one SAML
:class:`~hub.models.federation.IdentityProvider` per ``IDPSSODescriptor``: entity ID, names from
``mdui:DisplayName`` (zh and en), scopes from ``shibmd:Scope`` and the entity's own metadata. Providers of
the source no longer listed are disabled, never deleted (their accounts' links stay); a provider added by
hand or by another federation is left as it is, even when listed. A refused aggregate
changes nothing but ``FederationSource.last_error``: the stored providers stay as they were.

Which member a federation provider belongs to: an explicit mapping (scope -> member slug, ``chair sso
federation --member``) first, else the member whose website host or contact e-mail domain is the scope or
ends with ``.<scope>``; an assignment made once is kept by later refreshes. Providers matching no member
stay hub-wide (``institution_id`` None: they sign nobody into a member until assigned).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action
from hub.models import Institution, utcnow
from hub.models.federation import FederationSource, IdentityProvider, Protocol, Provisioning

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"
SHIBMD = "urn:mace:shibboleth:metadata:1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_AGGREGATE_BYTES = 256 * 1024 * 1024  # CARSI's is tens of megabytes; eduGAIN's about a hundred
SLUG_MAX = 64


class AggregateProblem(StrEnum):
    """Why an aggregate was refused (kept on FederationSource.last_error, shown by doctor and the CLI)."""

    UNREADABLE = "unreadable"  # the URL or file could not be read
    MALFORMED = "malformed"  # not XML, not an EntitiesDescriptor, a DTD
    UNSIGNED = "unsigned"  # no enveloped signature of the root
    BAD_SIGNATURE = "bad-signature"  # a signature that does not verify with the configured certificate
    EXPIRED = "expired"  # validUntil in the past
    BAD_CERTIFICATE = "bad-certificate"  # the configured certificate is not a PEM certificate
    XMLSEC_MISSING = "xmlsec-missing"


class AggregateError(Exception):
    """A refused aggregate; ``kind`` says why."""

    def __init__(self, kind: AggregateProblem, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.args[0]}"


@dataclass(frozen=True)
class IdpEntry:
    """One identity provider of an aggregate."""

    entity_id: str
    name_zh: str
    name_en: str
    scopes: tuple[str, ...]
    metadata_xml: str


@dataclass
class Aggregate:
    """A verified aggregate: its validUntil and identity providers."""

    valid_until: datetime | None
    providers: list[IdpEntry] = field(default_factory=list)


@dataclass
class RefreshResult:
    """What a refresh did (or the error that refused the aggregate, nothing else changed then)."""

    source: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    unassigned: list[str] = field(default_factory=list)
    error: str = ""

    def summary(self) -> str:
        if self.error:
            return f"federation {self.source}: refused, {self.error} (stored providers unchanged)"
        return (f"federation {self.source}: {len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.disabled)} disabled, {len(self.unassigned)} without a member")


# -- reading and verifying ------------------------------------------------------------------------------


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def read_location(hub: Hub, location: str) -> bytes:
    """The bytes at ``location``: an http(s) URL read through the hub's HTTP client (address checks,
    deadline, byte cap), or a file path; AggregateError UNREADABLE otherwise."""
    if is_url(location):
        from hub.http import HarvestError

        client = hub.http()
        try:
            result = client.get(location, max_bytes=MAX_AGGREGATE_BYTES,
                                headers={"Accept": "application/samlmetadata+xml, application/xml"})
            result.raise_for_status()
        except HarvestError as exc:
            raise AggregateError(AggregateProblem.UNREADABLE, str(exc)) from exc
        finally:
            client.close()
        return result.body
    try:
        path = Path(location.removeprefix("file://"))
        if path.stat().st_size > MAX_AGGREGATE_BYTES:
            raise AggregateError(AggregateProblem.UNREADABLE, f"{location} is larger than {MAX_AGGREGATE_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise AggregateError(AggregateProblem.UNREADABLE, f"{location}: {exc.strerror or exc}") from exc


def parse_xml(data: bytes) -> etree._Element:
    """Parse metadata with a hardened parser (no DTD, no entities, no network); AggregateError MALFORMED."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             remove_comments=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise AggregateError(AggregateProblem.MALFORMED, f"not XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise AggregateError(AggregateProblem.MALFORMED, "metadata must not carry a DOCTYPE")
    return root


def parse_time(value: str | None) -> datetime | None:
    """An xs:dateTime as an aware UTC datetime (None when absent); AggregateError MALFORMED when unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise AggregateError(AggregateProblem.MALFORMED, f"validUntil {value!r} is not a date and time") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def check_certificate(pem: str) -> str:
    """The PEM certificate text, stripped; AggregateError BAD_CERTIFICATE when it is not one."""
    from cryptography import x509

    try:
        x509.load_pem_x509_certificate(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise AggregateError(AggregateProblem.BAD_CERTIFICATE, f"not a PEM certificate: {exc}") from exc
    return pem.strip() + "\n"


def _enveloped_signature(root: etree._Element) -> etree._Element:
    """The root's own signature: the first ds:Signature of the document, a child of the root, with one
    Reference to the root's ID (so a signature elsewhere cannot vouch for the root: no wrapping)."""
    ident = root.get("ID") or ""
    first = next(root.iter(f"{{{DS}}}Signature"), None)
    if first is None:
        raise AggregateError(AggregateProblem.UNSIGNED, "the aggregate carries no signature")
    if first.getparent() is not root or not ident:
        raise AggregateError(AggregateProblem.UNSIGNED, "the aggregate's root is not signed (a signature "
                                                        "inside it does not cover the whole aggregate)")
    references = first.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if len(references) != 1 or references[0].get("URI") not in (f"#{ident}", ""):
        raise AggregateError(AggregateProblem.BAD_SIGNATURE, "the signature does not reference the aggregate's ID")
    return first


def verify_signature(settings: Mapping[str, Any], data: bytes, root: etree._Element, certificate: str) -> None:
    """Verify the aggregate's enveloped signature with ``certificate`` only (xmlsec1 by way of pysaml2)."""
    from saml2.sigver import CryptoBackendXmlSec1, XmlsecError

    from hub.accounts.saml import SamlError, xmlsec_binary

    _enveloped_signature(root)
    try:
        backend = CryptoBackendXmlSec1(xmlsec_binary(settings))
    except SamlError as exc:
        raise AggregateError(AggregateProblem.XMLSEC_MISSING, exc.detail) from exc
    fd, cert_file = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(check_certificate(certificate))
        try:
            backend.validate_signature(data, cert_file, "pem", f"{MD}:EntitiesDescriptor", root.get("ID"))
        except XmlsecError as exc:
            raise AggregateError(AggregateProblem.BAD_SIGNATURE,
                                 "the signature does not verify with the configured certificate") from exc
    finally:
        os.unlink(cert_file)


def _names(entity: etree._Element) -> tuple[str, str]:
    """(zh, en) display names: mdui:DisplayName, else md:OrganizationDisplayName."""
    found: dict[str, str] = {}
    for path in (f".//{{{MDUI}}}DisplayName", f"{{{MD}}}Organization/{{{MD}}}OrganizationDisplayName"):
        for element in entity.iterfind(path):
            lang = (element.get(XML_LANG) or "").lower()
            text = " ".join((element.text or "").split())
            if text:
                key = "zh" if lang.startswith("zh") else "en" if lang.startswith("en") or not lang else ""
                if key and key not in found:
                    found[key] = text
    return found.get("zh", ""), found.get("en", "")


def parse_entities(root: etree._Element) -> list[IdpEntry]:
    """The identity providers of a verified EntitiesDescriptor (nested ones included)."""
    entries: list[IdpEntry] = []
    for entity in root.iter(f"{{{MD}}}EntityDescriptor"):
        idp = entity.find(f"{{{MD}}}IDPSSODescriptor")
        entity_id = (entity.get("entityID") or "").strip()
        if idp is None or not entity_id:
            continue
        scopes = [" ".join((s.text or "").split()).lower() for s in entity.iter(f"{{{SHIBMD}}}Scope")
                  if s.get("regexp", "false").lower() != "true"]
        name_zh, name_en = _names(entity)
        copy = etree.fromstring(etree.tostring(entity))
        for signature in copy.findall(f"{{{DS}}}Signature"):
            copy.remove(signature)  # an entity's own signature no longer verifies out of its aggregate
        entries.append(IdpEntry(entity_id, name_zh[:255], name_en[:255], tuple(dict.fromkeys(s for s in scopes if s)),
                                etree.tostring(copy, encoding="unicode")))
    return entries


def load_aggregate(settings: Mapping[str, Any], data: bytes, certificate: str,
                   now: datetime | None = None) -> Aggregate:
    """Verify an aggregate's signature and validUntil and list its identity providers."""
    root = parse_xml(data)
    if root.tag != f"{{{MD}}}EntitiesDescriptor":
        raise AggregateError(AggregateProblem.MALFORMED, f"the root is {root.tag}, not md:EntitiesDescriptor")
    verify_signature(settings, data, root, certificate)
    valid_until = parse_time(root.get("validUntil"))
    if valid_until is not None and valid_until <= (now or utcnow()):
        raise AggregateError(AggregateProblem.EXPIRED, f"validUntil {valid_until.isoformat()} has passed: the "
                                                       "federation has not published a fresh aggregate")
    return Aggregate(valid_until, parse_entities(root))


# -- members --------------------------------------------------------------------------------------------


def member_domains(institution: Institution) -> set[str]:
    """The domains of a member's website host and contact e-mail, without ``www.``."""
    domains: set[str] = set()
    host = urlsplit(institution.website or "").hostname or ""
    if host:
        domains.add(host.lower().removeprefix("www."))
    if "@" in (institution.contact_email or ""):
        domains.add(institution.contact_email.rsplit("@", 1)[1].strip().lower())
    return domains


def match_member(db: Session, scopes: tuple[str, ...], mapping: Mapping[str, str]) -> Institution | None:
    """The member a federation provider belongs to: the explicit ``mapping`` (scope -> member slug), else the
    one member whose website or contact domain is a scope or a host within it (several: none, ambiguous)."""
    members = db.scalars(select(Institution).where(Institution.removed_at.is_(None))).all()
    by_slug = {m.slug: m for m in members}
    for scope in scopes:
        if scope in mapping:
            found = by_slug.get(mapping[scope])
            if found is None:
                raise LookupError(f"no member {mapping[scope]!r} (mapped from scope {scope})")
            return found
    matches = {m.id: m for m in members for scope in scopes for domain in member_domains(m)
               if domain == scope or domain.endswith(f".{scope}")}
    return next(iter(matches.values())) if len(matches) == 1 else None


# -- sources and refresh --------------------------------------------------------------------------------


def _slug_for(db: Session, entity_id: str, scopes: tuple[str, ...]) -> str:
    """A free provider slug from the first scope (or the entity ID's host): ``univ-a-edu-cn``."""
    import re

    base = scopes[0] if scopes else (urlsplit(entity_id).hostname or entity_id)
    base = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[: SLUG_MAX - 4] or "idp"
    if len(base) < 2:
        base = f"idp-{base}"
    slug, n = base, 2
    while db.scalar(select(IdentityProvider.id).where(IdentityProvider.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_source(db: Session, name: str, location: str, certificate: str, refresh_hours: int) -> FederationSource:
    """A new federation source, or the one named ``name`` with its location, certificate and period changed
    (a file's path made absolute)."""
    if not name.strip():
        raise ValueError("a federation needs a --name")
    if refresh_hours < 1:
        raise ValueError("--refresh-hours must be at least 1")
    certificate = check_certificate(certificate)
    if not is_url(location):  # the scheduler reads it later from wherever it runs
        location = str(Path(location.removeprefix("file://")).expanduser().resolve())
    source = db.scalar(select(FederationSource).where(FederationSource.name == name.strip()))
    if source is None:
        source = FederationSource(name=name.strip()[:128], location=location, certificate=certificate,
                                  refresh_hours=refresh_hours, last_error="", provider_count=0)
        db.add(source)
    else:
        source.location, source.certificate, source.refresh_hours = location, certificate, refresh_hours
    db.flush()
    return source


def refresh_source(hub: Hub, db: Session, source: FederationSource, *, mapping: Mapping[str, str] | None = None,
                   now: datetime | None = None, data: bytes | None = None, verified: Aggregate | None = None,
                   actor: Any = None, ip: str = "") -> RefreshResult:
    """Read, verify and apply ``source``'s aggregate (``data``: bytes already read; ``verified``: the aggregate
    already verified with the source's certificate, by :func:`load_aggregate`). A refused aggregate sets
    ``last_error`` and nothing else; the caller commits either way. ``actor`` and ``ip``: who asked (the admin
    area), for the audit entry; none for the CLI and the scheduler."""
    now = now or utcnow()
    result = RefreshResult(source.name)
    source.fetched_at = now  # the last attempt: the schedule waits refresh_hours whatever it found
    try:
        aggregate = verified or load_aggregate(
            hub.settings, data if data is not None else read_location(hub, source.location), source.certificate, now)
    except AggregateError as exc:
        source.last_error = result.error = str(exc)
        log_action(db, actor, "federation.refused", target_type="federation", target_id=source.id, note=str(exc),
                   ip=ip)
        return result
    apply_aggregate(db, source, aggregate, mapping or {}, result, now)
    source.valid_until = aggregate.valid_until
    source.provider_count = len(aggregate.providers)
    source.last_error = ""
    log_action(db, actor, "federation.refreshed", target_type="federation", target_id=source.id,
               note=result.summary(), ip=ip)
    return result


def apply_aggregate(db: Session, source: FederationSource, aggregate: Aggregate, mapping: Mapping[str, str],
                    result: RefreshResult, now: datetime) -> None:
    """Upsert a provider per listed IdP and disable the source's providers no longer listed."""
    listed = {entry.entity_id for entry in aggregate.providers}
    for entry in aggregate.providers:
        provider = db.scalar(select(IdentityProvider).where(IdentityProvider.key == entry.entity_id))
        if provider is not None and provider.protocol != Protocol.SAML:
            continue  # an OIDC issuer with the same URL: not ours to touch
        if provider is not None and provider.source_id != source.id:
            continue  # added by hand (chair sso add-saml) or by another federation: kept as it is
        member = match_member(db, entry.scopes, mapping)
        if provider is None:
            provider = IdentityProvider(slug=_slug_for(db, entry.entity_id, entry.scopes), protocol=Protocol.SAML,
                                        key=entry.entity_id, provisioning=Provisioning.PENDING, enabled=True,
                                        created_at=now)
            db.add(provider)
            result.added.append(entry.entity_id)
        else:
            result.updated.append(entry.entity_id)
            provider.enabled = True
        provider.source_id = source.id
        provider.name_zh, provider.name_en = entry.name_zh, entry.name_en
        provider.scopes = list(entry.scopes)
        provider.config = {**(provider.config or {}), "metadata_xml": entry.metadata_xml}
        explicit = any(scope in mapping for scope in entry.scopes)
        if member is not None and (explicit or provider.institution_id is None):
            provider.institution_id = member.id  # an explicit mapping wins; a match only fills a gap
        if provider.institution_id is None:
            result.unassigned.append(entry.entity_id)
        provider.updated_at = now
        db.flush()
    for provider in db.scalars(select(IdentityProvider).where(IdentityProvider.source_id == source.id,
                                                              IdentityProvider.enabled.is_(True))):
        if provider.key not in listed:
            provider.enabled = False
            provider.updated_at = now
            result.disabled.append(provider.key)


def refresh_due(hub: Hub, now: datetime | None = None) -> list[str]:
    """Refresh every source whose last attempt is ``refresh_hours`` old (the scheduler's tick calls it);
    one line per refresh."""
    now = now or utcnow()
    lines: list[str] = []
    with hub.db.session() as db:
        ids = [s.id for s in db.scalars(select(FederationSource).order_by(FederationSource.id))
               if s.fetched_at is None or now - s.fetched_at >= timedelta(hours=max(1, s.refresh_hours))]
    for source_id in ids:
        with hub.db.session() as db:
            source = db.get(FederationSource, source_id)
            if source is not None:
                lines.append(refresh_source(hub, db, source, now=now).summary())
    return lines


def expiry_problem(source: FederationSource, now: datetime | None = None) -> str:
    """Why a source's stored aggregate needs attention ("" when it does not): never fetched, the last refresh
    refused, validUntil passed or nearer than two refresh periods."""
    now = now or utcnow()
    if source.valid_until is not None and source.valid_until <= now:
        return f"metadata expired at {source.valid_until.isoformat()}: {source.last_error or 'refresh it'}"
    if source.last_error:
        return f"last refresh refused: {source.last_error}"
    if source.fetched_at is None or source.valid_until is None and source.provider_count == 0:
        return "never refreshed: run 'chair sso federation' or wait for the scheduler"
    if source.valid_until is not None and source.valid_until - now < timedelta(hours=2 * max(1, source.refresh_hours)):
        return f"metadata expires soon ({source.valid_until.isoformat()})"
    return ""


# -- one identity provider ------------------------------------------------------------------------------


def read_idp_metadata(hub: Hub, location: str) -> IdpEntry:
    """The one identity provider described by the metadata at ``location`` (an EntityDescriptor, or an
    EntitiesDescriptor holding a single IdP). The operator chose this file or URL, so no signature is required;
    an expired ``validUntil`` is refused all the same. AggregateError otherwise."""
    return parse_idp_metadata(read_location(hub, location), location)


def parse_idp_metadata(data: bytes, location: str = "the metadata") -> IdpEntry:
    """The one identity provider of metadata already read (pasted in the admin area, say); ``location`` names
    it in errors. As :func:`read_idp_metadata`."""
    root = parse_xml(data)
    if root.tag not in (f"{{{MD}}}EntityDescriptor", f"{{{MD}}}EntitiesDescriptor"):
        raise AggregateError(AggregateProblem.MALFORMED, f"the root is {root.tag}, not SAML metadata")
    valid_until = parse_time(root.get("validUntil"))
    if valid_until is not None and valid_until <= utcnow():
        raise AggregateError(AggregateProblem.EXPIRED, f"validUntil {valid_until.isoformat()} has passed")
    entries = parse_entities(root)
    if not entries:
        raise AggregateError(AggregateProblem.MALFORMED, f"{location} describes no identity provider "
                                                         "(no IDPSSODescriptor)")
    if len(entries) > 1:
        raise AggregateError(AggregateProblem.MALFORMED, f"{location} lists {len(entries)} identity providers: "
                                                         "register a federation with 'chair sso federation'")
    return entries[0]


def add_saml_provider(db: Session, entry: IdpEntry, *, slug: str, member: str | None = None,
                      scopes: tuple[str, ...] | list[str] = (), provisioning: Provisioning = Provisioning.PENDING,
                      name_zh: str = "", name_en: str = "", actor: Any = None, ip: str = "") -> IdentityProvider:
    """Register one SAML identity provider from its metadata (names and scopes from the metadata unless
    given). ValueError / LookupError for a bad slug, a taken slug or entity ID, a scope of another member."""
    from hub.accounts.providers import _check_scope_owners, check_scopes, check_slug, public_view
    from hub.members import get_institution

    check_slug(slug)
    owned = check_scopes(scopes or entry.scopes)
    institution_id = get_institution(db, member).id if member else None
    if db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug)) is not None:
        raise ValueError(f"identity provider {slug!r} already exists")
    if db.scalar(select(IdentityProvider).where(IdentityProvider.key == entry.entity_id)) is not None:
        raise ValueError(f"a provider with entity ID {entry.entity_id} already exists")
    _check_scope_owners(db, owned, institution_id, slug)
    provider = IdentityProvider(slug=slug, protocol=Protocol.SAML, key=entry.entity_id,
                                name_zh=(name_zh or entry.name_zh).strip(), name_en=(name_en or entry.name_en).strip(),
                                institution_id=institution_id, scopes=owned,
                                config={"metadata_xml": entry.metadata_xml}, provisioning=provisioning, enabled=True)
    db.add(provider)
    db.flush()
    log_action(db, actor, "sso.provider-add", target_type="provider", target_id=slug, institution_id=institution_id,
               after=public_view(provider), ip=ip)
    return provider


def parse_mapping(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``scope=member`` pairs (``--member univ-a.edu.cn=univ-a``) as a dict; ValueError for another form."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        scope, sep, slug = pair.partition("=")
        if not sep or not scope.strip() or not slug.strip():
            raise ValueError(f"--member takes SCOPE=MEMBER (univ-a.edu.cn=univ-a), not {pair!r}")
        mapping[scope.strip().lower()] = slug.strip()
    return mapping
