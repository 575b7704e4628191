"""The SAML 2.0 service provider's views: /auth/saml/...

- ``/auth/saml/metadata``: the SP metadata (signed, ``application/samlmetadata+xml``);
- ``/auth/saml/<slug>/login``: a signed AuthnRequest to the provider ``slug`` (HTTP-Redirect); its ID is kept
  in the Flask session as outstanding, so only an answer to it is accepted;
- ``/auth/saml/acs``: the assertion consumer service (HTTP-POST): :func:`hub.accounts.saml.verify_response`,
  then the account and the session (:func:`hub.web.auth.sign_in_response`);
- ``/auth/saml/sls``: single logout: a LogoutRequest of the IdP ends the hub sessions it names and is
  answered with a signed LogoutResponse; the LogoutResponse to our own request ends at the signed-out page;
- ``/auth/saml/logout``: where ``/auth/logout`` sends a SAML session: the signed LogoutRequest to its IdP.

Every refusal is a page in the visitor's language (HTTP 400, or 403 when trust failed) and an audit log
entry (``sso.error``) naming the IdP's entity ID and the refusal's kind; never a traceback.
"""

from __future__ import annotations

import time

from flask import Response, g, redirect, request, session, url_for
from flask_babel import gettext
from sqlalchemy import delete, select

from hub.accounts.audit import log_action
from hub.accounts.saml import (
    METADATA_CONTENT_TYPE,
    OUTSTANDING_KEPT,
    LogoutKind,
    Refusal,
    SamlError,
    handle_logout,
    login_redirect,
    logout_redirect,
    sp_metadata,
    verify_response,
)
from hub.models.accounts import AdminSession, SignInMethod
from hub.models.federation import IdentityProvider, Protocol
from hub.web.admin.auth import client_ip
from hub.web.auth import bp, error_page, hub, sign_in_response
from hub.web.auth.discovery import remember_choice
from hub.web.links import same_site_target

OUTSTANDING_KEY = "saml_outstanding"
ATTEMPT_SECONDS = 3600  # an AuthnRequest older than this is forgotten
# Trust failures answer 403, a request that cannot be read or belongs to no sign-in 400.
FORBIDDEN = {Refusal.UNKNOWN_ISSUER, Refusal.ISSUER_MISMATCH, Refusal.UNSIGNED, Refusal.BAD_SIGNATURE,
             Refusal.WRONG_AUDIENCE, Refusal.WRONG_DESTINATION, Refusal.REPLAYED, Refusal.IDP_ERROR}


def refusal_message(kind: Refusal) -> str:
    """What a refusal means to the person signing in, in the page's language."""
    return {
        Refusal.MALFORMED: gettext("The identity provider's answer could not be read. Start again from the "
                                   "sign-in page."),
        Refusal.UNKNOWN_ISSUER: gettext("The answer came from an identity provider the hub does not trust (unknown "
                                        "or disabled)."),
        Refusal.ISSUER_MISMATCH: gettext("The answer names two different identity providers: the hub refused it."),
        Refusal.IDP_ERROR: gettext("The identity provider did not sign you in (cancelled or refused)."),
        Refusal.UNSIGNED: gettext("The identity provider's assertion is not signed: the hub refused it."),
        Refusal.BAD_SIGNATURE: gettext("The signature of the identity provider's answer is not valid (altered or "
                                       "signed with another key): the hub refused it."),
        Refusal.WRONG_AUDIENCE: gettext("The identity provider's assertion was made for another service, not this "
                                        "hub."),
        Refusal.WRONG_DESTINATION: gettext("The identity provider's answer was addressed to another service, not "
                                           "this hub."),
        Refusal.EXPIRED: gettext("The identity provider's assertion has expired (or is not valid yet). Check the "
                                 "clock and start again from the sign-in page."),
        Refusal.UNSOLICITED: gettext("This answer does not belong to a sign-in started in this browser. Start "
                                     "again from the sign-in page."),
        Refusal.REPLAYED: gettext("This assertion was used already: the hub accepts each one only once. Start "
                                  "again from the sign-in page."),
        Refusal.NO_SUBJECT: gettext("The identity provider did not say who you are (no persistent identifier): "
                                    "ask your institution to release one to the hub."),
        Refusal.NO_ASSERTION: gettext("The identity provider's answer holds no usable assertion."),
        Refusal.SP_MISCONFIGURED: gettext("Sign-in through this identity provider is not set up correctly on the "
                                          "hub. Tell the hub's administrators."),
    }[kind]


def _refuse(exc: SamlError, slug: str = ""):
    """Record a refusal in the audit log (committed) and answer with its page."""
    g.db.rollback()
    log_action(g.db, g.get("user"), "sso.error", target_type="provider", target_id=(slug or exc.issuer)[:64],
               ip=client_ip(), after={"protocol": "saml", "entity_id": exc.issuer[:512], "provider": slug or None,
                                      "kind": exc.kind.value},
               note=exc.detail[:1000])
    g.db.commit()
    status = 503 if exc.kind == Refusal.SP_MISCONFIGURED else 403 if exc.kind in FORBIDDEN else 400
    return error_page(gettext("Sign-in failed"), refusal_message(exc.kind), status)


