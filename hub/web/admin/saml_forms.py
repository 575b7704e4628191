"""The SAML half of the identity providers page (hub administrators): "Add a SAML identity provider" (its
metadata from a URL or pasted) and "Add or refresh a federation" (a signed metadata aggregate such as
CARSI's), the list of federations and their "Refresh now" button.

The same functions as ``chair sso add-saml`` and ``chair sso federation`` (:mod:`hub.accounts.
federation_metadata`). The web forms read metadata from http(s) URLs only (through the hub's HTTP client and
its address rules), never a path on the server. Every refusal (unreadable metadata; an aggregate unsigned,
expired or signed with another key; a taken slug; an unknown member) is the form again with a message in the
page's language (HTTP 422) and nothing stored: a federation's aggregate is verified before the federation is
added or changed. Each change is an audit entry naming the administrator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.audit import log_action
from hub.accounts.federation_metadata import (
    AggregateError,
    AggregateProblem,
    IdpEntry,
    add_saml_provider,
    add_source,
    check_certificate,
    expiry_problem,
    is_url,
    load_aggregate,
    parse_idp_metadata,
    parse_mapping,
    read_idp_metadata,
    read_location,
    refresh_source,
)
from hub.accounts.permissions import Action
from hub.accounts.providers import DOMAIN, SLUG, parse_provisioning
from hub.models import Institution
from hub.models.federation import FederationSource, IdentityProvider
from hub.web.admin import bp, hub
from hub.web.admin.auth import client_ip, current_user, login_required, require

SAML_FIELDS = ("slug", "metadata_url", "member", "scopes", "provisioning", "name_zh", "name_en")
FEDERATION_FIELDS = ("name", "url", "refresh_hours")
MAX_PASTED = 1024 * 1024  # one IdP's metadata is a few kilobytes; an aggregate goes in a federation
MAX_CERTIFICATE = 64 * 1024
MAX_MAPPING = 64 * 1024


@dataclass(frozen=True)
class FormError:
    """What the form says when it refuses: ``message`` in the page's language, ``detail`` the technical
    reason (as the CLI prints it) when there is one."""

    message: str
    detail: str = ""


def page_context(forms: dict[str, Any]) -> dict[str, Any]:
    """The SAML forms' part of the page: their values and errors, and the federations."""
    sources = list(g.db.scalars(select(FederationSource).order_by(FederationSource.name)).all())
    return {
        "saml": forms.get("saml") or {"provisioning": "pending"},
        "saml_error": forms.get("saml_error"),
        "federation": forms.get("federation") or {"refresh_hours": str(hub().settings.FEDERATION_REFRESH_HOURS)},
        "federation_error": forms.get("federation_error"),
        "refresh_error": forms.get("refresh_error"),
        "federations": [(source, expiry_problem(source)) for source in sources],
    }


def aggregate_message(exc: AggregateError) -> FormError:
    """A refused metadata or aggregate, told in the page's language (the reason's detail beside it)."""
    messages = {
        AggregateProblem.UNREADABLE: gettext("The metadata could not be read from this address."),
        AggregateProblem.MALFORMED: gettext("This is not usable SAML metadata."),
        AggregateProblem.UNSIGNED: gettext("The aggregate is not signed: the hub refused it."),
        AggregateProblem.BAD_SIGNATURE: gettext("The aggregate's signature does not verify with the signing "
                                                "certificate given (altered, or signed with another key): the "
                                                "hub refused it."),
        AggregateProblem.EXPIRED: gettext("The metadata has expired (its validUntil has passed): the hub refused "
                                          "it."),
        AggregateProblem.BAD_CERTIFICATE: gettext("The signing certificate is not a PEM certificate."),
        AggregateProblem.XMLSEC_MISSING: gettext("xmlsec1 is not installed on the hub: signatures cannot be "
                                                 "checked."),
    }
    return FormError(messages[exc.kind], str(exc))


def _member(slug: str) -> Institution | None:
    return g.db.scalar(select(Institution).where(Institution.slug == slug, Institution.removed_at.is_(None)))


def _scope_owner(scopes: list[str], institution_id: int | None, slug: str) -> tuple[str, str] | None:
    """(scope, provider slug) when another member's provider owns one of ``scopes`` (the registry's rule)."""
    if institution_id is None:
        return None
    for other in g.db.scalars(select(IdentityProvider).where(IdentityProvider.slug != slug)).all():
        if other.institution_id is None or other.institution_id == institution_id:
            continue
        taken = sorted(set(other.scopes or []) & set(scopes))
        if taken:
            return taken[0], other.slug
    return None


def _saml_refused(form: dict[str, str], error: FormError, xml: str):
    from hub.web.admin.identity_providers import _page

    g.db.rollback()
    return _page({"provisioning": "pending"}, "", 422, saml={**form, "metadata_xml": xml}, saml_error=error)


