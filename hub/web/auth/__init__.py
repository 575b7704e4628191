"""Federated sign-in (统一认证) on the web: /auth/.

One blueprint, ``auth``, for every protocol: the discovery page and sign-out (:mod:`hub.web.auth.discovery`),
the OpenID Connect relying party's views (:mod:`hub.web.auth.oidc_views`) and the SAML service provider's.
Each view module registers its routes on :data:`bp` when imported; :data:`VIEW_MODULES` lists them (a
protocol adds its module there). Requests get a database session (``g.db``) and the signed-in user
(``g.user``), as the admin area's do; unlike the admin area, a POST is not CSRF-checked here by default
(an identity provider posts SAML responses from its own site): a view that changes state for a signed-in
user calls :func:`hub.web.admin.auth.check_csrf` itself.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Blueprint, Flask, g, redirect, render_template, url_for
from flask_babel import gettext

from hub.accounts.federated import FederatedOutcome, Outcome, complete_sign_in
from hub.accounts.identity import FederatedIdentity
from hub.models.federation import IdentityProvider
from hub.web.admin.auth import client_ip, csrf_token, current_user, load_user, start_session
from hub.web.links import same_site_target

THEME = Path(__file__).resolve().parents[3] / "themes" / "default"

# Each module registers its views on bp when imported.
VIEW_MODULES: tuple[str, ...] = (
    "hub.web.auth.discovery",
    "hub.web.auth.oidc_views",
    "hub.web.auth.saml_views",
)

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder=str(THEME / "templates"),
               static_folder=str(THEME / "static"), static_url_path="/static")


def hub():
    """The Hub of the current application."""
    from hub.app import current_hub

    return current_hub()


@bp.before_request
def _open() -> None:
    g.db = hub().db.sessionmaker()
    g.user = load_user(g.db, hub().settings)


@bp.teardown_request
def _close(_exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@bp.context_processor
def _context() -> dict:
    return {"csrf_token": csrf_token, "current_user": current_user()}


def error_page(title: str, message: str, status: int = 400):
    """A sign-in that could not go on, told in the page's language, with the way back to the sign-in page."""
    return render_template("auth/error.html", title=title, message=message, code=status), status


def refusal_page(result: FederatedOutcome):
    """The page of a federated sign-in that opened no session, by its outcome."""
    if result.outcome == Outcome.PENDING_APPROVAL:
        return render_template("auth/pending.html", created=result.created), 403
    messages = {
        Outcome.REFUSED_SCOPE: gettext("Your institution's identity provider vouched for an institution it does not "
                                       "speak for: the hub refused the sign-in."),
        Outcome.REFUSED_NO_ROLE: gettext("Your institution has not given your account a role in the hub. Ask your "
                                         "institution's repository administrator."),
        Outcome.REFUSED_DISABLED: gettext("Your hub account is deactivated. Ask your institution's repository "
                                          "administrator."),
        Outcome.REFUSED_PROVIDER: gettext("This identity provider is not available for sign-in."),
    }
    return error_page(gettext("Sign-in refused"), messages.get(result.outcome, gettext("Sign-in refused")), 403)


def sign_in_response(provider: IdentityProvider, identity: FederatedIdentity, next_url: str = ""):
    """Finish a federated sign-in whose protocol checks passed (any protocol): the account and role
    (:func:`hub.accounts.federated.complete_sign_in`, committed), then the session (how it was signed in kept
    on it) and the redirect to ``next_url`` or the admin area, or the refusal's page."""
    settings = hub().settings
    result = complete_sign_in(g.db, settings, provider, identity)
    if result.entry is not None:
        result.entry.ip = client_ip()
    g.db.commit()
    if not result.signed_in or result.user is None:
        return refusal_page(result)
    start_session(g.db, settings, result.user, method=identity.method, provider_id=provider.id,
                  subject=identity.subject, logout=dict(identity.logout) or None)
    g.db.commit()
    return redirect(same_site_target(next_url) or url_for("admin.dashboard"))


def init_app(app: Flask) -> None:
    """Import every view module (they register on bp), then register the blueprint."""
    for name in VIEW_MODULES:
        importlib.import_module(name)
    app.register_blueprint(bp)
