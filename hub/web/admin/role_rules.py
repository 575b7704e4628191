"""Admin views of a member's sign-in rules and of the accounts waiting for its approval.

A member admin sees and edits their own member's role rules only (``MANAGE_ROLE_RULES`` on that member);
a hub administrator chooses the member. The accounts a first federated sign-in made, when the provider
asks for approval, are listed for the member's admins to approve or refuse. Every change is in the audit
log; a value the registry refuses is shown on the page (HTTP 422).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.federated import approve_account, pending_accounts, reject_account
from hub.accounts.permissions import Action, can
from hub.accounts.providers import add_rule, delete_rule, list_rules, parse_source
from hub.accounts.users import parse_role
from hub.models import Institution, Role, User
from hub.models.federation import IdentityProvider
from hub.web.admin import bp
from hub.web.admin.auth import client_ip, current_user, login_required, require

ROLES = (Role.MEMBER_ADMIN,)  # hub staff roles never come from a member's rule (hub.accounts.providers)


def _member(raw: str | None) -> Institution | None:
    """The member the page is about: a member admin's own, or the one a hub administrator chose."""
    user = current_user()
    if user is not None and not can(user, Action.MANAGE_PROVIDERS):
        chosen = user.institution_id
    else:
        try:
            chosen = int(raw) if raw else None
        except ValueError:
            abort(404)
    if chosen is None:
        return None
    institution = g.db.get(Institution, chosen)
    if institution is None or institution.removed:
        abort(404)
    require(Action.MANAGE_ROLE_RULES, institution.id)
    return institution


def _page(institution: Institution | None, form: dict[str, str], error: str = "", status: int = 200):
    members = list(g.db.scalars(select(Institution).where(Institution.removed_at.is_(None))
                                .order_by(Institution.slug)).all()) if can(current_user(),
                                                                           Action.MANAGE_PROVIDERS) else []
    rules = list_rules(g.db, institution.slug) if institution is not None else []
    providers = list(g.db.scalars(select(IdentityProvider).where(IdentityProvider.institution_id == institution.id)
                                  .order_by(IdentityProvider.slug)).all()) if institution is not None else []
    return render_template("admin/role_rules.html", institution=institution, members=members, rules=rules,
                           providers=providers, form=form, error=error, roles=ROLES), status


@bp.get("/role-rules")
@login_required
def role_rules():
    """A member's role rules and the form that adds one."""
    require(Action.MANAGE_ROLE_RULES, current_user().institution_id)
    return _page(_member(request.args.get("institution_id")), {})


@bp.post("/role-rules")
@login_required
def role_rule_add():
    """Add a role rule to the member."""
    institution = _member(request.form.get("institution_id"))
    if institution is None:
        abort(404)
    form = {name: request.form.get(name, "").strip()[:255] for name in ("source", "value", "role")}
    try:
        add_rule(g.db, member=institution.slug, source=parse_source(form["source"]), value=form["value"],
                 role=parse_role(form["role"]), actor=current_user(), ip=client_ip())
    except (ValueError, LookupError) as exc:
        g.db.rollback()
        return _page(institution, form, str(exc), 422)
    g.db.commit()
    flash(gettext("Rule added."))
    return redirect(url_for("admin.role_rules", institution_id=institution.id))


def _form_id(name: str) -> int | None:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        return None


@bp.post("/role-rules/delete")
@login_required
def role_rule_delete():
    """Delete one of the member's rules (form field ``rule_id``)."""
    institution = _member(request.form.get("institution_id"))
    if institution is None:
        abort(404)
    rule_id = _form_id("rule_id")
    if rule_id is None:
        return _page(institution, {}, gettext("Choose a rule to delete."), 422)
    try:
        delete_rule(g.db, rule_id, institution_id=institution.id, actor=current_user(), ip=client_ip())
    except LookupError:
        abort(404)
    g.db.commit()
    flash(gettext("Rule deleted."))
    return redirect(url_for("admin.role_rules", institution_id=institution.id))


@bp.get("/pending-accounts")
@login_required
def pending_accounts_view():
    """Accounts waiting for approval: the member's own, or every member's for hub administrators."""
    user = current_user()
    require(Action.MANAGE_ROLE_RULES, user.institution_id)
    network = can(user, Action.MANAGE_PROVIDERS)
    rows = pending_accounts(g.db, None if network else user.institution_id)
    return render_template("admin/pending_accounts.html", accounts=rows)


@bp.post("/pending-accounts/decide")
@login_required
def pending_account_decide():
    """Approve an account (it becomes active) or refuse it (it is deleted): form fields ``user_id`` and
    ``decision`` (approve or refuse)."""
    require(Action.MANAGE_ROLE_RULES, current_user().institution_id)
    user_id, decision = _form_id("user_id"), request.form.get("decision", "")
    if user_id is None or decision not in ("approve", "refuse"):
        rows = pending_accounts(g.db, None if can(current_user(), Action.MANAGE_PROVIDERS)
                                else current_user().institution_id)
        return render_template("admin/pending_accounts.html", accounts=rows,
                               error=gettext("Choose an account and approve or refuse it.")), 422
    user = g.db.get(User, user_id)
    if user is None or not user.approval_pending:
        abort(404)
    require(Action.MANAGE_ROLE_RULES, user.institution_id)
    username = user.username
    if decision == "approve":
        approve_account(g.db, user, current_user(), ip=client_ip())
        message = gettext("%(user)s approved: they can sign in now.", user=username)
    else:
        reject_account(g.db, user, current_user(), ip=client_ip())
        message = gettext("%(user)s refused.", user=username)
    g.db.commit()
    flash(message)
    return redirect(url_for("admin.pending_accounts_view"))