@bp.post("/identity-providers/saml")
@login_required
def identity_provider_add_saml():
    """Add a SAML identity provider from its metadata (a URL, or the XML pasted), as ``chair sso add-saml``."""
    require(Action.MANAGE_PROVIDERS)
    form = {name: request.form.get(name, "").strip()[:1024] for name in SAML_FIELDS}
    xml = request.form.get("metadata_xml", "").strip()
    scopes = [s.strip().lower().lstrip("@") for s in re.split(r"[\s,;]+", form["scopes"]) if s.strip()]
    if not SLUG.match(form["slug"]):
        return _saml_refused(form, FormError(gettext("The slug must be 2 to 63 lower-case letters, digits and -, "
                                                     "starting with a letter or digit.")), xml)
    if g.db.scalar(select(IdentityProvider.id).where(IdentityProvider.slug == form["slug"])) is not None:
        return _saml_refused(form, FormError(gettext("There is already an identity provider %(slug)s.",
                                                     slug=form["slug"])), xml)
    member = _member(form["member"]) if form["member"] else None
    if form["member"] and member is None:
        return _saml_refused(form, FormError(gettext("There is no member %(slug)s.", slug=form["member"])), xml)
    bad_scope = next((s for s in scopes if not DOMAIN.match(s)), None)
    if bad_scope is not None:
        return _saml_refused(form, FormError(gettext("%(scope)s is not a domain such as univ-a.edu.cn.",
                                                     scope=bad_scope)), xml)
    if form["provisioning"] not in ("", "active", "pending"):
        return _saml_refused(form, FormError(gettext("Choose what a first sign-in makes.")), xml)
    if bool(xml) == bool(form["metadata_url"]):
        return _saml_refused(form, FormError(gettext("Give the metadata's URL or paste the metadata, one of the "
                                                     "two.")), xml)
    if form["metadata_url"] and not is_url(form["metadata_url"]):
        return _saml_refused(form, FormError(gettext("The metadata's address must be an http or https URL.")), xml)
    if len(xml) > MAX_PASTED:
        return _saml_refused(form, FormError(gettext("The pasted metadata is too large for one identity provider: "
                                                     "register a federation instead.")), xml[:MAX_PASTED])
    try:
        entry: IdpEntry = (read_idp_metadata(hub(), form["metadata_url"]) if form["metadata_url"]
                           else parse_idp_metadata(xml.encode("utf-8"), "the pasted metadata"))
    except AggregateError as exc:
        return _saml_refused(form, aggregate_message(exc), xml)
    if g.db.scalar(select(IdentityProvider.slug).where(IdentityProvider.key == entry.entity_id)) is not None:
        return _saml_refused(form, FormError(gettext("An identity provider with the entity ID %(entity)s is "
                                                     "registered already.", entity=entry.entity_id)), xml)
    owner = _scope_owner(list(scopes or entry.scopes), member.id if member else None, form["slug"])
    if owner is not None:
        return _saml_refused(form, FormError(gettext("The scope %(scope)s is owned by the provider %(provider)s of "
                                                     "another member.", scope=owner[0], provider=owner[1])), xml)
    try:
        provider = add_saml_provider(
            g.db, entry, slug=form["slug"], member=member.slug if member else None, scopes=scopes,
            provisioning=parse_provisioning(form["provisioning"] or "pending"), name_zh=form["name_zh"][:255],
            name_en=form["name_en"][:255], actor=current_user(), ip=client_ip())
    except (ValueError, LookupError) as exc:  # what the checks above did not foresee
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        return _saml_refused(form, FormError(gettext("The hub refused this identity provider."), str(message)), xml)
    g.db.commit()
    flash(gettext("SAML identity provider %(slug)s added (%(entity)s).", slug=provider.slug, entity=entry.entity_id))
    return redirect(url_for("admin.identity_providers"))


def _federation_refused(form: dict[str, str], error: FormError, certificate: str, mapping: str):
    from hub.web.admin.identity_providers import _page

    g.db.rollback()
    return _page({"provisioning": "pending"}, "", 422, federation={**form, "certificate": certificate,
                                                                   "mapping": mapping}, federation_error=error)


def source_view(source: FederationSource) -> dict[str, Any]:
    """What the audit log keeps of a federation (the certificate as its SHA-256 fingerprint)."""
    import hashlib

    return {"name": source.name, "location": source.location, "refresh_hours": source.refresh_hours,
            "certificate_sha256": hashlib.sha256(source.certificate.encode("ascii", "replace")).hexdigest()}


