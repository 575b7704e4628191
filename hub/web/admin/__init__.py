"""The admin area (/admin/): sign-in, the network health dashboard, members and repositories,
harvest runs, completeness, usage reports and the audit log.

Every view is behind :func:`login_required` and an explicit permission check; every POST carries
the CSRF token. Templates live in themes/default/templates/admin/, the stylesheet and the few lines
of progress-polling JavaScript in themes/default/static/ (admin.css, admin.js), served under
/admin/static/.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.permissions import AccessDenied, Action, can, visible_institutions
from hub.accounts.users import SignInOutcome, sign_in, sign_out_everywhere
from hub.models import AuditEntry
from hub.web.admin import labels
from hub.web.admin.auth import (
    check_csrf,
    client_ip,
    csrf_token,
    current_user,
    end_session,
    load_user,
    login_required,
    password_change_gate,
    require,
    safe_next,
    start_session,
)

THEME = Path(__file__).resolve().parents[3] / "themes" / "default"

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder=str(THEME / "templates"),
               static_folder=str(THEME / "static"), static_url_path="/static")


def hub():
    from hub.app import current_hub

    return current_hub()


def install_request_hooks(blueprint: Blueprint) -> None:
    """Give an admin blueprint its per-request session, signed-in user, CSRF check, 403 page and
    template context. The admin area and the works/quality pages share these."""

    @blueprint.before_request
    def _open() -> None:
        g.db = hub().db.sessionmaker()
        g.user = load_user(g.db, hub().settings)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            check_csrf()
        return password_change_gate()

    @blueprint.teardown_request
    def _close(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @blueprint.errorhandler(AccessDenied)
    @blueprint.errorhandler(PermissionError)
    def _denied(_exc: Exception):
        return render_template("admin/error.html", code=403,
                               message=gettext("You may not see or change this.")), 403

    @blueprint.context_processor
    def _context() -> dict:
        return {"csrf_token": csrf_token, "current_user": current_user(), "Action": Action}


install_request_hooks(bp)
labels.register(bp)


@bp.app_template_global()
def admin_can(action: str, institution_id: int | None = None) -> bool:
    """Templates ask what the signed-in user may do (buttons shown only when allowed)."""
    return can(g.get("user"), Action(action), institution_id)


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
def sign_in_view():
    """The sign-in form; throttled per account and per IP address."""
    error = ""
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "")
        result = sign_in(g.db, hub().settings, username, request.form.get("password", ""), client_ip())
        g.db.commit()
        if result.outcome == SignInOutcome.OK:
            start_session(g.db, hub().settings, result.user)
            g.db.commit()
            if result.user.must_change_password:
                return redirect(url_for("admin.password"))
            return redirect(safe_next(request.args.get("next")))
        if result.outcome == SignInOutcome.THROTTLED:
            error, status = gettext("Too many failed attempts: wait a while."), 429
        elif result.outcome == SignInOutcome.LOCAL_FORBIDDEN:
            error, status = gettext("Member staff sign in with their institution's account."), 403
        else:
            error, status = gettext("Wrong user name or password."), 401
    return render_template("admin/sign_in.html", error=error), status



@bp.post("/sign-out")
def sign_out():
    """End this session on the server: its cookie, even copied, opens nothing afterwards. A session signed
    in through an identity provider goes on to its single logout where it offers one."""
    from hub.web.auth.discovery import sign_out_response

    return sign_out_response(url_for("admin.sign_in"))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_all():
    """End every session of the signed-in user, on every device."""
    sign_out_everywhere(g.db, current_user())
    end_session(g.db)
    g.db.commit()
    return redirect(url_for("admin.sign_in"))


@bp.get("/")
@login_required
def dashboard():
    """Network health (hub staff) or the member's own repositories (member administrators)."""
    from hub.health.dashboard import network_health, summary
    from hub.web.charts import sparkline

    user = current_user()
    rows = network_health(g.db, hub().settings, visible_institutions(user))
    return render_template("admin/dashboard.html", rows=rows, totals=summary(rows), sparkline=sparkline,
                           network=can(user, Action.VIEW_NETWORK))


@bp.get("/audit")
@login_required
def audit():
    """The latest admin actions (hub administrators)."""
    from sqlalchemy import func

    from hub.web.admin.paging import PER_PAGE, Page, page_number, query_without_page

    require(Action.VIEW_AUDIT)
    actions = sorted(g.db.scalars(select(AuditEntry.action).distinct()).all())
    users = sorted(g.db.scalars(select(AuditEntry.username).distinct()).all())
    chosen = {"action": request.args.get("action", ""), "username": request.args.get("username", "")}
    query = select(AuditEntry)
    if chosen["action"] in actions:
        query = query.where(AuditEntry.action == chosen["action"])
    if chosen["username"] in users:
        query = query.where(AuditEntry.username == chosen["username"])
    total = g.db.scalar(select(func.count()).select_from(query.subquery())) or 0
    number = min(page_number(), max(1, -(-total // PER_PAGE)))
    entries = g.db.scalars(query.order_by(AuditEntry.id.desc()).offset((number - 1) * PER_PAGE)
                           .limit(PER_PAGE)).all()
    options = {"actions": [(a, a) for a in actions], "users": [(u, u) for u in users if u]}
    return render_template("admin/audit.html", page=Page(entries, number, PER_PAGE, total), chosen=chosen,
                           options=options, query=query_without_page())


def audit_ip() -> str:
    return client_ip()


def flash_lines(lines: list[str]) -> None:
    for line in lines:
        flash(line)


def init_app(app: Flask) -> None:
    """Register the admin blueprint, its views and the public statistics pages."""
    from hub.web.admin import (  # noqa: F401 - the views register on bp
        account,
        api_tokens,
        identity_providers,
        members,
        quality_list,
        repositories,
        repository_list,
        researchers,
        role_rules,
        runs,
        saml_forms,
        webhooks,
        works_list,
    )

    app.register_blueprint(bp)
    webhooks.init_app(app)  # the change feed's subscriptions: a blueprint of their own (webhooks_admin)
    from datetime import timedelta

    app.permanent_session_lifetime = timedelta(hours=hub_settings(app)["SESSION_LIFETIME_HOURS"])
    # The cookie's flags (HttpOnly, SameSite=Lax, Secure on https) are set by hub.web.security: a
    # config.setdefault here never took effect, Flask's defaults already hold SESSION_COOKIE_SAMESITE.


def hub_settings(app: Flask) -> dict:
    return app.extensions["chair"].settings


__all__ = ["bp", "init_app", "login_required", "require", "check_csrf"]
