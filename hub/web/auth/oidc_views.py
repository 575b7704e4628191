"""The OpenID Connect views: /auth/oidc/<slug>/login sends the browser to the provider, /auth/oidc/<slug>/callback
takes its answer.

Each sign-in attempt (state, nonce, PKCE verifier) is kept in the Flask session under its state, so sign-ins
started in several tabs each finish; an answer whose state names no attempt of this browser (forged, used
already, from a lost session) is refused, and so is an attempt older than ``ATTEMPT_SECONDS``. Every
failure is a page in the visitor's language and an entry in the audit log, never an error 500.
"""

from __future__ import annotations

import time

from flask import g, redirect, request, session, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.audit import log_action
from hub.accounts.oidc import Attempt, OidcError, OidcFailure, OidcHttp, begin, finish
from hub.models.federation import IdentityProvider, Protocol
from hub.web.admin.auth import client_ip
from hub.web.auth import bp, error_page, hub, sign_in_response
from hub.web.auth.discovery import remember_choice
from hub.web.links import same_site_target

SESSION_KEY = "oidc"
MAX_ATTEMPTS = 5  # sign-ins under way in one browser at once (tabs); the oldest goes first


def _provider(slug: str) -> IdentityProvider | None:
    return g.db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug[:64],
                                                      IdentityProvider.protocol == Protocol.OIDC,
                                                      IdentityProvider.enabled.is_(True)))


def redirect_uri(slug: str) -> str:
    """The callback's absolute URL, on the hub's public base URL (``BASE_URL``)."""
    return hub().settings["BASE_URL"].rstrip("/") + url_for("auth.oidc_callback", slug=slug)


def _failure_message(kind: OidcFailure) -> str:
    return {
        OidcFailure.DISCOVERY: gettext("The identity provider cannot be reached or is not set up correctly. Try "
                                       "again later."),
        OidcFailure.STATE: gettext("This sign-in answer does not belong to a sign-in started in this browser, or "
                                   "was used already. Start again from the sign-in page."),
        OidcFailure.EXPIRED: gettext("The sign-in took too long and has expired. Start again from the sign-in "
                                     "page."),
        OidcFailure.PROVIDER_ERROR: gettext("The identity provider did not sign you in (cancelled or refused)."),
        OidcFailure.TOKEN: gettext("The identity provider did not confirm the sign-in. Start again from the "
                                   "sign-in page."),
        OidcFailure.ID_TOKEN: gettext("The identity provider's answer failed the hub's checks: the sign-in was "
                                      "refused."),
        OidcFailure.USERINFO: gettext("The identity provider's user information could not be read."),
    }[kind]


def _fail(slug: str, kind: OidcFailure, detail: str):
    log_action(g.db, g.get("user"), "sso.error", target_type="provider", target_id=slug[:64], ip=client_ip(),
               after={"provider": slug[:64], "kind": kind.value}, note=detail[:1000])
    g.db.commit()
    status = 502 if kind in (OidcFailure.DISCOVERY, OidcFailure.USERINFO) else 400
    return error_page(gettext("Sign-in failed"), _failure_message(kind), status)


def _attempts() -> dict[str, dict]:
    kept = session.get(SESSION_KEY)
    return dict(kept) if isinstance(kept, dict) else {}


@bp.get("/oidc/<slug>/login", endpoint="oidc_login")
def oidc_login(slug: str):
    """Start an OpenID Connect sign-in at the provider ``slug``."""
    provider = _provider(slug)
    if provider is None:
        return error_page(gettext("Sign-in failed"), gettext("There is no such identity provider."), 404)
    http = OidcHttp(hub().settings)
    try:
        url, attempt = begin(http, provider, redirect_uri(slug), same_site_target(request.args.get("next")) or "")
    except OidcError as exc:
        return _fail(slug, exc.kind, str(exc))
    finally:
        http.close()
    g.db.commit()  # the discovery document's cache
    attempts = {state: data for state, data in _attempts().items()
                if isinstance(data, dict) and time.time() - float(data.get("created") or 0) < 3600}
    attempts[attempt.state] = attempt.to_dict()
    session[SESSION_KEY] = dict(sorted(attempts.items(), key=lambda item: item[1]["created"])[-MAX_ATTEMPTS:])
    return remember_choice(redirect(url), slug)


@bp.get("/oidc/<slug>/callback", endpoint="oidc_callback")
def oidc_callback(slug: str):
    """The provider's answer: the attempt it names, the code exchanged, the ID token checked, then the account."""
    attempts = _attempts()
    state = request.args.get("state", "")[:128]
    data = attempts.pop(state, None) if state else None
    session[SESSION_KEY] = attempts
    try:
        attempt = Attempt.from_dict(data) if isinstance(data, dict) else None
    except ValueError:
        attempt = None
    if attempt is None or attempt.provider != slug:
        return _fail(slug, OidcFailure.STATE, "no sign-in attempt of this browser has this state")
    provider = _provider(slug)
    if provider is None:
        return error_page(gettext("Sign-in failed"), gettext("There is no such identity provider."), 404)
    http = OidcHttp(hub().settings)
    try:
        identity = finish(http, provider, hub().settings, attempt, request.args.to_dict())
    except OidcError as exc:
        return _fail(slug, exc.kind, str(exc))
    finally:
        http.close()
    return sign_in_response(provider, identity, attempt.next_url)