@bp.post("/identity-providers/federations")
@login_required
def federation_add():
    """Add a federation or change one (found by name) and refresh it now, as ``chair sso federation``. The
    aggregate is read and verified first: a refused one stores nothing."""
    require(Action.MANAGE_PROVIDERS)
    form = {name: request.form.get(name, "").strip()[:1024] for name in FEDERATION_FIELDS}
    certificate = request.form.get("certificate", "").strip()[:MAX_CERTIFICATE]
    mapping_text = request.form.get("mapping", "")[:MAX_MAPPING]

    def refused(error: FormError):
        return _federation_refused(form, error, certificate, mapping_text)

    name = form["name"][:128]
    if not name:
        return refused(FormError(gettext("Give the federation a name (CARSI, say).")))
    existing = g.db.scalar(select(FederationSource).where(FederationSource.name == name))
    location = form["url"] or (existing.location if existing is not None else "")
    if not location:
        return refused(FormError(gettext("Give the address (URL) of the federation's metadata aggregate.")))
    if form["url"] and not is_url(form["url"]):
        return refused(FormError(gettext("The aggregate's address must be an http or https URL.")))
    certificate = certificate or (existing.certificate if existing is not None else "")
    if not certificate:
        return refused(FormError(gettext("Paste the certificate the federation signs its aggregate with (PEM).")))
    try:
        hours = int(form["refresh_hours"] or hub().settings.FEDERATION_REFRESH_HOURS)
    except ValueError:
        hours = 0
    if not 1 <= hours <= 24 * 365:
        return refused(FormError(gettext("Refresh every: a whole number of hours, at least 1.")))
    lines = [line.strip() for line in mapping_text.splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        scope, sep, slug = line.partition("=")
        if not sep or not scope.strip() or not slug.strip():
            return refused(FormError(gettext("Line %(n)s of the member mappings is not SCOPE=MEMBER "
                                             "(univ-a.edu.cn=univ-a).", n=number), line[:200]))
        if _member(slug.strip()) is None:
            return refused(FormError(gettext("There is no member %(slug)s (line %(n)s of the member mappings).",
                                             slug=slug.strip()[:64], n=number)))
    mapping = parse_mapping(lines)
    try:
        certificate = check_certificate(certificate)
        data = read_location(hub(), location)
        aggregate = load_aggregate(hub().settings, data, certificate)  # verified before anything is stored
    except AggregateError as exc:
        return refused(aggregate_message(exc))
    before = source_view(existing) if existing is not None else None
    try:
        source = add_source(g.db, name, location, certificate, hours)
        result = refresh_source(hub(), g.db, source, mapping=mapping, verified=aggregate, actor=current_user(),
                                ip=client_ip())
    except (ValueError, LookupError, AggregateError) as exc:
        return refused(FormError(gettext("The hub refused this federation."), str(exc)))
    log_action(g.db, current_user(), "sso.federation-add" if before is None else "sso.federation-change",
               target_type="federation", target_id=source.id, before=before, after=source_view(source),
               ip=client_ip(), note=result.summary())
    g.db.commit()
    flash(gettext("Federation %(name)s refreshed: %(added)s added, %(updated)s updated, %(disabled)s disabled, "
                  "%(unassigned)s without a member.", name=source.name, added=len(result.added),
                  updated=len(result.updated), disabled=len(result.disabled), unassigned=len(result.unassigned)))
    return redirect(url_for("admin.identity_providers"))


@bp.post("/identity-providers/federations/refresh")
@login_required
def federation_refresh():
    """Refresh a federation now (form field ``source``: its id), as the scheduler does: a refused aggregate
    changes no provider and is kept as the federation's last error."""
    require(Action.MANAGE_PROVIDERS)
    try:
        source_id = int(request.form.get("source", ""))
    except ValueError:
        from hub.web.admin.identity_providers import _page

        return _page({"provisioning": "pending"}, "", 422,
                     refresh_error=FormError(gettext("Choose a federation to refresh.")))
    source = g.db.get(FederationSource, source_id)
    if source is None:
        abort(404)
    result = refresh_source(hub(), g.db, source, actor=current_user(), ip=client_ip())
    g.db.commit()  # the attempt and its error are kept, as the scheduler keeps them
    if result.error:
        flash(gettext("Federation %(name)s was not refreshed: its aggregate was refused (the providers stay as "
                      "they were).", name=source.name) + " " + result.error, "error")
    else:
        flash(gettext("Federation %(name)s refreshed: %(added)s added, %(updated)s updated, %(disabled)s "
                      "disabled, %(unassigned)s without a member.", name=source.name, added=len(result.added),
                      updated=len(result.updated), disabled=len(result.disabled),
                      unassigned=len(result.unassigned)))
    return redirect(url_for("admin.identity_providers"))


@bp.get("/identity-providers/saml")
@bp.get("/identity-providers/federations")
@bp.get("/identity-providers/federations/refresh")
@login_required
def identity_provider_forms_page():
    """The forms' addresses opened directly (the language switch of a refused form's page): the page."""
    require(Action.MANAGE_PROVIDERS)
    lang = request.args.get("lang", "")
    target = url_for("admin.identity_providers", lang=lang) if lang in ("zh", "en") else \
        url_for("admin.identity_providers")
    return redirect(target)