def _outstanding() -> dict[str, dict]:
    """This browser's AuthnRequests under way (ID -> provider slug, next URL, when sent), the stale ones
    dropped."""
    kept = session.get(OUTSTANDING_KEY)
    if not isinstance(kept, dict):
        return {}
    return {str(k): v for k, v in kept.items() if isinstance(v, dict)
            and time.time() - float(v.get("created") or 0) < ATTEMPT_SECONDS}


def _provider(slug: str) -> IdentityProvider | None:
    return g.db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug[:64],
                                                      IdentityProvider.protocol == Protocol.SAML,
                                                      IdentityProvider.enabled.is_(True)))


@bp.get("/saml/metadata", endpoint="saml_metadata")
def saml_metadata():
    """The SP metadata for identity providers and federations (signed, valid a week)."""
    try:
        body = sp_metadata(hub().settings)
    except SamlError as exc:
        return Response(f"SAML service provider not available: {exc.detail}\n", status=503,
                        mimetype="text/plain")
    return Response(body, mimetype=METADATA_CONTENT_TYPE,
                    headers={"Content-Disposition": 'inline; filename="chair-hub-sp.xml"'})


@bp.get("/saml/<slug>/login", endpoint="saml_login")
def saml_login(slug: str):
    """Send the browser to the provider ``slug`` with a signed AuthnRequest."""
    provider = _provider(slug)
    if provider is None:
        return error_page(gettext("Sign-in failed"), gettext("There is no such identity provider."), 404)
    try:
        started = login_redirect(hub().settings, provider)
    except SamlError as exc:
        return _refuse(exc, slug)
    outstanding = _outstanding()
    outstanding[started.request_id] = {"slug": slug, "created": time.time(),
                                       "next": same_site_target(request.args.get("next")) or ""}
    session[OUTSTANDING_KEY] = dict(list(outstanding.items())[-OUTSTANDING_KEPT:])
    return remember_choice(redirect(started.url), slug)


@bp.post("/saml/acs", endpoint="saml_acs")
def saml_acs():
    """The assertion consumer service: every check of :func:`verify_response`, then the account."""
    outstanding = _outstanding()
    try:
        provider, identity, answered = verify_response(g.db, hub().settings, request.form.get("SAMLResponse", ""),
                                                       {k: str(v.get("slug")) for k, v in outstanding.items()})
    except SamlError as exc:
        return _refuse(exc)
    attempt = outstanding.pop(answered, {})
    session[OUTSTANDING_KEY] = outstanding  # each request is answered once
    return sign_in_response(provider, identity, str(attempt.get("next") or ""))


@bp.get("/saml/logout", endpoint="saml_logout")
def saml_logout():
    """After /auth/logout ended a SAML session: the signed LogoutRequest to its identity provider."""
    slo = session.pop("slo", None)
    provider = _provider(str(slo.get("provider", ""))) if isinstance(slo, dict) else None
    if provider is None or not isinstance(slo, dict):
        return redirect(url_for("auth.logged_out"))
    try:
        target = logout_redirect(hub(), provider, slo)
    except SamlError as exc:
        return _refuse(exc, provider.slug)
    except Exception as exc:  # pysaml2 refusing the stored NameID: the hub session is over anyway
        return _refuse(SamlError(Refusal.SP_MISCONFIGURED, f"LogoutRequest: {exc}", provider.key), provider.slug)
    return redirect(target or url_for("auth.logged_out"))


def end_sessions(provider: IdentityProvider, name_id: str, session_indexes: tuple[str, ...]) -> int:
    """End the hub sessions signed in through ``provider`` as ``name_id`` (with one of ``session_indexes``,
    when the request names any); returns how many."""
    rows = g.db.scalars(select(AdminSession).where(AdminSession.provider_id == provider.id,
                                                   AdminSession.method == SignInMethod.SAML)).all()
    ended = [row.id for row in rows if (row.logout or {}).get("name_id") == name_id and name_id
             and (not session_indexes or (row.logout or {}).get("session_index") in session_indexes)]
    if ended:
        g.db.execute(delete(AdminSession).where(AdminSession.id.in_(ended)))
    return len(ended)


@bp.get("/saml/sls", endpoint="saml_sls")
def saml_sls():
    """Single logout: the IdP's LogoutRequest (sessions ended, a signed LogoutResponse back) or its
    LogoutResponse to ours (the signed-out page)."""
    try:
        result = handle_logout(g.db, hub().settings, request.args.to_dict())
    except SamlError as exc:
        return _refuse(exc)
    if result.kind == LogoutKind.REQUEST:
        count = end_sessions(result.provider, result.name_id, result.session_indexes)
        log_action(g.db, None, "sso.single-logout", target_type="provider", target_id=result.provider.slug,
                   institution_id=result.provider.institution_id, ip=client_ip(),
                   after={"provider": result.provider.slug, "entity_id": result.provider.key,
                          "sessions_ended": count})
        g.db.commit()
        if session.get("sid") and g.get("user") is not None and count:
            session.clear()
        return redirect(result.redirect)
    session.clear()
    return redirect(url_for("auth.logged_out"))
