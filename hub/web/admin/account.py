"""Admin views of accounts: the signed-in user's own password change, and for hub administrators the list
of users, setting a user's password and requiring a password change at the next sign-in.

Every password goes through the password policy; its refusal is shown on the form (HTTP 422).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from sqlalchemy import func, select

from hub.accounts.permissions import Action
from hub.accounts.sessions import session_row
from hub.accounts.users import change_own_password, require_password_change, set_password
from hub.models import User, utcnow
from hub.models.accounts import AdminSession
from hub.models.federation import IdentityProvider
from hub.web.admin import bp, hub
from hub.web.admin.auth import client_ip, current_user, login_required, require, start_session


def _new_password() -> tuple[str, str]:
    """The new password of a form and an error when its two copies differ."""
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        return new, gettext("The two new passwords differ.")
    return new, ""


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (the only page a user who must change it can reach)."""
    user = current_user()
    error = ""
    if request.method == "POST":
        new, error = _new_password()
        if not error:
            try:
                change_own_password(g.db, user, request.form.get("current_password", ""), new, ip=client_ip(),
                                    min_length=hub().settings["PASSWORD_MIN_LENGTH"])
            except ValueError as exc:
                error = str(exc)
        if not error:
            start_session(g.db, hub().settings, user)  # every old session ended; this one goes on
            g.db.commit()
            flash(gettext("Password changed; your other sessions were signed out."))
            return redirect(url_for("admin.dashboard"))
        g.db.rollback()
    return render_template("admin/password.html", error=error, forced=user.must_change_password,
                           min_length=hub().settings["PASSWORD_MIN_LENGTH"], signed_in=_signed_in(),
                           has_password=user.has_password), 422 if error else 200


def _signed_in() -> dict[str, str] | None:
    """How this session was signed in: the provider's name, its protocol and the subject (None: unknown)."""
    row = session_row(g.db, session.get("sid"))
    if row is None:
        return None
    provider = g.db.get(IdentityProvider, row.provider_id) if row.provider_id else None
    if provider is None:
        return {"provider": "", "protocol": row.method.value, "subject": ""}
    protocols = {"oidc": "OpenID Connect", "saml": "SAML 2.0"}
    return {"provider": provider.name(str(get_locale() or "zh")), "protocol": protocols.get(row.method.value, ""),
            "subject": row.subject}


def _user_or_404(user_id: int) -> User:
    user = g.db.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@login_required
def users():
    """Every account, its role and whether it must change its password (hub administrators)."""
    require(Action.MANAGE_USERS)
    rows = g.db.scalars(select(User).order_by(User.username)).all()
    sessions = dict(g.db.execute(select(AdminSession.user_id, func.count(AdminSession.id))
                                 .where(AdminSession.expires_at > utcnow())
                                 .group_by(AdminSession.user_id)).all())
    return render_template("admin/users.html", users=rows, sessions=sessions)


@bp.post("/users/<int:user_id>/require-password-change")
@login_required
def user_require_password_change(user_id: int):
    """Make a user choose a new password: after signing in they reach only the change-password page."""
    require(Action.MANAGE_USERS)
    user = _user_or_404(user_id)
    require_password_change(g.db, user.username, actor=current_user(), ip=client_ip())
    g.db.commit()
    flash(gettext("%(user)s must change their password at the next page they open.", user=user.username))
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@login_required
def user_password(user_id: int):
    """Set a user's password (their sessions end), by default requiring them to change it at sign-in."""
    require(Action.MANAGE_USERS)
    user = _user_or_404(user_id)
    error = ""
    if request.method == "POST":
        new, error = _new_password()
        if not error:
            try:
                set_password(g.db, user.username, new, actor=current_user(), ip=client_ip(),
                             min_length=hub().settings["PASSWORD_MIN_LENGTH"],
                             must_change_password=request.form.get("must_change") == "on")
            except ValueError as exc:
                error = str(exc)
        if not error:
            g.db.commit()
            flash(gettext("Password of %(user)s set; their sessions ended.", user=user.username))
            return redirect(url_for("admin.users"))
        g.db.rollback()
    return render_template("admin/user_password.html", user=user, error=error,
                           min_length=hub().settings["PASSWORD_MIN_LENGTH"]), 422 if error else 200

