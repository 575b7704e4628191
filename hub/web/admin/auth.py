"""Signing in and out of /admin/, the signed-in user of a request, CSRF tokens and the access checks.

Sessions live on the server (:mod:`hub.accounts.sessions`): Flask's signed cookie holds only a random
session token (and the CSRF token); signing out deletes the session's row, so a cookie copied before
sign-out opens nothing, and "sign out everywhere", a password change or a role change delete every row
of the user. A user who must change their password reaches only the change-password page (and sign-out)
until they do. Every state-changing request (POST) to the admin area carries the session's CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``). The client address is the one
:mod:`hub.accounts.proxies` finds (``X-Forwarded-For`` only from ``TRUSTED_PROXIES``).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext

from hub.accounts.permissions import AccessDenied, Action, can
from hub.accounts.proxies import request_client_address
from hub.accounts.sessions import close_session, open_session, session_user
from hub.models import User

SESSION_KEYS = ("sid",)

# What a user who must change their password may still reach.
PASSWORD_CHANGE_ENDPOINTS = {"admin.password", "admin.sign_out", "admin.sign_out_all", "admin.sign_in", "admin.static"}


def client_ip() -> str:
    """The client's address: the peer, or behind trusted proxies the right-most untrusted X-Forwarded-For hop."""
    return request_client_address(request, current_app.extensions["chair"].settings)[:64]


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Abort with 400 unless the request carries the session's CSRF token."""
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="The form expired or was not sent from this site; reload the page and try again.")


def start_session(db_session: Any, settings: Mapping[str, Any], user: User, **how: Any) -> None:
    """Sign ``user`` in: a new server-side session (committed by the caller), a fresh cookie and CSRF token.
    ``how`` says how (method, provider_id, subject, logout: see :func:`hub.accounts.sessions.open_session`)."""
    token = open_session(db_session, settings, user, ip=client_ip(),
                         user_agent=request.headers.get("User-Agent", ""), **how)
    session.clear()
    session["sid"] = token
    session.permanent = True
    csrf_token()


def end_session(db_session: Any) -> None:
    """Sign this request's session out: its server-side row goes (committed by the caller), the cookie is cleared."""
    close_session(db_session, session.get("sid"))
    session.clear()


def load_user(db_session: Any, settings: Mapping[str, Any]) -> User | None:
    """The signed-in user of this request, or None (signed out, expired, signed out everywhere, deactivated)."""
    token = session.get("sid")
    if token is None:
        return None
    user = session_user(db_session, token)
    if user is None:
        session.clear()
    return user


def password_change_gate() -> Any:
    """A user who must change their password reaches only the change-password page: pages redirect
    there, anything else (JSON, POST actions) is refused with 403. None when the request may go on."""
    user = current_user()
    if user is None or not user.must_change_password or request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    wants_json = request.accept_mimetypes.best == "application/json" or request.path.endswith(".json")
    if request.method in ("GET", "HEAD") and not wants_json:
        return redirect(url_for("admin.password"))
    abort(403, description=gettext("Change your password first."))


def current_user() -> User | None:
    return g.get("user")


def login_required(view: Callable) -> Callable:
    """Redirect anonymous visitors to the sign-in page (JSON endpoints get 401)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if current_user() is None:
            if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
                abort(401)
            return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def require(action: Action, institution_id: int | None = None) -> None:
    """Abort with 403 unless the signed-in user may do ``action``."""
    if not can(current_user(), action, institution_id):
        raise AccessDenied(action.value)


def safe_next(target: str | None) -> str:
    """A redirect target on this site only (no open redirects: hub.web.links.same_site_target)."""
    from hub.web.links import same_site_target

    return same_site_target(target) or url_for("admin.dashboard")
