"""Signing in and out of /admin/, the signed-in user of a request, CSRF tokens and the access checks.

Sessions are Flask's signed cookies holding the user id and the user's session epoch; a request
whose epoch is not the user's current one is signed out, so "sign out everywhere", a password
change or a role change end every session at once. Every state-changing request (POST) to the
admin area carries the session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for

from hub.accounts.permissions import AccessDenied, Action, can
from hub.models import User

SESSION_KEYS = ("uid", "epoch", "signed_in_at")


def client_ip() -> str:
    """The client's address (the first proxy hop when behind one)."""
    return (request.headers.get("X-Forwarded-For", "").split(",")[0].strip() or request.remote_addr or "")[:64]


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


def start_session(user: User) -> None:
    """Sign ``user`` in: a fresh session (new CSRF token) bound to the user's epoch."""
    session.clear()
    session["uid"] = user.id
    session["epoch"] = user.session_epoch
    session["signed_in_at"] = int(time.time())
    session.permanent = True
    csrf_token()


def end_session() -> None:
    session.clear()


def load_user(db_session: Any, settings: dict[str, Any]) -> User | None:
    """The signed-in user of this request, or None (expired, signed out everywhere, deactivated)."""
    uid = session.get("uid")
    if uid is None:
        return None
    user = db_session.get(User, uid)
    lifetime = settings["SESSION_LIFETIME_HOURS"] * 3600
    if (user is None or not user.active or session.get("epoch") != user.session_epoch
            or time.time() - session.get("signed_in_at", 0) > lifetime):
        end_session()
        return None
    return user


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
    """A redirect target on this site only (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.dashboard")
